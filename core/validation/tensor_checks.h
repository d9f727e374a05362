#pragma once
// Checks on tensors read from files or produced by a model: NaN and Inf must
// be reported with the tensor's name, never carried into a result.
#include <string>

#include <torch/types.h>

namespace dq {

// Throws dq::Error "<what> holds N NaN/Inf values (first at flat index i); <todo>."
void requireFinite(const torch::Tensor& tensor, const std::string& what, const std::string& todo);

// True when every element is finite (floating tensors); integer tensors are.
bool allFinite(const torch::Tensor& tensor);

}  // namespace dq
