#pragma once
// The evaluation network for Fashion-MNIST: a small CNN classifier whose
// penultimate features play the role of Inception's pool features (FID), an
// earlier spatial layer that of sFID's spatial features, and its softmax that
// of IS's class probabilities.
#include <string>

#include <torch/torch.h>

#include "core/callbacks.h"
#include "core/io/fashion_mnist.h"

namespace dq {

struct FeatureOutputs {
    torch::Tensor pooled;   // [N,256] penultimate features (FID)
    torch::Tensor spatial;  // [N,512] first 8 channels of the 8×8 feature map (sFID)
    torch::Tensor probs;    // [N,10] softmax (IS, class accuracy)
};

class FeatureNetImpl : public torch::nn::Module {
public:
    FeatureNetImpl();
    torch::Tensor forward(const torch::Tensor& x);  // logits; x: [N,1,32,32] in [-1,1]
    FeatureOutputs features(const torch::Tensor& x);

private:
    torch::Tensor trunk(const torch::Tensor& x, torch::Tensor* spatial);
    torch::nn::Conv2d c1{nullptr}, c2{nullptr}, c3{nullptr}, c4{nullptr}, c5{nullptr};
    torch::nn::BatchNorm2d b1{nullptr}, b2{nullptr}, b3{nullptr}, b4{nullptr}, b5{nullptr};
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(FeatureNet);

// Saved as `feature_net.safetensors` (parameters and buffers by name).
void saveFeatureNet(FeatureNet& net, const std::string& path);
FeatureNet loadFeatureNet(const std::string& path, const torch::Device& device);

struct ClassifierTraining {
    int epochs = 6;
    int batchSize = 128;
    double learningRate = 1e-3;
    uint64_t seed = 0;
};

// Trains on the padded Fashion-MNIST train split; returns the test accuracy.
double trainFeatureNet(FeatureNet& net, const ImageDataset& train, const ImageDataset& test,
                       const ClassifierTraining& settings, const torch::Device& device,
                       const std::function<void(int epoch, double loss, double accuracy)>& onEpoch = {},
                       const ProgressCallbacks& callbacks = {});

// Share of correctly classified images, batched.
double classifierAccuracy(FeatureNet& net, const torch::Tensor& images, const torch::Tensor& labels);

// Features of a batch of images in [-1,1], computed in chunks on the net's device.
FeatureOutputs extractFeatures(FeatureNet& net, const torch::Tensor& images, int64_t chunk = 500);

}  // namespace dq
