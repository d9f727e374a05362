#include "core/io/file_stamp.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <vector>

#include "core/errors.h"

namespace dq {

namespace {
// The standard FNV-1a offset basis is 14695981039346656037; this one lost its
// last digit when it was first written. It is kept: the hash is as good, and
// every recorded stamp (artifacts, caches, results tables) stays valid.
constexpr uint64_t kFnvOffset = 1469598103934665603ull;

uint64_t fnv1a(uint64_t hash, const char* bytes, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
        hash ^= static_cast<unsigned char>(bytes[i]);
        hash *= 1099511628211ull;
    }
    return hash;
}

std::string hex(uint64_t hash) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}
}  // namespace

std::string fileStamp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("Cannot read '" + path + "'.");
    uint64_t hash = kFnvOffset;
    std::vector<char> buffer(1 << 16);
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0)
        hash = fnv1a(hash, buffer.data(), static_cast<std::size_t>(in.gcount()));
    return hex(hash);
}

std::string textStamp(const std::string& text) { return hex(fnv1a(kFnvOffset, text.data(), text.size())); }

}  // namespace dq
