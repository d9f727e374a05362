#include "core/text/clip_tokenizer.h"

#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/text/unicode_text.h"
#include "core/validation/bounded_json.h"

namespace dq {

namespace {

const std::u32string kStart = U"<|startoftext|>";
const std::u32string kEnd = U"<|endoftext|>";

// GPT-2's reversible map from bytes to printable code points (bytes_to_unicode).
const std::vector<char32_t>& byteToUnicode() {
    static const std::vector<char32_t> table = [] {
        std::vector<char32_t> t(256, 0);
        std::vector<bool> direct(256, false);
        for (int b = '!'; b <= '~'; ++b) direct[b] = true;
        for (int b = 0xA1; b <= 0xAC; ++b) direct[b] = true;
        for (int b = 0xAE; b <= 0xFF; ++b) direct[b] = true;
        int next = 0;
        for (int b = 0; b < 256; ++b) t[b] = direct[b] ? char32_t(b) : char32_t(256 + next++);
        return t;
    }();
    return table;
}

// html.unescape for numeric entities and the common named ones.
std::u32string unescapeHtml(const std::u32string& s) {
    static const std::map<std::u32string, char32_t> named = {
        {U"amp", U'&'}, {U"lt", U'<'}, {U"gt", U'>'}, {U"quot", U'"'}, {U"apos", U'\''}, {U"nbsp", 0xA0}};
    std::u32string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != U'&') {
            out.push_back(s[i]);
            continue;
        }
        const std::size_t semi = s.find(U';', i);
        if (semi != std::u32string::npos && semi - i <= 10) {
            const std::u32string body = s.substr(i + 1, semi - i - 1);
            char32_t cp = 0;
            bool ok = false;
            if (!body.empty() && body[0] == U'#') {
                const bool hex = body.size() > 1 && (body[1] == U'x' || body[1] == U'X');
                const std::u32string digits = body.substr(hex ? 2 : 1);
                ok = !digits.empty();
                for (char32_t d : digits) {
                    const int v = d >= U'0' && d <= U'9' ? int(d - U'0')
                                  : hex && d >= U'a' && d <= U'f' ? int(d - U'a' + 10)
                                  : hex && d >= U'A' && d <= U'F' ? int(d - U'A' + 10) : -1;
                    if (v < 0 || cp > 0x10FFFF) { ok = false; break; }
                    cp = cp * (hex ? 16 : 10) + char32_t(v);
                }
                if (ok && (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0)) cp = 0xFFFD;
            } else if (auto it = named.find(body); it != named.end()) {
                cp = it->second;
                ok = true;
            }
            if (ok) {
                out.push_back(cp);
                i = semi;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

// whitespace_clean: runs of \\s become one space; then strip.
std::u32string cleanWhitespace(const std::u32string& s) {
    std::u32string out;
    bool pendingSpace = false;
    for (char32_t cp : s) {
        if (text::isWhitespace(cp)) {
            pendingSpace = !out.empty();
            continue;
        }
        if (pendingSpace) out.push_back(U' ');
        pendingSpace = false;
        out.push_back(cp);
    }
    return out;
}

std::u32string strip(const std::u32string& s) {
    std::size_t a = 0, b = s.size();
    while (a < b && text::isWhitespace(s[a])) ++a;
    while (b > a && text::isWhitespace(s[b - 1])) --b;
    return s.substr(a, b - a);
}

bool isOther(char32_t cp) { return !text::isWhitespace(cp) && !text::isLetter(cp) && !text::isNumber(cp); }

// CLIP's pattern, alternatives in its order, applied as re.findall does:
// <|startoftext|> | <|endoftext|> | 's|'t|'re|'ve|'m|'ll|'d | \p{L}+ | \p{N} | [^\s\p{L}\p{N}]+
std::vector<std::u32string> preTokenize(const std::u32string& s) {
    static const std::u32string contractions[] = {U"'s", U"'t", U"'re", U"'ve", U"'m", U"'ll", U"'d"};
    std::vector<std::u32string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t length = 0;
        if (s.compare(i, kStart.size(), kStart) == 0) length = kStart.size();
        else if (s.compare(i, kEnd.size(), kEnd) == 0) length = kEnd.size();
        if (!length)
            for (const auto& c : contractions)
                if (s.compare(i, c.size(), c) == 0) {
                    length = c.size();
                    break;
                }
        if (!length && text::isLetter(s[i])) {
            while (i + length < s.size() && text::isLetter(s[i + length])) ++length;
        } else if (!length && text::isNumber(s[i])) {
            length = 1;
        } else if (!length && isOther(s[i])) {
            while (i + length < s.size() && isOther(s[i + length])) ++length;
        }
        if (!length) {  // whitespace: no match starts here
            ++i;
            continue;
        }
        out.push_back(s.substr(i, length));
        i += length;
    }
    return out;
}

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
    std::string padText = text::encodeUtf8(kEnd);
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
    t.start_ = idOf(text::encodeUtf8(kStart), "start");
    t.end_ = idOf(text::encodeUtf8(kEnd), "end");
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
    std::u32string s = text::decodeUtf8(input);
    s = strip(unescapeHtml(unescapeHtml(s)));  // basic_clean (without ftfy)
    s = text::toLower(strip(cleanWhitespace(s)));
    std::vector<int64_t> ids;
    const auto& byteMap = byteToUnicode();
    for (const std::u32string& piece : preTokenize(s)) {
        const std::string utf8 = text::encodeUtf8(piece);
        if (piece == kStart || piece == kEnd) {
            ids.push_back(piece == kStart ? start_ : end_);
            continue;
        }
        std::u32string mapped;
        for (unsigned char b : utf8) mapped.push_back(byteMap[b]);
        for (const std::string& symbol : bpe(text::encodeUtf8(mapped))) {
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
