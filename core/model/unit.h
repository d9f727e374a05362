#pragma once
// Reconstruction units: the pieces of the network that block reconstruction
// (BRECQ, Q-Diffusion) optimises one at a time. A unit is a ResnetBlock2D, an
// attention block (a transformer block in text-conditioned U-Nets), or any
// other Conv2d/Linear on its own. Every unit can be run alone on inputs that
// a UnitObserver captured during a full forward pass, and gives exactly the
// output it gave inside the network.
//
// UnitInputs carries what any unit of either U-Net needs: the feature map,
// the time embedding (resnets) and the conditioning states (cross-attention
// in UNet2DConditionModel), so the text-conditioned model fits the same
// interface.
#include <string>
#include <vector>

#include <torch/types.h>

namespace dq {

struct StepContext;

enum class UnitKind { Resnet, Attention, Transformer, Layer };
const char* unitKindName(UnitKind kind);

struct UnitInputs {
    torch::Tensor x;        // the unit's input feature map (or tokens)
    torch::Tensor temb;     // the raw time embedding (resnets apply SiLU themselves); else undefined
    torch::Tensor context;  // encoder hidden states for cross-attention; else undefined
};

struct UnitInfo {
    std::string name;                // the state-dict prefix, e.g. "up_blocks.1.resnets.2"
    UnitKind kind = UnitKind::Layer;
    std::vector<std::string> sites;  // its interception sites, in execution order
};

// Observes every unit's inputs and output during a forward pass.
class UnitObserver {
public:
    virtual ~UnitObserver() = default;
    virtual void onUnitInput(const UnitInfo& unit, const UnitInputs& inputs, const StepContext& step) {}
    virtual void onUnitOutput(const UnitInfo& unit, const torch::Tensor& output, const StepContext& step) {}
};

}  // namespace dq
