#include "core/validation/tensor_checks.h"

#include <torch/torch.h>

#include "core/errors.h"

namespace dq {

bool allFinite(const torch::Tensor& tensor) {
    if (!tensor.defined() || !tensor.is_floating_point() || tensor.numel() == 0) return true;
    return torch::isfinite(tensor).all().item<bool>();
}

void requireFinite(const torch::Tensor& tensor, const std::string& what, const std::string& todo) {
    if (allFinite(tensor)) return;
    const torch::Tensor bad = torch::logical_not(torch::isfinite(tensor)).flatten();
    const int64_t count = bad.sum().item<int64_t>();
    const int64_t first = bad.nonzero().index({0, 0}).item<int64_t>();
    throw Error(what + " holds " + std::to_string(count) + " NaN or Inf value" + (count == 1 ? "" : "s") +
                " (the first at flat index " + std::to_string(first) + "); " + todo + ".");
}

}  // namespace dq
