#include "core/metrics/fp_sample_cache.h"

#include <filesystem>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/safetensors.h"

namespace dq {

namespace {
// Marks the file as ours: only such files are ever replaced.
constexpr const char* kFormatKey = "format";
constexpr const char* kFormat = "diffquant-fp-sample-cache-1";
// Identity entries are stored as metadata under this prefix.
constexpr const char* kIdentityPrefix = "identity.";

std::string key(const std::string& set, int batch, const char* part) {
    return set + "/" + std::to_string(batch) + "/" + part;
}
}  // namespace

FpSampleCache::FpSampleCache(std::string path, std::map<std::string, std::string> identity)
    : path_(std::move(path)), identity_(std::move(identity)) {
    tensors_ = readMatching();
}

std::map<std::string, torch::Tensor> FpSampleCache::readMatching() const {
    if (!std::filesystem::exists(path_)) return {};
    TensorFile file;
    try {
        file = loadSafetensors(path_);
    } catch (const Error& e) {
        throw Error("--fp-cache '" + path_ + "' exists but is not an FP sample cache (" + e.what() +
                    "); pass a new file name, or delete the file if it is a damaged cache.");
    }
    const auto format = file.metadata.find(kFormatKey);
    if (format == file.metadata.end() || format->second != kFormat)
        throw Error("--fp-cache '" + path_ +
                    "' exists but is not an FP sample cache made by diffquant eval; pass a new file name.");
    std::map<std::string, std::string> stored;
    for (const auto& [k, v] : file.metadata)
        if (k.rfind(kIdentityPrefix, 0) == 0) stored[k.substr(std::string(kIdentityPrefix).size())] = v;
    if (stored != identity_) return {};  // another model or other settings: not these samples
    std::map<std::string, torch::Tensor> tensors;
    // Copies: the loaded tensors may share the file's mapping, which save() replaces.
    for (const auto& [k, t] : file.tensors) tensors[k] = t.clone();
    return tensors;
}

CachedFpBatch FpSampleCache::find(const std::string& set, int batch, int64_t count) {
    const auto images = tensors_.find(key(set, batch, "images"));
    if (images == tensors_.end() || images->second.dim() < 1 || images->second.size(0) != count) return {};
    CachedFpBatch entry{images->second, {}};
    const auto labels = tensors_.find(key(set, batch, "labels"));
    if (labels != tensors_.end()) entry.labels = labels->second;
    ++hits_;
    return entry;
}

void FpSampleCache::add(const std::string& set, int batch, const CachedFpBatch& entry) {
    tensors_[key(set, batch, "images")] = entry.images.to(torch::kCPU).contiguous();
    if (entry.labels.defined()) tensors_[key(set, batch, "labels")] = entry.labels.to(torch::kCPU).contiguous();
    ++added_;
    dirty_ = true;
}

void FpSampleCache::save() {
    if (!dirty_) return;
    // Batches a parallel run saved since we opened the file are kept; ours win on overlap.
    std::map<std::string, torch::Tensor> merged = readMatching();
    for (const auto& [k, t] : tensors_) merged[k] = t;
    std::map<std::string, std::string> metadata{{kFormatKey, kFormat}};
    for (const auto& [k, v] : identity_) metadata[kIdentityPrefix + k] = v;
    saveSafetensors(path_, merged, metadata);
    tensors_ = std::move(merged);
    dirty_ = false;
}

}  // namespace dq
