#pragma once
// CLIP's tokenizer, as OpenAI's simple_tokenizer.py computes it, from a
// pipeline's tokenizer/ folder (Hugging Face CLIPTokenizer's vocab.json and
// merges.txt): ftfy's text fixes (text_fixer.h) and HTML unescaping,
// whitespace clean-up, lower-casing, CLIP's pre-tokenisation pattern,
// byte-level BPE (any Unicode is representable), then <|startoftext|> …
// <|endoftext|>, truncated and padded to 77.
//
// Not reproduced: ftfy's mojibake repair (text that is already mojibake, such
// as "cafÃ©", tokenizes as written; see text_fixer.h).
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace dq {

class ClipTokenizer {
public:
    // Reads vocab.json, merges.txt and, if present, tokenizer_config.json
    // (model_max_length, pad_token). Missing files or tokens are named.
    static ClipTokenizer load(const std::string& folder);

    // The BPE ids of `text`, without start/end tokens (simple_tokenizer's encode).
    std::vector<int64_t> encode(const std::string& text) const;
    // What a pipeline feeds the text encoder: start, at most maxLength − 2
    // tokens, end, then padding to maxLength.
    std::vector<int64_t> tokenize(const std::string& text) const;

    int maxLength() const { return maxLength_; }
    int64_t startToken() const { return start_; }
    int64_t endToken() const { return end_; }
    int64_t padToken() const { return pad_; }
    std::size_t vocabularySize() const { return vocab_.size(); }

private:
    std::vector<std::string> bpe(const std::string& token) const;

    std::unordered_map<std::string, int64_t> vocab_;
    std::map<std::pair<std::string, std::string>, int> ranks_;
    // BPE results by pre-token; guarded, so one tokenizer can serve several threads.
    mutable std::unordered_map<std::string, std::vector<std::string>> cache_;
    mutable std::unique_ptr<std::mutex> cacheMutex_ = std::make_unique<std::mutex>();
    int maxLength_ = 77;
    int64_t start_ = 0, end_ = 0, pad_ = 0;
};

}  // namespace dq
