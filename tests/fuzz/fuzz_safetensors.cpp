// libFuzzer target for the safetensors header parser: any input must either
// parse into a consistent index or throw dq::Error; never crash, hang or
// allocate without bound.
#include <cstddef>
#include <cstdint>

#include "core/errors.h"
#include "core/io/safetensors_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const dq::safetensors::Header header = dq::safetensors::parseFile(data, size, "fuzz-input");
        // Invariants a successful parse guarantees to the tensor loader.
        uint64_t cursor = 0;
        for (const auto& t : header.tensors) {
            if (t.begin != cursor || t.end < t.begin) __builtin_trap();
            cursor = t.end;
        }
        if (header.dataOffset + cursor != size) __builtin_trap();
    } catch (const dq::Error&) {
    }
    return 0;
}
