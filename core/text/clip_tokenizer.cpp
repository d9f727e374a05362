#include "core/text/clip_tokenizer.h"

#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/text/clip_text_rules.h"
#include "core/text/unicode_text.h"
#include "core/validation/bounded_json.h"

namespace dq {

namespace {

nlohmann::json readJson(const std::string& path) {
    return parseBoundedJson(readTextFile(path), "Tokenizer file '" + path + "'");
}

}  // namespace

ClipTokenizer ClipTokenizer::load(const std::string& folder) {
    ClipTokenizer t;
    const std::string vocabPath = folder + "/vocab.json", mergesPath = folder + "/merges.txt";
    const nlohmann::json vocab = readJson(vocabPath);
    if (!vocab.is_object() || vocab.empty()) throw Error("'" + vocabPath + "' must be a JSON object of token → id.");
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        if (!it->is_number_integer()) throw Error("'" + vocabPath + "': token '" + it.key() + "' has no integer id.");
        t.vocab_[it.key()] = it->get<int64_t>();
    }
    std::istringstream merges(readTextFile(mergesPath));
    std::string line;
    int rank = 0, lineNumber = 0;
    while (std::getline(merges, line)) {
        ++lineNumber;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || (lineNumber == 1 && line.rfind("#version", 0) == 0)) continue;
        const std::size_t space = line.find(' ');
        if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
            throw Error("'" + mergesPath + "' line " + std::to_string(lineNumber) + " is not a pair of symbols.");
        t.ranks_.emplace(std::make_pair(line.substr(0, space), line.substr(space + 1)), rank++);
    }
    // Special tokens and lengths from tokenizer_config.json when present
    // (SD 2.x pads with "!", SD 1.x with <|endoftext|>).
    std::string padText = text::encodeUtf8(text::kClipEnd);
    const std::string configPath = folder + "/tokenizer_config.json";
    if (std::filesystem::exists(configPath)) {
        const nlohmann::json config = readJson(configPath);
        if (auto it = config.find("model_max_length"); it != config.end() && it->is_number_integer()) {
            const int64_t length = it->get<int64_t>();
            // Hugging Face writes a huge sentinel when unset; CLIP's context is 77.
            t.maxLength_ = length >= 3 && length <= 4096 ? int(length) : 77;
        }
        if (auto it = config.find("pad_token"); it != config.end()) {
            if (it->is_string()) padText = it->get<std::string>();
            else if (it->is_object() && it->contains("content") && (*it)["content"].is_string())
                padText = (*it)["content"].get<std::string>();
        }
    }
    auto idOf = [&](const std::string& token, const char* role) {
        auto it = t.vocab_.find(token);
        if (it == t.vocab_.end())
            throw Error("'" + vocabPath + "' has no " + role + " token '" + token + "'; this is not a CLIP vocabulary.");
        return it->second;
    };
    t.start_ = idOf(text::encodeUtf8(text::kClipStart), "start");
    t.end_ = idOf(text::encodeUtf8(text::kClipEnd), "end");
    t.pad_ = idOf(padText, "padding");
    return t;
}

std::vector<std::string> ClipTokenizer::bpe(const std::string& token) const {
    {
        std::lock_guard<std::mutex> lock(*cacheMutex_);
        if (auto it = cache_.find(token); it != cache_.end()) return it->second;
    }
    // Symbols: one per (byte-mapped) character, the last marked as a word end.
    const std::u32string chars = text::decodeUtf8(token);
    std::vector<std::string> word;
    for (std::size_t i = 0; i < chars.size(); ++i) word.push_back(text::encodeUtf8(chars[i]) + (i + 1 == chars.size() ? "</w>" : ""));
    while (word.size() > 1) {
        // The adjacent pair with the lowest merge rank; none left: done.
        int best = -1;
        std::pair<std::string, std::string> bestPair;
        for (std::size_t i = 0; i + 1 < word.size(); ++i) {
            auto it = ranks_.find({word[i], word[i + 1]});
            if (it != ranks_.end() && (best < 0 || it->second < best)) {
                best = it->second;
                bestPair = it->first;
            }
        }
        if (best < 0) break;
        // Merge every occurrence, left to right, as the reference does.
        std::vector<std::string> merged;
        for (std::size_t i = 0; i < word.size();) {
            if (i + 1 < word.size() && word[i] == bestPair.first && word[i + 1] == bestPair.second) {
                merged.push_back(word[i] + word[i + 1]);
                i += 2;
            } else {
                merged.push_back(word[i++]);
            }
        }
        word = std::move(merged);
    }
    std::lock_guard<std::mutex> lock(*cacheMutex_);
    cache_.emplace(token, word);
    return word;
}

std::vector<int64_t> ClipTokenizer::encode(const std::string& input) const {
    std::vector<int64_t> ids;
    const std::string start = text::encodeUtf8(text::kClipStart), end = text::encodeUtf8(text::kClipEnd);
    for (const std::string& piece : text::clipPieces(input)) {
        if (piece == start || piece == end) {
            ids.push_back(piece == start ? start_ : end_);
            continue;
        }
        for (const std::string& symbol : bpe(piece)) {
            auto it = vocab_.find(symbol);
            if (it == vocab_.end()) throw Error("The tokenizer's vocab.json lacks the symbol '" + symbol +
                                                     "' that its merges.txt produces; the two files do not belong together.");
            ids.push_back(it->second);
        }
    }
    return ids;
}

std::vector<int64_t> ClipTokenizer::tokenize(const std::string& text) const {
    std::vector<int64_t> body = encode(text);
    const std::size_t room = static_cast<std::size_t>(maxLength_ - 2);
    if (body.size() > room) body.resize(room);
    std::vector<int64_t> ids{start_};
    ids.insert(ids.end(), body.begin(), body.end());
    ids.push_back(end_);
    ids.resize(static_cast<std::size_t>(maxLength_), pad_);
    return ids;
}

}  // namespace dq
