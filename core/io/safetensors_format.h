#pragma once
// Parsing and validation of a safetensors header, independent of LibTorch so
// that it can be fuzzed cheaply. Layout: u64 little-endian header length N,
// N bytes of JSON, then the data area that tensors index with byte offsets.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dq::safetensors {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

// Bytes per element of a dtype.
std::size_t elementSize(DType dtype);
const char* dtypeName(DType dtype);
// Returns false when name is not a dtype this reader supports.
bool parseDType(const std::string& name, DType& out);

struct TensorEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0;  // offsets relative to the start of the data area
    uint64_t end = 0;
};

struct Header {
    std::vector<TensorEntry> tensors;  // sorted by data offset
    std::map<std::string, std::string> metadata;
    uint64_t dataOffset = 0;  // absolute offset of the data area in the file
};

// Headers larger than this are rejected before any allocation (the reference
// implementation uses the same 100 MB bound).
constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;

// Validates the 8-byte length prefix against the file size and returns N.
// `source` names the file in error messages.
uint64_t readHeaderLength(const unsigned char* prefix8, uint64_t fileSize,
                          const std::string& source);

// Parses and validates the JSON header. `dataSize` is the number of bytes
// that follow the header in the file. Throws dq::Error naming source and
// tensor on any violation: bad JSON, unknown dtype, shape/byte-span mismatch,
// offsets outside the data area, overlapping or out-of-order spans, gaps.
Header parseHeader(const char* json, std::size_t jsonSize, uint64_t dataSize,
                   const std::string& source);

// Parses a whole in-memory file (prefix + header); used by the fuzzer and by
// readers that already mapped the file.
Header parseFile(const unsigned char* bytes, uint64_t size, const std::string& source);

// Serialises a header for writing: JSON padded with spaces to a multiple of 8
// so that the data area starts aligned.
std::string serializeHeader(const std::vector<TensorEntry>& tensors,
                            const std::map<std::string, std::string>& metadata);

}  // namespace dq::safetensors
