#include "core/pipeline/prompt_list.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/text/unicode_text.h"

namespace dq {

namespace {
// A prompt list is a handful of kilobytes; anything near this is not one.
constexpr std::size_t kMaxFileBytes = 16u << 20;
constexpr std::size_t kMaxPrompts = 100000;
}  // namespace

std::vector<std::string> readPromptList(const std::string& path) {
    if (!std::filesystem::is_regular_file(path))
        throw Error("Prompt list '" + path + "' does not exist; give a text file with one prompt per line.");
    if (std::filesystem::file_size(path) > kMaxFileBytes)
        throw Error("Prompt list '" + path + "' is larger than 16 MiB; it is not a prompt list.");
    std::istringstream lines(readTextFile(path));
    std::vector<std::string> prompts;
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
        if (line.empty() || line.front() == '#') continue;
        // Invalid bytes decode to U+FFFD, so they do not survive the round trip.
        if (text::encodeUtf8(text::decodeUtf8(line)) != line)
            throw Error("Prompt list '" + path + "', line " + std::to_string(number) +
                        ": not valid UTF-8; save the file as UTF-8.");
        prompts.push_back(line);
        if (prompts.size() > kMaxPrompts)
            throw Error("Prompt list '" + path + "' holds more than 100000 prompts; use fewer.");
    }
    if (prompts.empty()) throw Error("Prompt list '" + path + "' holds no prompts; write one prompt per line.");
    return prompts;
}

std::string defaultPromptListFile(const std::string& pipelineFolder) {
    const std::string path = pipelineFolder + "/calibration_prompts.txt";
    return std::filesystem::is_regular_file(path) ? path : std::string();
}

std::string heldOutPromptListFile(const std::string& pipelineFolder) {
    const std::string path = pipelineFolder + "/heldout_prompts.txt";
    return std::filesystem::is_regular_file(path) ? path : std::string();
}

std::vector<std::string> readClassNames(const std::string& folder) {
    const std::string path = folder + "/class_names.txt";
    if (!std::filesystem::is_regular_file(path)) return {};
    return readPromptList(path);  // same rules: one per line, UTF-8, blank lines skipped
}

namespace {
std::string lowered(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// Letters, digits, '-' and non-ASCII bytes continue a word ("t-shirt").
bool continuesWord(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '-' || c == '_' || u >= 0x80;
}
}  // namespace

int promptClass(const std::string& prompt, const std::vector<std::string>& classNames) {
    const std::string text = lowered(prompt);
    auto namedInText = [&](const std::string& name) {
        for (std::size_t at = text.find(name); !name.empty() && at != std::string::npos; at = text.find(name, at + 1)) {
            const std::size_t end = at + name.size();
            if ((at == 0 || !continuesWord(text[at - 1])) && (end == text.size() || !continuesWord(text[end])))
                return true;
        }
        return false;
    };
    std::vector<std::size_t> named;
    for (std::size_t c = 0; c < classNames.size(); ++c)
        if (namedInText(lowered(classNames[c]))) named.push_back(c);
    // A name inside a longer matched one ("boot" in "ankle boot") is that one.
    std::vector<std::size_t> kept;
    for (std::size_t c : named) {
        const std::string name = lowered(classNames[c]);
        const bool inside = std::any_of(named.begin(), named.end(), [&](std::size_t other) {
            const std::string longer = lowered(classNames[other]);
            return other != c && longer.size() > name.size() && longer.find(name) != std::string::npos;
        });
        if (!inside) kept.push_back(c);
    }
    return kept.size() == 1 ? static_cast<int>(kept.front()) : -1;
}

}  // namespace dq
