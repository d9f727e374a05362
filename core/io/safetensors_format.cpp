#include "core/io/safetensors_format.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/io/json_text.h"

namespace dq::safetensors {

namespace {

struct DTypeInfo {
    DType dtype;
    const char* name;
    std::size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::F64, "F64", 8},  {DType::F32, "F32", 4}, {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2}, {DType::I64, "I64", 8}, {DType::I32, "I32", 4},
    {DType::I16, "I16", 2},  {DType::I8, "I8", 1},   {DType::U8, "U8", 1},
    {DType::BOOL, "BOOL", 1},
};

const DTypeInfo& info(DType dtype) {
    for (const auto& entry : kDTypes)
        if (entry.dtype == dtype) return entry;
    return kDTypes[0];  // unreachable: every enumerator is listed
}

[[noreturn]] void fail(const std::string& source, const std::string& what) {
    throw Error("Invalid safetensors file '" + source + "': " + what +
                ". Re-export the file or check that it was copied completely.");
}

uint64_t asOffset(const nlohmann::json& value, const std::string& source, const std::string& tensor) {
    if (!value.is_number_unsigned())
        fail(source, "tensor " + inQuotes(tensor) + " has a data offset that is not a non-negative integer");
    return value.get<uint64_t>();
}

}  // namespace

std::size_t elementSize(DType dtype) { return info(dtype).size; }
const char* dtypeName(DType dtype) { return info(dtype).name; }

bool parseDType(const std::string& name, DType& out) {
    for (const auto& entry : kDTypes) {
        if (name == entry.name) {
            out = entry.dtype;
            return true;
        }
    }
    return false;
}

uint64_t readHeaderLength(const unsigned char* prefix8, uint64_t fileSize, const std::string& source) {
    if (fileSize < 8) fail(source, "the file is shorter than the 8-byte header length");
    uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | prefix8[i];  // little-endian
    if (length > kMaxHeaderBytes)
        fail(source, "the header length " + std::to_string(length) + " exceeds the 100 MB limit");
    if (length > fileSize - 8)
        fail(source, "the header length " + std::to_string(length) + " runs past the end of the " +
                         std::to_string(fileSize) + "-byte file");
    if (length < 2) fail(source, "the header is too short to hold a JSON object");
    return length;
}

Header parseHeader(const char* json, std::size_t jsonSize, uint64_t dataSize, const std::string& source) {
    nlohmann::json root = nlohmann::json::parse(json, json + jsonSize, nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded()) fail(source, "the header is not valid JSON");
    if (!root.is_object()) fail(source, "the header is not a JSON object");

    Header header;
    for (auto it = root.begin(); it != root.end(); ++it) {
        const std::string& key = it.key();
        const nlohmann::json& value = it.value();
        if (key == "__metadata__") {
            if (!value.is_object()) fail(source, "__metadata__ is not an object of strings");
            for (auto m = value.begin(); m != value.end(); ++m) {
                if (!m.value().is_string())
                    fail(source, "__metadata__ key " + inQuotes(m.key()) + " does not hold a string");
                header.metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        if (!value.is_object()) fail(source, "tensor " + inQuotes(key) + " is not described by an object");
        auto dtypeIt = value.find("dtype");
        auto shapeIt = value.find("shape");
        auto offsetsIt = value.find("data_offsets");
        if (dtypeIt == value.end() || shapeIt == value.end() || offsetsIt == value.end())
            fail(source, "tensor " + inQuotes(key) + " lacks one of dtype, shape, data_offsets");
        if (value.size() != 3) fail(source, "tensor " + inQuotes(key) + " has fields other than dtype, shape, data_offsets");

        TensorEntry entry;
        entry.name = key;
        if (!dtypeIt->is_string() || !parseDType(dtypeIt->get<std::string>(), entry.dtype))
            fail(source, "tensor " + inQuotes(key) + " has unsupported dtype " + jsonValueText(*dtypeIt) +
                             " (supported: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)");
        if (!shapeIt->is_array()) fail(source, "tensor " + inQuotes(key) + " has a shape that is not an array");
        // Count bytes with overflow checks: a hostile shape must not wrap around.
        uint64_t bytes = elementSize(entry.dtype);
        for (const auto& dim : *shapeIt) {
            if (!dim.is_number_unsigned())
                fail(source, "tensor " + inQuotes(key) + " has a shape entry that is not a non-negative integer");
            uint64_t d = dim.get<uint64_t>();
            if (d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
                (d != 0 && bytes > std::numeric_limits<uint64_t>::max() / d))
                fail(source, "tensor " + inQuotes(key) + " has a shape too large to address");
            bytes *= d;
            entry.shape.push_back(static_cast<int64_t>(d));
        }
        if (!offsetsIt->is_array() || offsetsIt->size() != 2)
            fail(source, "tensor " + inQuotes(key) + " needs data_offsets [begin, end]");
        entry.begin = asOffset((*offsetsIt)[0], source, key);
        entry.end = asOffset((*offsetsIt)[1], source, key);
        if (entry.end < entry.begin) fail(source, "tensor " + inQuotes(key) + " ends before it begins");
        if (entry.end > dataSize)
            fail(source, "tensor " + inQuotes(key) + " ends at byte " + std::to_string(entry.end) +
                             " but the data area holds only " + std::to_string(dataSize) + " bytes");
        if (entry.end - entry.begin != bytes)
            fail(source, "tensor " + inQuotes(key) + " spans " + std::to_string(entry.end - entry.begin) +
                             " bytes but its shape and dtype need " + std::to_string(bytes));
        header.tensors.push_back(std::move(entry));
    }

    std::sort(header.tensors.begin(), header.tensors.end(),
              [](const TensorEntry& a, const TensorEntry& b) {
                  return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
              });
    // The data area must be covered exactly, tensor after tensor.
    uint64_t cursor = 0;
    for (const auto& entry : header.tensors) {
        if (entry.begin < cursor)
            fail(source, "tensor '" + entry.name + "' overlaps the tensor before it");
        if (entry.begin > cursor)
            fail(source, "there is an unused gap of " + std::to_string(entry.begin - cursor) +
                             " bytes before tensor '" + entry.name + "'");
        cursor = entry.end;
    }
    if (cursor != dataSize)
        fail(source, std::to_string(dataSize - cursor) + " bytes after the last tensor are not described by the header");
    return header;
}

Header parseFile(const unsigned char* bytes, uint64_t size, const std::string& source) {
    const uint64_t length = readHeaderLength(bytes, size, source);
    Header header = parseHeader(reinterpret_cast<const char*>(bytes + 8), length, size - 8 - length, source);
    header.dataOffset = 8 + length;
    return header;
}

std::string serializeHeader(const std::vector<TensorEntry>& tensors,
                            const std::map<std::string, std::string>& metadata) {
    nlohmann::ordered_json root = nlohmann::ordered_json::object();
    if (!metadata.empty()) root["__metadata__"] = metadata;
    for (const auto& entry : tensors) {
        root[entry.name] = {{"dtype", dtypeName(entry.dtype)},
                            {"shape", entry.shape},
                            {"data_offsets", {entry.begin, entry.end}}};
    }
    std::string text = root.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    return text;
}

}  // namespace dq::safetensors
