#pragma once
// Prompt lists: UTF-8 text files with one prompt per line, used as the
// calibration prompts of text-to-image pipelines (Q-Diffusion calibrates on
// 128 prompts; a shipped pipeline may carry its own list beside it).
#include <string>
#include <vector>

namespace dq {

// Reads a prompt list; blank lines and lines starting with '#' are skipped,
// trailing whitespace (and CR) is dropped. Errors name the file and line.
std::vector<std::string> readPromptList(const std::string& path);

// The pipeline's own calibration prompts (calibration_prompts.txt in its
// folder), or empty when it has none.
std::string defaultPromptListFile(const std::string& pipelineFolder);

}  // namespace dq
