#include "core/text/unicode_normalization.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <unordered_map>

#include "core/text/unicode_text.h"

namespace dq::text {

namespace {
struct Decomposition {
    char32_t code, first, second;  // second == 0: a singleton mapping
    int primaryComposite;          // NFC composes (first, second) back to code
};
struct CombiningClassRange {
    char32_t first, last;
    int combiningClass;
};
struct CodeToText {
    char32_t code;
    const char* text;  // UTF-8
};
#include "core/text/normalization_tables.inc"

// Hangul syllables decompose and compose by arithmetic (Unicode §3.12).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

const Decomposition* findDecomposition(char32_t cp) {
    const auto* end = std::end(kDecompositions);
    const auto* it = std::lower_bound(std::begin(kDecompositions), end, cp,
                                      [](const Decomposition& d, char32_t v) { return d.code < v; });
    return it != end && it->code == cp ? it : nullptr;
}

void decompose(char32_t cp, std::u32string& out) {
    if (cp >= kSBase && cp < kSBase + kSCount) {
        const char32_t s = cp - kSBase;
        out.push_back(kLBase + s / kNCount);
        out.push_back(kVBase + (s % kNCount) / kTCount);
        if (s % kTCount) out.push_back(kTBase + s % kTCount);
        return;
    }
    const Decomposition* d = findDecomposition(cp);
    if (!d) {
        out.push_back(cp);
        return;
    }
    decompose(d->first, out);
    if (d->second) decompose(d->second, out);
}

char32_t compose(char32_t first, char32_t second) {
    if (first >= kLBase && first < kLBase + kLCount && second >= kVBase && second < kVBase + kVCount)
        return kSBase + ((first - kLBase) * kVCount + (second - kVBase)) * kTCount;
    if (first >= kSBase && first < kSBase + kSCount && (first - kSBase) % kTCount == 0 && second > kTBase &&
        second < kTBase + kTCount)
        return first + (second - kTBase);
    static const std::unordered_map<std::uint64_t, char32_t> pairs = [] {
        std::unordered_map<std::uint64_t, char32_t> m;
        for (const Decomposition& d : kDecompositions)
            if (d.primaryComposite) m.emplace((std::uint64_t(d.first) << 32) | d.second, d.code);
        return m;
    }();
    const auto it = pairs.find((std::uint64_t(first) << 32) | second);
    return it == pairs.end() ? 0 : it->second;
}
}  // namespace

int canonicalCombiningClass(char32_t cp) {
    const auto* end = std::end(kCombiningClasses);
    const auto* it = std::upper_bound(std::begin(kCombiningClasses), end, cp,
                                      [](char32_t v, const CombiningClassRange& r) { return v < r.first; });
    return it != std::begin(kCombiningClasses) && cp <= std::prev(it)->last ? std::prev(it)->combiningClass : 0;
}

std::u32string toNfc(const std::u32string& text) {
    // 1. Full canonical decomposition.
    std::u32string d;
    d.reserve(text.size());
    for (char32_t cp : text) decompose(cp, d);
    // 2. Canonical ordering: each run of non-starters sorted stably by class.
    for (std::size_t i = 0; i < d.size();) {
        if (!canonicalCombiningClass(d[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < d.size() && canonicalCombiningClass(d[j])) ++j;
        std::stable_sort(d.begin() + std::ptrdiff_t(i), d.begin() + std::ptrdiff_t(j),
                         [](char32_t a, char32_t b) { return canonicalCombiningClass(a) < canonicalCombiningClass(b); });
        i = j;
    }
    // 3. Canonical composition: a character joins the last starter unless a
    // character between them blocks it (class 0, or a class not below its own).
    std::u32string out;
    out.reserve(d.size());
    std::ptrdiff_t starter = -1;
    for (char32_t cp : d) {
        const int cc = canonicalCombiningClass(cp);
        if (starter >= 0) {
            const bool adjacent = std::ptrdiff_t(out.size()) - 1 == starter;
            const int lastClass = canonicalCombiningClass(out.back());
            if (adjacent || (lastClass != 0 && lastClass < cc)) {
                if (const char32_t composite = compose(out[std::size_t(starter)], cp)) {
                    out[std::size_t(starter)] = composite;
                    continue;
                }
            }
        }
        if (cc == 0) starter = std::ptrdiff_t(out.size());
        out.push_back(cp);
    }
    return out;
}

std::u32string standardWidthForm(char32_t cp) {
    const auto* end = std::end(kWidthForms);
    const auto* it = std::lower_bound(std::begin(kWidthForms), end, cp,
                                      [](const CodeToText& w, char32_t v) { return w.code < v; });
    return it != end && it->code == cp ? decodeUtf8(it->text) : std::u32string();
}

}  // namespace dq::text
