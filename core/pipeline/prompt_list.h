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

// The pipeline's prompts outside its calibration set (heldout_prompts.txt:
// QDiffBench's second set), or empty when it has none.
std::string heldOutPromptListFile(const std::string& pipelineFolder);

// The class names shipped beside a model (class_names.txt, one per line,
// index = class label); empty when there is no such file.
std::vector<std::string> readClassNames(const std::string& folder);

// The class a prompt asks for: the index of the class name it contains as
// whole words (case-insensitive; "shirt" does not match inside "t-shirt"), or
// -1 when it names none or several. It lets images generated from prompts be
// scored for class accuracy, as images from class labels are.
int promptClass(const std::string& prompt, const std::vector<std::string>& classNames);

}  // namespace dq
