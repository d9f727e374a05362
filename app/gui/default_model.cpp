#include "app/gui/default_model.h"

#include "core/model/model_folder.h"
#include "core/runtime/install_layout.h"

namespace dq::gui {

std::string defaultModel() { return defaultModelFolder(); }

std::vector<std::pair<QString, QString>> shippedModels() {
    std::vector<std::pair<QString, QString>> models;
    for (const char* name : {kShippedClassModel, kShippedTextToImageModel})
        models.emplace_back(QString::fromLatin1(name), QString::fromStdString(shippedModelFolder(name)));
    return models;
}

}  // namespace dq::gui
