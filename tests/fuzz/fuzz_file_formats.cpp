// libFuzzer targets for the files users hand-edit and exchange: the model
// config, the scheduler config, the training config, the quantization plan,
// the quantized model's record, IDX headers and the layout of calibration
// data files. One source, one target per file kind (DQ_FUZZ_KIND).
// Any input must either parse or throw dq::Error with a one-line message;
// never crash, hang, allocate without bound or throw anything else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/errors.h"
#include "core/io/idx_format.h"
#include "core/model/unet_config.h"
#include "core/quant/artifact_record.h"
#include "core/quant/calibration_data_format.h"
#include "core/io/safetensors_format.h"
#include "core/quant/quant_plan.h"
#include "core/sampling/scheduler_config.h"
#include "core/training/train_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
#if DQ_FUZZ_KIND == 1
        const dq::UNetConfig c = dq::UNetConfig::fromJson(text, "config.json");
        // What a successful parse promises the model builder.
        if (c.blockOutChannels.empty() || c.sampleSize < 1 || c.minimumParameterCount() <= 0) __builtin_trap();
        (void)dq::UNetConfig::fromJson(c.toJson(), "round-trip");
#elif DQ_FUZZ_KIND == 2
        const dq::SchedulerConfig c = dq::SchedulerConfig::fromJson(text, "scheduler_config.json");
        if (!(c.betaStart > 0 && c.betaEnd < 1) || c.numTrainTimesteps < 2) __builtin_trap();
        (void)dq::SchedulerConfig::fromJson(c.toJson(), "round-trip");
#elif DQ_FUZZ_KIND == 3
        const dq::TrainConfig c = dq::TrainConfig::fromJson(text, "train.json");
        if (c.train.steps < 1 || c.train.batchSize < 1) __builtin_trap();
#elif DQ_FUZZ_KIND == 5
        const dq::ArtifactRecord record = dq::parseArtifactRecord(text, "quantized_model.json");
        for (const dq::SiteRecord& site : record.sites)
            for (const dq::ActivationPartRecord& part : site.activation)
                for (const dq::GridRecord& grid : part.grids)
                    if (!(grid.scale > 0) || grid.bits < 2 || grid.bits > 16) __builtin_trap();
#elif DQ_FUZZ_KIND == 6
        // The first byte picks the dimension count the caller expects (1 or 3, as for labels and images).
        if (size == 0) return 0;
        const dq::idx::Header header = dq::idx::parseHeader(data + 1, size - 1, (data[0] & 1) ? 3 : 1, "idx");
        if (header.dataOffset + static_cast<std::size_t>(header.count) != size - 1) __builtin_trap();
#elif DQ_FUZZ_KIND == 7
        const dq::safetensors::Header header = dq::safetensors::parseFile(data, size, "cali.safetensors");
        const dq::CalibrationDataLayout layout = dq::checkCalibrationDataLayout(header, "cali.safetensors");
        if (layout.pairs < 1 || layout.trajectorySteps < 1) __builtin_trap();
#else
        const dq::QuantPlan plan = dq::QuantPlan::fromJson(text, "plan.json");
        (void)dq::QuantPlan::fromJson(plan.toJson(), "round-trip");
#endif
    } catch (const dq::Error& e) {
        for (const char* p = e.what(); *p; ++p)
            if (*p == '\n') __builtin_trap();  // messages are one line
    }
    return 0;
}
