#pragma once
// Full-precision samples kept between evaluations. Scoring a quantized model
// samples every batch twice, FP and quantized, from the same noise; comparing
// several quantized models of one FP model on the same seeds (a results table,
// a bit-width sweep) would sample the same FP images again for each. The cache
// keeps them in one safetensors file, per batch, under the identity of
// everything they depend on, so that each FP batch is sampled once.
#include <cstdint>
#include <map>
#include <string>

#include <torch/types.h>

namespace dq {

// One cached batch: the FP images ([n,C,H,W] in [-1,1], CPU) and, for
// class-conditional models, the classes they were generated for.
struct CachedFpBatch {
    torch::Tensor images;
    torch::Tensor labels;  // [n] int64, or undefined
};

class FpSampleCache {
public:
    // Opens `path` for FP samples of the run `identity` describes (model
    // content, sampler settings, batch size, device, ...). A missing file is an
    // empty cache; a cache made for another identity is ignored and replaced on
    // save(). A file that is not an FP sample cache is refused with a
    // dq::Error, so a mistyped path never overwrites a model or a dataset.
    FpSampleCache(std::string path, std::map<std::string, std::string> identity);

    // The batch `batch` of the sample set `set` (e.g. a prompt set), if it is
    // cached with `count` images; otherwise nothing (images undefined).
    CachedFpBatch find(const std::string& set, int batch, int64_t count);
    void add(const std::string& set, int batch, const CachedFpBatch& entry);

    // Writes the cache atomically when batches were added, keeping batches of
    // the same identity that another run (e.g. a parallel shard) saved meanwhile.
    void save();

    const std::string& path() const { return path_; }
    int hits() const { return hits_; }    // batches find() returned
    int added() const { return added_; }  // batches add() stored

private:
    // Reads `path_` when it is a cache of `identity_`; returns its tensors (empty otherwise).
    std::map<std::string, torch::Tensor> readMatching() const;

    std::string path_;
    std::map<std::string, std::string> identity_;
    std::map<std::string, torch::Tensor> tensors_;  // "<set>/<batch>/images" and ".../labels"
    int hits_ = 0;
    int added_ = 0;
    bool dirty_ = false;  // added since the last save
};

}  // namespace dq
