#pragma once
// Where a binary finds the product's shipped data (models), relative to
// itself, so that an installed package is relocatable:
//   <prefix>/bin/diffquant  ->  <prefix>/share/diffquant-studio/
// A binary running from a build tree finds the source tree's resources/
// through a marker file that CMake writes at the top of the build tree. No
// source path is compiled into any binary, so an installed one can never fall
// back to the tree it was built from.
#include <string>

namespace dq {

// Name of the marker file at the top of a build tree. Its one line is the
// absolute path of the source tree's resources/ folder.
inline constexpr const char* kBuildTreeMarker = "diffquant-build-tree.txt";

// Absolute path of the running executable (/proc/self/exe), or empty.
std::string executablePath();

// The data folder (containing models/): <exe>/../share/diffquant-studio when
// it exists; else, for a binary inside a build tree, the resources/ folder
// named by the build tree's marker; else empty.
std::string dataDirectory();

// Same as dataDirectory(), for a given executable path (testable).
std::string dataDirectoryFor(const std::string& executable);

// The models shipped under dataDirectory()/models, by folder name.
inline constexpr const char* kShippedClassModel = "fashion-mnist-ddpm";      // class-conditional UNet2DModel
inline constexpr const char* kShippedTextToImageModel = "fashion-mnist-t2i";  // Stable Diffusion-layout pipeline

// The folder of a shipped model, or empty when this installation lacks it.
std::string shippedModelFolder(const std::string& name);

}  // namespace dq
