#pragma once
// A randomly initialised text-to-image pipeline folder from a template that
// holds only configurations (model_index.json, unet/, vae/ and text_encoder/
// config.json, scheduler/, tokenizer/): for benchmarks at real scale (a
// Stable Diffusion 1.5 configuration) where no hub can be reached, and for
// tests.
#include <cstdint>
#include <string>

namespace dq {

// Writes `out` (which must not exist yet) from `templateFolder`: the index,
// scheduler and tokenizer files copied, each network initialised from `seed`
// (seed, seed + 1, seed + 2 for U-Net, VAE and text encoder) and saved as
// diffusers and transformers do. Returns the number of parameters written.
int64_t writeRandomPipeline(const std::string& templateFolder, const std::string& out, uint64_t seed);

}  // namespace dq
