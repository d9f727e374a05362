#pragma once
// Packing unsigned integers of 1..16 bits into a dense little-endian bit
// stream (value i occupies bits [i·b, (i+1)·b), least significant first), so a
// 4-bit weight costs half a byte on disk: int8 is one byte per value and int4
// two per byte, low nibble first.
#include <cstdint>
#include <vector>

namespace dq {

std::vector<uint8_t> packBits(const std::vector<uint16_t>& values, int bits);
// Throws dq::Error when `packed` is too short for `count` values.
std::vector<uint16_t> unpackBits(const uint8_t* packed, std::size_t packedSize, std::size_t count, int bits);

inline std::size_t packedSize(std::size_t count, int bits) { return (count * static_cast<std::size_t>(bits) + 7) / 8; }

}  // namespace dq
