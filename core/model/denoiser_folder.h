#pragma once
// Loads whichever denoiser a diffusers model folder holds, by the
// `_class_name` of its config.json: UNet2DModel (also when absent, as older
// folders omit it) or UNet2DConditionModel. Anything else is named and rejected.
#include <memory>
#include <string>

#include "core/model/denoiser.h"

namespace dq {

std::unique_ptr<Denoiser> loadDenoiser(const std::string& folder);

// The `_class_name` of `folder`/config.json, or "" when it has none.
std::string denoiserClassName(const std::string& folder);

}  // namespace dq
