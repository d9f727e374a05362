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
    // Pooled and spatial features and class probabilities (softmax without dropout).
    FeatureOutputs features(const torch::Tensor& x);
    torch::Tensor classify(const torch::Tensor& pooled);  // logits from pooled features (dropout in training)

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

// Changes a person cannot see, applied while training so that the features
// (and hence FID) ignore them: a generated sample with 2/255 of noise or a
// background at -0.96 instead of -1 is not a worse sample. Blur is real damage
// and deliberately not among them.
struct ImperceptibleAugmentation {
    double maxNoiseSigma = 0.1;   // additive Gaussian noise, sigma ~ U(0, max) per image ([-1,1] units)
    double maxBrightness = 0.06;  // whole-image offset ~ U(-max, max)
    double maxBackground = 0.1;   // offset ~ U(0, max) on background pixels (at -1)
    double roundShare = 0.5;      // share of images then rounded to 8 bits (as a saved PNG is)
};

struct ClassifierTraining {
    int epochs = 6;
    int batchSize = 128;
    double learningRate = 1e-3;
    uint64_t seed = 0;
    // Off: the first shipped network's recipe (random shifts only).
    bool augment = true;
    ImperceptibleAugmentation augmentation;
    // Weight of the feature-consistency term: mean squared distance between
    // the penultimate features of an image and of its augmented copy, relative
    // to the features' mean power. Cross-entropy on augmented images alone
    // makes the *decision* invariant; FID reads the features themselves.
    double consistencyWeight = 1.0;
};

// Applies ImperceptibleAugmentation to a batch in [-1,1] (clamped to [-1,1]
// afterwards, as samples are), drawing from `gen`.
torch::Tensor augmentImperceptibly(const torch::Tensor& images, const ImperceptibleAugmentation& a,
                                   at::Generator& gen);

// Trains on the padded Fashion-MNIST train split; returns the test accuracy.
// With settings.augment, each batch is seen clean and augmented, with the
// consistency term between the two.
double trainFeatureNet(FeatureNet& net, const ImageDataset& train, const ImageDataset& test,
                       const ClassifierTraining& settings, const torch::Device& device,
                       const std::function<void(int epoch, double loss, double accuracy)>& onEpoch = {},
                       const ProgressCallbacks& callbacks = {});

// Share of correctly classified images, batched.
double classifierAccuracy(FeatureNet& net, const torch::Tensor& images, const torch::Tensor& labels);

// Features of a batch of images in [-1,1], computed in chunks on the net's device.
FeatureOutputs extractFeatures(FeatureNet& net, const torch::Tensor& images, int64_t chunk = 500);

}  // namespace dq
