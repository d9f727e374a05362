#pragma once
// Where the GUI finds the shipped model, without including LibTorch headers
// in the executable's main().
#include <string>
#include <utility>
#include <vector>

#include <QString>

namespace dq::gui {

// The shipped/default model folder ($DIFFQUANT_MODEL, installed, or source tree), or empty.
std::string defaultModel();

// The shipped models by folder name (kShippedClassModel, kShippedTextToImageModel),
// each with its folder, empty when this installation lacks it.
std::vector<std::pair<QString, QString>> shippedModels();

}  // namespace dq::gui
