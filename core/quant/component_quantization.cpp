#include "core/quant/component_quantization.h"

#include <torch/torch.h>

#include "core/errors.h"

namespace dq {

bool isComponentWeight(const std::string& key, const torch::Tensor& value) {
    const std::string suffix = ".weight";
    if (key.size() <= suffix.size() || key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
    if (key.find("embedding") != std::string::npos) return false;  // token and position tables: lookups, not products
    return value.dim() == 2 || value.dim() == 4;
}

QuantizedComponent quantizeComponent(const std::string& name, const std::map<std::string, torch::Tensor>& stateDict,
                                     int bits, bool mseSearch) {
    integerRange(bits, false);  // rejects widths outside 2..16 with the shared message
    QuantizedComponent q;
    q.name = name;
    q.bits = bits;
    q.mseSearch = mseSearch;
    torch::NoGradGuard noGrad;
    for (const auto& [key, value] : stateDict) {
        if (!isComponentWeight(key, value)) continue;
        const torch::Tensor w = value.detach().to(torch::kCPU, torch::kFloat32).contiguous();
        const auto [lo, hi] = weightRanges(w, bits, /*symmetric=*/false, mseSearch);
        q.weights.emplace(key, quantizePerChannel(w, lo, hi, bits, /*symmetric=*/false));
    }
    if (q.weights.empty()) throw Error("The " + name + " has no Linear or Conv weight to quantize.");
    return q;
}

std::map<std::string, torch::Tensor> dequantizedStateDict(const std::map<std::string, torch::Tensor>& fp,
                                                          const QuantizedComponent& component) {
    std::map<std::string, torch::Tensor> out = fp;
    for (const auto& [key, q] : component.weights) {
        const auto it = out.find(key);
        if (it == out.end() || it->second.sizes() != q.q.sizes())
            throw Error("The quantized " + component.name + " weight '" + key + "' does not match the model's " +
                        component.name + "; it was made for another pipeline.");
        it->second = dequantize(q).to(it->second.device(), it->second.scalar_type());
    }
    return out;
}

const QuantizedComponent* QuantizedComponents::find(const std::string& name) const {
    for (const QuantizedComponent& c : parts)
        if (c.name == name) return &c;
    return nullptr;
}

int QuantizedComponents::bitsOf(const std::string& name) const {
    const QuantizedComponent* c = find(name);
    return c ? c->bits : 0;
}

}  // namespace dq
