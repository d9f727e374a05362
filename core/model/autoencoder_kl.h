#pragma once
// diffusers' AutoencoderKL (Stable Diffusion's VAE): the encoder to a latent
// Gaussian (mean, log-variance) and the decoder back to pixels. Loads the
// `vae/` folder of a pipeline. Latents here are unscaled; the pipeline divides
// by `scaling_factor` before decoding, as diffusers' pipelines do.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/model/parameter_info.h"

namespace dq {

struct AutoencoderKLConfig {
    int inChannels = 3;
    int outChannels = 3;
    std::vector<int> blockOutChannels{64};  // DownEncoderBlock2D / UpDecoderBlock2D per entry
    int layersPerBlock = 1;
    int latentChannels = 4;
    int normNumGroups = 32;
    int sampleSize = 32;
    double scalingFactor = 0.18215;

    static AutoencoderKLConfig fromJson(const std::string& jsonText, const std::string& source);
    std::string toJson() const;
};

struct LatentDistribution {
    torch::Tensor mean;    // [B, latent, H/f, W/f]
    torch::Tensor logvar;  // clamped to [-30, 20] as diffusers does
};

struct AutoencoderNetwork;  // the module tree; defined in autoencoder_kl.cpp

class AutoencoderKL {
public:
    explicit AutoencoderKL(AutoencoderKLConfig config);
    ~AutoencoderKL();
    AutoencoderKL(AutoencoderKL&&) noexcept;
    AutoencoderKL& operator=(AutoencoderKL&&) noexcept;

    // Reads config.json and diffusion_pytorch_model.safetensors from `folder`.
    static AutoencoderKL load(const std::string& folder);

    // image [B, in, H, W] in [-1, 1] → the latent distribution (encoder, quant_conv).
    LatentDistribution encode(const torch::Tensor& image) const;
    // Unscaled latents [B, latent, h, w] → image [B, out, h·f, w·f] (post_quant_conv, decoder).
    torch::Tensor decode(const torch::Tensor& latents) const;
    // The spatial factor between image and latents: 2^(blocks − 1).
    int downsamplingFactor() const;

    // Writes config.json and diffusion_pytorch_model.safetensors (atomically).
    void save(const std::string& folder) const;
    void initializeRandom(uint64_t seed);
    std::map<std::string, torch::Tensor> stateDict() const;
    void loadStateDict(const std::map<std::string, torch::Tensor>& tensors, const std::string& source);
    std::vector<ParameterInfo> parameterInfos() const;
    int64_t parameterCount() const;
    void to(const torch::Device& device);
    torch::Device device() const;
    const AutoencoderKLConfig& config() const { return config_; }

private:
    AutoencoderKLConfig config_;
    std::unique_ptr<AutoencoderNetwork> net_;
};

}  // namespace dq
