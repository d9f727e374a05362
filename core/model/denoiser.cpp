#include "core/model/denoiser.h"

namespace dq {

Denoiser::~Denoiser() = default;

}  // namespace dq
