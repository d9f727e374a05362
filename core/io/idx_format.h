#pragma once
// The IDX header (MNIST's file format) without torch, so that a fuzz target
// can exercise it: magic, element type, dimension count and sizes, checked
// against the bytes present before anything is allocated.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dq::idx {

struct Header {
    std::vector<int64_t> shape;
    std::size_t dataOffset = 0;  // where the elements start
    int64_t count = 0;           // number of elements (= data bytes for unsigned bytes)
};

// Parses the header of an IDX file of unsigned bytes with `expectedDims`
// dimensions held in `size` bytes. The sizes' product must equal the data
// that follows, exactly. Throws dq::Error naming `path`.
Header parseHeader(const unsigned char* data, std::size_t size, int expectedDims, const std::string& path);

}  // namespace dq::idx
