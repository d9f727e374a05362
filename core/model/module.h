#pragma once
// The module tree. Each piece of a network (a layer, a ResNet block, an
// attention block, a down block, the network itself) is a Module that declares
// its children, its parameters and its own interception sites under local
// names, in state-dict order. Everything that used to be written out by hand
// per block is derived from that declaration by walking the tree, the way
// LibTorch's nn::Module and stable-diffusion.cpp's block tree derive it:
//   - state-dict keys: the path of names from the root ("up_blocks.1.resnets.2.conv1.weight");
//   - the parameter list, in declaration order (initialisation and checkpoints use it);
//   - interception sites, in execution order (declaration order unless a module
//     says otherwise, see setExecutionOrder);
//   - reconstruction units: modules marked as units (ResNet and attention
//     blocks, transformer blocks later), plus every weighted layer that is not
//     inside one.
// The forward passes stay ordinary code in each module.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/model/interceptor.h"
#include "core/model/parameter_info.h"

namespace dq {

// A parameter and where its tensor lives (a member of its module).
struct ParameterSlot {
    ParameterInfo info;
    torch::Tensor* tensor = nullptr;
};

// A reconstruction unit and how to run it alone, with the caller's interception
// state, so quantizers apply as they would inside the network.
struct UnitRunner {
    const UnitInfo* info = nullptr;
    std::function<torch::Tensor(const UnitInputs&, const InterceptionState&)> run;
};

// Runs units[index] alone with `state` (its unit observer removed: units do
// not nest); an index past the end is named. Shared by every network's runUnit.
torch::Tensor runUnitAlone(const std::vector<UnitRunner>& units, std::size_t index, const UnitInputs& inputs,
                           InterceptionState state);

class Module {
public:
    virtual ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    // The state-dict prefix of this module ("" for the root), valid after nameTree().
    const std::string& path() const { return path_; }
    // The block this module belongs to: the path of the root's child that
    // contains it ("down_blocks.1", "time_embedding", "conv_in").
    const std::string& block() const { return block_; }

    // Called once on the root after construction: assigns every path, site
    // name and block, then lets each module finish what depends on them.
    void nameTree();

    // Tree walks (after nameTree).
    void collectParameters(std::vector<ParameterSlot>& out) const;
    void collectSites(std::vector<SiteInfo*>& out);
    // Units in execution order. Marks weighted layers outside any unit as
    // standalone units, so call it once on the root.
    void collectUnits(std::vector<UnitRunner>& out);

    // This module as a reconstruction unit, or nullptr.
    const UnitInfo* unit() const { return unit_ ? &*unit_ : nullptr; }

    // An older diffusers name of this module, under the same parent: its
    // parameters are then also found under that prefix when loading (the
    // attention projections were `query`, `key`, `value`, `proj_attn`).
    void setLegacyName(std::string localName) { legacyName_ = std::move(localName); }

protected:
    Module() = default;

    // Children are owned by their parent and never move, so a parent keeps
    // plain pointers to them and the tree can point at their tensors.
    template <class M, class... Args>
    M* addChild(const std::string& name, Args&&... args) {
        auto child = std::make_unique<M>(std::forward<Args>(args)...);
        M* raw = child.get();
        addOwnedChild(name, std::move(child));
        return raw;
    }
    // The same for a child built elsewhere (by a factory the block was given).
    template <class M>
    M* adoptChild(const std::string& name, std::unique_ptr<M> child) {
        M* raw = child.get();
        addOwnedChild(name, std::move(child));
        return raw;
    }
    void addParameter(const std::string& name, torch::Tensor* tensor, std::vector<int64_t> shape, InitKind init,
                      int64_t fanIn = 1, const std::string& legacyName = {});
    // An interception site of this module itself: an attention operand (its
    // name becomes path + "." + localName), or with an empty local name the
    // module's own site (a weighted layer's, named by the layer's path).
    void addSite(const std::string& localName, SiteInfo* site);
    // Sites and units are walked in declaration order, except that the entries
    // named here come first, in this order (e.g. the root embeds the timestep
    // before it runs conv_in, but diffusers declares conv_in first).
    void setExecutionOrder(std::vector<std::string> firstNames) { executionFirst_ = std::move(firstNames); }
    // Declares this module a reconstruction unit; runUnit must then be overridden.
    void makeUnit(UnitKind kind) { unitKind_ = kind; }
    // Runs this unit alone on captured inputs (units only).
    virtual torch::Tensor runUnit(const UnitInputs& inputs, const InterceptionState& state) const;
    // Runs `compute` with the unit observer told about this unit's input and
    // output, if this module is a unit and an observer is installed. Inside,
    // the observer is removed: units do not nest.
    torch::Tensor observeUnit(const InterceptionState& state, const UnitInputs& inputs,
                              const std::function<torch::Tensor(const InterceptionState&)>& compute) const;
    // Hook for what depends on names (called by nameTree after this subtree is named).
    virtual void onNamed() {}
    // Weighted layers become standalone units when no enclosing unit exists.
    virtual bool isWeightedLayer() const { return false; }

private:
    struct Entry {
        std::string name;
        Module* child = nullptr;            // a child module, or
        std::optional<ParameterSlot> parameter;  // a parameter (local name in info.name), or
        SiteInfo* site = nullptr;           // an own site
    };
    void addOwnedChild(const std::string& name, std::unique_ptr<Module> child);
    void nameSubtree(const std::string& path, const std::string& legacyPath, const std::string& block, bool isRoot);
    void collectParametersInto(std::vector<ParameterSlot>& out) const;
    std::vector<const Entry*> executionOrder() const;
    void collectUnitsInto(std::vector<UnitRunner>& out);

    std::vector<Entry> entries_;
    std::vector<std::unique_ptr<Module>> owned_;
    std::vector<std::string> executionFirst_;
    std::string path_;
    std::string block_;
    std::string legacyName_;
    std::optional<UnitKind> unitKind_;
    std::optional<UnitInfo> unit_;
};

}  // namespace dq
