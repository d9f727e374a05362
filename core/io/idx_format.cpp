#include "core/io/idx_format.h"

#include "core/errors.h"
#include "core/validation/resource_limits.h"

namespace dq::idx {

namespace {
uint32_t bigEndian32(const unsigned char* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
}  // namespace

Header parseHeader(const unsigned char* data, std::size_t size, int expectedDims, const std::string& path) {
    if (size < 4 || data[0] != 0 || data[1] != 0 || data[2] != 0x08 || data[3] != expectedDims)
        throw Error("'" + path + "' is not an IDX file of unsigned bytes with " + std::to_string(expectedDims) +
                    " dimensions; reinstall dataset-fashion-mnist.");
    Header header;
    header.dataOffset = 4 + 4 * static_cast<std::size_t>(expectedDims);
    if (size < header.dataOffset) throw Error("'" + path + "' is truncated in its header; reinstall dataset-fashion-mnist.");
    for (int d = 0; d < expectedDims; ++d) header.shape.push_back(bigEndian32(data + 4 + 4 * d));
    // The product of the sizes, checked for overflow before it is compared or allocated.
    if (!boundedProduct(header.shape.data(), expectedDims, static_cast<int64_t>(size), header.count) ||
        size - header.dataOffset != static_cast<uint64_t>(header.count))
        throw Error("'" + path + "' holds " + std::to_string(size - header.dataOffset) +
                    " data bytes, which does not match the sizes its header promises; the file is truncated or "
                    "damaged, reinstall dataset-fashion-mnist.");
    return header;
}

}  // namespace dq::idx
