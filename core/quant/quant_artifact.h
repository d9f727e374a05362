#pragma once
// The quantized-model artifact: a folder with quantized_model.json (format,
// plan, calibration settings, every activation grid, the FP model it belongs
// to) and quantized_weights.safetensors (really packed integer weights with
// their per-channel scales and zero points). Biases, norms and embeddings stay
// in the referenced FP model, so a W4 artifact is several times smaller than
// the FP weights (4.4 MB → 0.65 MB for the shipped model; the grids in the
// JSON take the rest). The JSON records a content hash of the weights file
// and of the FP weights, so damaged or mismatched files are rejected.
#include <cstdint>
#include <string>

#include "core/pipeline/diffusion_pipeline.h"
#include "core/quant/quantized_unet.h"

namespace dq {

struct ArtifactSizes {
    uint64_t artifactBytes = 0;   // both files of the artifact
    uint64_t fpWeightsBytes = 0;  // the FP denoiser's diffusion_pytorch_model.safetensors
};

// Writes the artifact atomically (each file). `calibrationJson` is stored as is
// (an object). Returns the sizes on disk.
ArtifactSizes saveQuantizedModel(const std::string& folder, const QuantizedUNet& quantized,
                                 const std::string& fpFolder, const std::string& calibrationJson);

struct LoadedQuantizedModel {
    DiffusionPipeline fp;
    QuantizedUNet quantized;
    std::string fpFolder;
    std::string calibrationJson;
    ArtifactSizes sizes;
};

// Loads the artifact and its FP model: `fpFolderOverride` if given, else the
// recorded folder, else the default model, whichever holds the same weights
// (content hash). Damaged files and plans that do not match the model are
// rejected naming the file and site.
LoadedQuantizedModel loadQuantizedModel(const std::string& folder, const std::string& fpFolderOverride = {});

// The calibration record an artifact stores (a JSON object; "{}" when it has none).
std::string readCalibrationRecord(const std::string& folder);

// The artifact's quantization state for an already loaded FP model.
QuantizedUNet loadQuantizedState(const std::string& folder, const Denoiser& model);

// The integer weights of a pipeline's text encoder and VAE when the artifact
// quantized them (empty otherwise); DiffusionPipeline::attachComponents makes
// them usable.
std::vector<QuantizedComponent> loadQuantizedComponents(const std::string& folder);

}  // namespace dq
