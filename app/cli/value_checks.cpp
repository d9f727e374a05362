#include "app/cli/value_checks.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/validation/message_text.h"

namespace dq::cli {

namespace {

// Parses the whole text as a double (what the option will hold, so a bound
// printed as 0.001 accepts 0.001, and 1e-400 is the 0 it would become).
bool parseNumber(const std::string& text, double& value) {
    if (text.empty()) return false;
    char* end = nullptr;
    value = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size();
}

std::string boundText(double bound) {
    if (bound >= std::numeric_limits<double>::max()) return "any size";
    return plainNumber(bound);
}

CLI::Validator numberCheck(double min, double max, bool openMin, const std::string& description) {
    return CLI::Validator(
        [=](std::string& input) -> std::string {
            double value = 0;
            const std::string shown = shortText(input, 40);
            if (!parseNumber(input, value)) return "must be a number, not " + shown;
            if (!std::isfinite(value)) return "must be a finite number, not " + shown;
            const bool aboveMin = openMin ? value > min : value >= min;
            if (!aboveMin || value > max) {
                if (max >= std::numeric_limits<double>::max())
                    return std::string("must be ") + (openMin ? "above " : "at least ") + plainNumber(min) + ", not " + shown;
                return "must be a number from " + plainNumber(min) + " to " + boundText(max) + ", not " + shown;
            }
            return std::string();
        },
        description);
}

std::size_t editDistance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

}  // namespace

CLI::Validator rangeOf(double min, double max) {
    return numberCheck(min, max, false, "in [" + plainNumber(min) + ", " + plainNumber(max) + "]");
}
CLI::Validator positiveNumber() { return numberCheck(0, std::numeric_limits<double>::max(), true, "POSITIVE"); }
CLI::Validator nonNegativeNumber() { return numberCheck(0, std::numeric_limits<double>::max(), false, "NONNEGATIVE"); }
CLI::Validator finiteNumber() {
    return numberCheck(-std::numeric_limits<double>::max(), std::numeric_limits<double>::max(), false, "");
}

void rejectNonFiniteEverywhere(CLI::App& app) {
    for (CLI::Option* option : app.get_options())
        if (option->get_type_name().rfind("FLOAT", 0) == 0) option->check(finiteNumber());
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) rejectNonFiniteEverywhere(*sub);
}

std::string unknownCommandMessage(const CLI::App& app, int argc, const char* const* argv) {
    std::string word;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (!arg.empty() && arg[0] == '-') continue;  // global flags take no values
        word = arg;
        break;
    }
    if (word.empty()) return {};
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), word) != names.end()) return {};
    std::string best;
    std::size_t bestDistance = 3;  // suggest only close matches
    for (const std::string& name : names) {
        const std::size_t d = editDistance(word, name);
        if (d < bestDistance) bestDistance = d, best = name;
    }
    std::string list;
    for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
    return "unknown command " + inQuotes(word, 40) + (best.empty() ? "" : "; did you mean '" + best + "'?") +
           " Commands: " + list + ".";
}

}  // namespace dq::cli
