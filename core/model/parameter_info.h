#pragma once
// What a model declares about each of its parameters, in registration order:
// the order random initialisation draws in and optimizer checkpoints list
// them, so it is part of the model's contract (and checked by tests).
#include <cstdint>
#include <string>
#include <vector>

namespace dq {

enum class InitKind { FanInUniform, Ones, Zeros, Normal };
const char* initKindName(InitKind kind);

struct ParameterInfo {
    std::string name;        // state-dict key
    std::string legacyName;  // older diffusers key for the same tensor, or empty
    std::vector<int64_t> shape;
    InitKind init = InitKind::Zeros;
    int64_t fanIn = 1;
};

}  // namespace dq
