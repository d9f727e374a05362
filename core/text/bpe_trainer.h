#pragma once
// Learns a small byte-level BPE vocabulary from a corpus and writes it in
// Hugging Face CLIPTokenizer's layout (vocab.json, merges.txt,
// tokenizer_config.json), so that ClipTokenizer, transformers and OpenAI's
// simple_tokenizer.py all read it. The shipped text-to-image model's captions
// need a few hundred merges, where CLIP's own vocabulary has 48,894.
//
// Text is split exactly as the tokenizer splits it (clip_text_rules.h), and
// the vocabulary is laid out as CLIP's: the 256 byte symbols, the same with
// "</w>", one entry per merge, then <|startoftext|> and <|endoftext|>.
#include <string>
#include <utility>
#include <vector>

namespace dq {

using BpeMerge = std::pair<std::string, std::string>;

// Greedy BPE: repeatedly merges the adjacent symbol pair that occurs most
// often (weighted by word frequency; ties broken by the pair's bytes, so the
// result is deterministic) until `maxMerges` merges or no pair occurs twice.
std::vector<BpeMerge> learnBpeMerges(const std::vector<std::string>& texts, int maxMerges);

// Writes the tokenizer folder (atomically, file by file); returns the
// vocabulary size, which a text encoder's vocab_size must cover.
int64_t writeClipTokenizer(const std::string& folder, const std::vector<BpeMerge>& merges, int maxLength = 77);

}  // namespace dq
