#include "app/gui/model_loader.h"

#include <c10/util/Exception.h>

#include "core/errors.h"
#include "core/model/model_folder.h"

namespace dq::gui {

ModelSummary loadModelSummary(const std::string& folder) {
    try {
        LoadedModel loaded = loadModelFolder(folder);
        ModelSummary summary = loaded.unet.summary();
        summary.folder = folder;
        return summary;
    } catch (const c10::Error& e) {
        throw Error("LibTorch could not load '" + folder + "': " + e.what_without_backtrace());
    }
}

std::string defaultModel() { return defaultModelFolder(); }

}  // namespace dq::gui
