#include "core/quant/bit_packing.h"

#include <string>

#include "core/errors.h"

namespace dq {

namespace {
void checkBits(int bits) {
    if (bits < 1 || bits > 16) throw Error("Cannot pack " + std::to_string(bits) + "-bit values; widths are 1..16.");
}
}  // namespace

std::vector<uint8_t> packBits(const std::vector<uint16_t>& values, int bits) {
    checkBits(bits);
    std::vector<uint8_t> out(packedSize(values.size(), bits), 0);
    const uint32_t mask = (1u << bits) - 1u;
    std::size_t bit = 0;
    for (uint16_t v : values) {
        uint32_t value = v & mask;
        int remaining = bits;
        while (remaining > 0) {
            const std::size_t byte = bit / 8;
            const int offset = static_cast<int>(bit % 8);
            const int take = std::min(remaining, 8 - offset);
            out[byte] = static_cast<uint8_t>(out[byte] | ((value & ((1u << take) - 1u)) << offset));
            value >>= take;
            remaining -= take;
            bit += static_cast<std::size_t>(take);
        }
    }
    return out;
}

std::vector<uint16_t> unpackBits(const uint8_t* packed, std::size_t size, std::size_t count, int bits) {
    checkBits(bits);
    if (size != packedSize(count, bits))
        throw Error("Packed weights hold " + std::to_string(size) + " bytes, but " + std::to_string(count) + " values of " +
                    std::to_string(bits) + " bits take exactly " + std::to_string(packedSize(count, bits)) + ".");
    std::vector<uint16_t> out(count);
    std::size_t bit = 0;
    for (std::size_t i = 0; i < count; ++i) {
        uint32_t value = 0;
        int got = 0;
        while (got < bits) {
            const std::size_t byte = bit / 8;
            const int offset = static_cast<int>(bit % 8);
            const int take = std::min(bits - got, 8 - offset);
            value |= ((static_cast<uint32_t>(packed[byte]) >> offset) & ((1u << take) - 1u)) << got;
            got += take;
            bit += static_cast<std::size_t>(take);
        }
        out[i] = static_cast<uint16_t>(value);
    }
    return out;
}

}  // namespace dq
