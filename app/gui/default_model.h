#pragma once
// Where the GUI finds the shipped model, without including LibTorch headers
// in the executable's main().
#include <string>

namespace dq::gui {

// The shipped/default model folder ($DIFFQUANT_MODEL, installed, or source tree), or empty.
std::string defaultModel();

}  // namespace dq::gui
