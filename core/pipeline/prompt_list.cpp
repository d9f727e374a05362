#include "core/pipeline/prompt_list.h"

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

}  // namespace dq
