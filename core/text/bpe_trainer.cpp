#include "core/text/bpe_trainer.h"

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/text/clip_text_rules.h"
#include "core/text/unicode_text.h"

namespace dq {

namespace {

// A word as BPE sees it: one symbol per code point of its byte-mapped form,
// the last one marked as the word's end.
std::vector<std::string> symbolsOf(const std::string& piece) {
    const std::u32string chars = text::decodeUtf8(piece);
    std::vector<std::string> symbols;
    for (std::size_t i = 0; i < chars.size(); ++i)
        symbols.push_back(text::encodeUtf8(chars[i]) + (i + 1 == chars.size() ? "</w>" : ""));
    return symbols;
}

}  // namespace

std::vector<BpeMerge> learnBpeMerges(const std::vector<std::string>& texts, int maxMerges) {
    if (maxMerges < 0) throw Error("The number of BPE merges must not be negative.");
    const std::string start = text::encodeUtf8(text::kClipStart), end = text::encodeUtf8(text::kClipEnd);
    std::map<std::string, int64_t> counts;
    for (const std::string& t : texts)
        for (const std::string& piece : text::clipPieces(t))
            if (piece != start && piece != end) ++counts[piece];
    std::vector<std::pair<std::vector<std::string>, int64_t>> words;
    for (const auto& [piece, count] : counts) words.emplace_back(symbolsOf(piece), count);

    std::vector<BpeMerge> merges;
    while (static_cast<int>(merges.size()) < maxMerges) {
        std::map<BpeMerge, int64_t> pairs;  // ordered: the first of equal counts is the smallest pair
        for (const auto& [symbols, count] : words)
            for (std::size_t i = 0; i + 1 < symbols.size(); ++i) pairs[{symbols[i], symbols[i + 1]}] += count;
        const BpeMerge* best = nullptr;
        int64_t bestCount = 1;  // a pair must occur at least twice to be worth a symbol
        for (const auto& [pair, count] : pairs)
            if (count > bestCount) {
                best = &pair;
                bestCount = count;
            }
        if (!best) break;
        const BpeMerge merge = *best;
        merges.push_back(merge);
        // Merge every occurrence, left to right, as the tokenizer will.
        for (auto& [symbols, count] : words) {
            std::vector<std::string> merged;
            for (std::size_t i = 0; i < symbols.size();) {
                if (i + 1 < symbols.size() && symbols[i] == merge.first && symbols[i + 1] == merge.second) {
                    merged.push_back(merge.first + merge.second);
                    i += 2;
                } else {
                    merged.push_back(symbols[i++]);
                }
            }
            symbols = std::move(merged);
        }
    }
    return merges;
}

int64_t writeClipTokenizer(const std::string& folder, const std::vector<BpeMerge>& merges, int maxLength) {
    if (maxLength < 3 || maxLength > 4096) throw Error("A tokenizer's maximum length must be 3 to 4096 tokens.");
    nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
    int64_t next = 0;
    auto add = [&](const std::string& token) {
        if (!vocab.contains(token)) vocab[token] = next++;
    };
    const std::vector<char32_t> bytes = text::clipByteSymbolsInVocabularyOrder();
    for (char32_t b : bytes) add(text::encodeUtf8(b));
    for (char32_t b : bytes) add(text::encodeUtf8(b) + "</w>");
    // Two merges can spell the same token ("a"+"bc", "ab"+"c"); it keeps its first id.
    for (const BpeMerge& m : merges) add(m.first + m.second);
    add(text::encodeUtf8(text::kClipStart));
    add(text::encodeUtf8(text::kClipEnd));

    std::ostringstream mergesText;
    mergesText << "#version: 0.2\n";
    for (const BpeMerge& m : merges) mergesText << m.first << ' ' << m.second << '\n';
    const nlohmann::ordered_json config = {{"model_max_length", maxLength},
                                           {"bos_token", text::encodeUtf8(text::kClipStart)},
                                           {"eos_token", text::encodeUtf8(text::kClipEnd)},
                                           {"pad_token", text::encodeUtf8(text::kClipEnd)},
                                           {"unk_token", text::encodeUtf8(text::kClipEnd)},
                                           {"do_lower_case", true},
                                           {"tokenizer_class", "CLIPTokenizer"}};
    std::filesystem::create_directories(folder);
    writeTextFileAtomically(folder + "/vocab.json", vocab.dump());
    writeTextFileAtomically(folder + "/merges.txt", mergesText.str());
    writeTextFileAtomically(folder + "/tokenizer_config.json", config.dump(2) + "\n");
    return next;
}

}  // namespace dq
