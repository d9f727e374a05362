#pragma once
// Defaults that depend on the kind of model, applied to a preset's options by
// every front end (the session for the CLI, the explorer's plan editor).
#include "core/quant/quant_plan.h"

namespace dq {

// Text-to-image models keep the attention probabilities at 16 bits, as
// Q-Diffusion does for Stable Diffusion (their softmax outputs are too peaked
// for 8-bit grids), unless the options give a softmax width.
inline PresetOptions presetOptionsForModel(PresetOptions options, bool textToImage) {
    if (textToImage && options.softmaxBits == 0) options.softmaxBits = 16;
    return options;
}

}  // namespace dq
