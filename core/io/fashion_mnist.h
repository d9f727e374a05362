#pragma once
// Fashion-MNIST in IDX format (optionally gzipped), as installed by Debian's
// dataset-fashion-mnist package.
#include <string>

#include <torch/types.h>

namespace dq {

enum class DatasetSplit { Train, Test };

struct ImageDataset {
    torch::Tensor images;  // [N,1,H,W] float32 in [-1, 1]
    torch::Tensor labels;  // [N] int64
};

// Default folder: $DIFFQUANT_FASHION_MNIST if set, else
// /usr/share/datasets/fashion-mnist.
std::string defaultFashionMnistDir();

// Class names in label order (T-shirt/top … Ankle boot).
const char* fashionMnistClassName(int label);

// Loads one split from `dir` (empty: the default folder). pad32 zero-pads
// (background value −1) the 28×28 images to 32×32. A missing dataset gives an
// error that names the folder and the Debian package to install.
ImageDataset loadFashionMnist(DatasetSplit split, const std::string& dir = {}, bool pad32 = false);

}  // namespace dq
