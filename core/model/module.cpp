#include "core/model/module.h"

#include <algorithm>

#include "core/errors.h"

namespace dq {

namespace {
std::string join(const std::string& prefix, const std::string& name) { return prefix.empty() ? name : prefix + "." + name; }
}  // namespace

torch::Tensor runUnitAlone(const std::vector<UnitRunner>& units, std::size_t index, const UnitInputs& inputs,
                           InterceptionState state) {
    if (index >= units.size())
        throw Error("There is no reconstruction unit " + std::to_string(index) + " (the model has " +
                    std::to_string(units.size()) + ").");
    state.unitObserver = nullptr;
    return units[index].run(inputs, state);
}

Module::~Module() = default;

void Module::addOwnedChild(const std::string& name, std::unique_ptr<Module> child) {
    Entry entry;
    entry.name = name;
    entry.child = child.get();
    entries_.push_back(std::move(entry));
    owned_.push_back(std::move(child));
}

void Module::addParameter(const std::string& name, torch::Tensor* tensor, std::vector<int64_t> shape, InitKind init,
                          int64_t fanIn, const std::string& legacyName) {
    Entry entry;
    entry.name = name;
    entry.parameter = ParameterSlot{ParameterInfo{name, legacyName, std::move(shape), init, fanIn}, tensor};
    entries_.push_back(std::move(entry));
}

void Module::addSite(const std::string& localName, SiteInfo* site) {
    Entry entry;
    entry.name = localName;
    entry.site = site;
    entries_.push_back(std::move(entry));
}

void Module::nameTree() { nameSubtree("", "", "", true); }

void Module::nameSubtree(const std::string& path, const std::string& legacyPath, const std::string& block, bool isRoot) {
    path_ = path;
    block_ = block;
    for (Entry& e : entries_) {
        if (e.child) {
            const std::string childPath = join(path, e.name);
            const std::string childLegacy = e.child->legacyName_.empty() ? "" : join(path, e.child->legacyName_);
            // The root's children are the blocks ("down_blocks.1" is one child name).
            e.child->nameSubtree(childPath, childLegacy, isRoot ? childPath : block, false);
        } else if (e.parameter) {
            e.parameter->info.name = join(path, e.name);
            if (!legacyPath.empty()) e.parameter->info.legacyName = join(legacyPath, e.name);
        } else if (e.site) {
            e.site->name = e.name.empty() ? path : join(path, e.name);  // "": the module's own site
            e.site->block = block;
        }
    }
    onNamed();
    if (unitKind_) {
        unit_ = UnitInfo{path_, *unitKind_, {}};
        std::vector<SiteInfo*> sites;
        collectSites(sites);
        for (const SiteInfo* s : sites) unit_->sites.push_back(s->name);
    }
}

void Module::collectParameters(std::vector<ParameterSlot>& out) const { collectParametersInto(out); }

void Module::collectParametersInto(std::vector<ParameterSlot>& out) const {
    for (const Entry& e : entries_) {
        if (e.child) e.child->collectParametersInto(out);
        else if (e.parameter) out.push_back(*e.parameter);
    }
}

std::vector<const Module::Entry*> Module::executionOrder() const {
    std::vector<const Entry*> order;
    for (const std::string& name : executionFirst_)
        for (const Entry& e : entries_)
            if (e.name == name) order.push_back(&e);
    for (const Entry& e : entries_)
        if (std::find(executionFirst_.begin(), executionFirst_.end(), e.name) == executionFirst_.end()) order.push_back(&e);
    return order;
}

void Module::collectSites(std::vector<SiteInfo*>& out) {
    for (const Entry* e : executionOrder()) {
        if (e->child) e->child->collectSites(out);
        else if (e->site) out.push_back(e->site);
    }
}

void Module::collectUnits(std::vector<UnitRunner>& out) { collectUnitsInto(out); }

void Module::collectUnitsInto(std::vector<UnitRunner>& out) {
    if (!unitKind_ && isWeightedLayer()) {
        // A layer outside every unit is a unit of its own (conv_in, the
        // embedding linears, the samplers, conv_out).
        std::vector<SiteInfo*> sites;
        collectSites(sites);
        unitKind_ = UnitKind::Layer;
        unit_ = UnitInfo{path_, UnitKind::Layer, {}};
        for (const SiteInfo* s : sites) unit_->sites.push_back(s->name);
    }
    if (unit_) {
        out.push_back({&*unit_, [this](const UnitInputs& in, const InterceptionState& state) { return runUnit(in, state); }});
        return;
    }
    for (const Entry* e : executionOrder())
        if (e->child) e->child->collectUnitsInto(out);
}

torch::Tensor Module::runUnit(const UnitInputs&, const InterceptionState&) const {
    throw Error("'" + path_ + "' is not a reconstruction unit.");
}

torch::Tensor Module::observeUnit(const InterceptionState& state, const UnitInputs& inputs,
                                  const std::function<torch::Tensor(const InterceptionState&)>& compute) const {
    if (!state.unitObserver || !unit_) return compute(state);
    notifyUnitInput(state, *unit_, inputs);
    InterceptionState inner = state;
    inner.unitObserver = nullptr;
    torch::Tensor out = compute(inner);
    notifyUnitOutput(state, *unit_, out);
    return out;
}

}  // namespace dq
