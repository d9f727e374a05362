#include "core/pipeline/prompt_list.h"

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
    int found = -1;
    std::size_t foundLength = 0;
    bool ambiguous = false;
    for (std::size_t c = 0; c < classNames.size(); ++c) {
        const std::string name = lowered(classNames[c]);
        if (name.empty()) continue;
        for (std::size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
            const bool startsWord = at == 0 || !continuesWord(text[at - 1]);
            const std::size_t end = at + name.size();
            const bool endsWord = end == text.size() || !continuesWord(text[end]);
            if (!startsWord || !endsWord) continue;
            if (found == static_cast<int>(c)) break;
            if (found >= 0) {
                // A longer name containing a shorter one ("ankle boot" / "boot") is one class.
                const std::string& previous = classNames[static_cast<std::size_t>(found)];
                if (lowered(previous).find(name) != std::string::npos) break;
                if (name.find(lowered(previous)) == std::string::npos) ambiguous = true;
                else if (name.size() <= foundLength) break;
            }
            found = static_cast<int>(c);
            foundLength = name.size();
            break;
        }
    }
    return ambiguous ? -1 : found;
}

}  // namespace dq
