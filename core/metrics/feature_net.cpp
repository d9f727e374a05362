#include "core/metrics/feature_net.h"

#include "core/errors.h"
#include "core/io/safetensors.h"

namespace dq {

namespace nn = torch::nn;

FeatureNetImpl::FeatureNetImpl() {
    auto conv = [](int64_t in, int64_t out) { return nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(false)); };
    c1 = register_module("c1", conv(1, 32));
    b1 = register_module("b1", nn::BatchNorm2d(32));
    c2 = register_module("c2", conv(32, 32));
    b2 = register_module("b2", nn::BatchNorm2d(32));
    c3 = register_module("c3", conv(32, 64));
    b3 = register_module("b3", nn::BatchNorm2d(64));
    c4 = register_module("c4", conv(64, 64));
    b4 = register_module("b4", nn::BatchNorm2d(64));
    c5 = register_module("c5", conv(64, 128));
    b5 = register_module("b5", nn::BatchNorm2d(128));
    fc1 = register_module("fc1", nn::Linear(128 * 4 * 4, 256));
    fc2 = register_module("fc2", nn::Linear(256, 10));
    dropout = register_module("dropout", nn::Dropout(0.3));
}

torch::Tensor FeatureNetImpl::trunk(const torch::Tensor& x, torch::Tensor* spatial) {
    torch::Tensor h = torch::relu(b1(c1(x)));
    h = torch::max_pool2d(torch::relu(b2(c2(h))), 2);  // 32×16×16
    h = torch::relu(b3(c3(h)));
    h = torch::max_pool2d(torch::relu(b4(c4(h))), 2);  // 64×8×8
    if (spatial) *spatial = h.narrow(1, 0, 8).flatten(1);
    h = torch::max_pool2d(torch::relu(b5(c5(h))), 2);  // 128×4×4
    return torch::relu(fc1(h.flatten(1)));             // 256
}

torch::Tensor FeatureNetImpl::forward(const torch::Tensor& x) { return classify(trunk(x, nullptr)); }

torch::Tensor FeatureNetImpl::classify(const torch::Tensor& pooled) { return fc2(dropout(pooled)); }

FeatureOutputs FeatureNetImpl::features(const torch::Tensor& x) {
    FeatureOutputs out;
    out.pooled = trunk(x, &out.spatial);
    out.probs = torch::softmax(fc2(out.pooled), 1);
    return out;
}

void saveFeatureNet(FeatureNet& net, const std::string& path) {
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& p : net->named_parameters()) tensors.emplace(p.key(), p.value().detach().to(torch::kCPU).contiguous());
    for (const auto& b : net->named_buffers()) tensors.emplace(b.key(), b.value().detach().to(torch::kCPU).contiguous());
    saveSafetensors(path, tensors, {{"format", "pt"}, {"kind", "diffquant-feature-net"}});
}

FeatureNet loadFeatureNet(const std::string& path, const torch::Device& device) {
    TensorFile file = loadSafetensors(path);
    FeatureNet net;
    torch::NoGradGuard noGrad;
    std::size_t expected = 0;
    auto assign = [&](const std::string& name, torch::Tensor& target) {
        const torch::Tensor& source = file.at(name, path);
        if (source.sizes() != target.sizes())
            throw Error("Feature network '" + path + "': tensor '" + name + "' has the wrong shape; retrain it with "
                        "`diffquant train-classifier`.");
        target.copy_(source);
        ++expected;
    };
    for (auto& p : net->named_parameters()) assign(p.key(), p.value());
    for (auto& b : net->named_buffers()) assign(b.key(), b.value());
    if (expected != file.tensors.size())
        throw Error("Feature network '" + path + "' holds tensors this network does not have; it was written by "
                    "another version.");
    net->to(device);
    net->eval();
    return net;
}

FeatureOutputs extractFeatures(FeatureNet& net, const torch::Tensor& images, int64_t chunk) {
    if (images.dim() != 4 || images.size(1) != 1 || images.size(2) != 32 || images.size(3) != 32)
        throw Error("The Fashion-MNIST feature network takes [N,1,32,32] images.");
    c10::InferenceMode inference;
    net->eval();
    const torch::Device device = net->parameters().front().device();
    std::vector<torch::Tensor> pooled, spatial, probs;
    for (int64_t i = 0; i < images.size(0); i += chunk) {
        FeatureOutputs f = net->features(images.narrow(0, i, std::min(chunk, images.size(0) - i)).to(device));
        pooled.push_back(f.pooled);
        spatial.push_back(f.spatial);
        probs.push_back(f.probs);
    }
    return {torch::cat(pooled), torch::cat(spatial), torch::cat(probs)};
}

double classifierAccuracy(FeatureNet& net, const torch::Tensor& images, const torch::Tensor& labels) {
    FeatureOutputs f = extractFeatures(net, images);
    return f.probs.argmax(1).to(torch::kCPU).eq(labels.to(torch::kCPU)).to(torch::kFloat64).mean().item<double>();
}

torch::Tensor augmentImperceptibly(const torch::Tensor& images, const ImperceptibleAugmentation& a,
                                   at::Generator& gen) {
    const int64_t n = images.size(0);
    auto perImage = [&](double lo, double hi) {
        return (torch::rand({n, 1, 1, 1}, gen) * (hi - lo) + lo).to(images.device());
    };
    const torch::Tensor background = images.le(-1 + 1.0 / 255);
    torch::Tensor x = images + perImage(-a.maxBrightness, a.maxBrightness) +
                      background.to(images.scalar_type()) * perImage(0, a.maxBackground);
    x = x + torch::randn(images.sizes(), gen).to(images.device()) * perImage(0, a.maxNoiseSigma);
    x = x.clamp(-1, 1);
    const torch::Tensor rounded = torch::round((x + 1) * 127.5) / 127.5 - 1;
    return torch::where(perImage(0, 1).lt(a.roundShare), rounded, x);
}

double trainFeatureNet(FeatureNet& net, const ImageDataset& train, const ImageDataset& test,
                       const ClassifierTraining& settings, const torch::Device& device,
                       const std::function<void(int, double, double)>& onEpoch, const ProgressCallbacks& callbacks) {
    torch::manual_seed(settings.seed);
    net->to(device);
    torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(settings.learningRate));
    const int64_t n = train.images.size(0);
    const int64_t batches = (n + settings.batchSize - 1) / settings.batchSize;
    double accuracy = 0;
    for (int epoch = 0; epoch < settings.epochs; ++epoch) {
        net->train();
        auto gen = at::make_generator<at::CPUGeneratorImpl>(settings.seed * 7919 + epoch);
        torch::Tensor order = torch::randperm(n, gen, torch::kInt64);
        // Halve the learning rate for the last third of the epochs.
        const double lr = epoch >= settings.epochs * 2 / 3 ? settings.learningRate / 4 : settings.learningRate;
        for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
        double lossSum = 0;
        for (int64_t b = 0; b < batches; ++b) {
            if (callbacks.shouldCancel()) throw Cancelled();
            torch::Tensor idx = order.narrow(0, b * settings.batchSize, std::min<int64_t>(settings.batchSize, n - b * settings.batchSize));
            torch::Tensor x = train.images.index_select(0, idx);
            // Light augmentation: random shifts of up to 2 pixels.
            const auto shift = torch::randint(-2, 3, {2}, gen);
            x = torch::roll(x, {shift[0].item<int64_t>(), shift[1].item<int64_t>()}, {2, 3});
            const torch::Tensor labels = train.labels.index_select(0, idx).to(device);
            torch::Tensor loss;
            if (!settings.augment) {
                loss = torch::cross_entropy_loss(net->forward(x.to(device)), labels);
            } else {
                // One pass over clean and augmented copies (shared batch statistics).
                const torch::Tensor augmented = augmentImperceptibly(x, settings.augmentation, gen);
                const int64_t m = x.size(0);
                FeatureOutputs f = net->features(torch::cat({x, augmented}).to(device));
                const torch::Tensor logits = net->classify(f.pooled);
                loss = torch::cross_entropy_loss(logits, torch::cat({labels, labels}));
                if (settings.consistencyWeight > 0) {
                    const torch::Tensor clean = f.pooled.narrow(0, 0, m), noisy = f.pooled.narrow(0, m, m);
                    const torch::Tensor power = clean.detach().pow(2).sum(1).mean().clamp_min(1e-6);
                    loss = loss + settings.consistencyWeight * (noisy - clean).pow(2).sum(1).mean() / power;
                }
            }
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>();
            callbacks.report(static_cast<int>(epoch * batches + b + 1), static_cast<int>(settings.epochs * batches));
        }
        accuracy = classifierAccuracy(net, test.images, test.labels);
        if (onEpoch) onEpoch(epoch + 1, lossSum / batches, accuracy);
    }
    net->eval();
    return accuracy;
}

}  // namespace dq
