#include "app/gui/default_model.h"

#include "core/model/model_folder.h"

namespace dq::gui {

std::string defaultModel() { return defaultModelFolder(); }

}  // namespace dq::gui
