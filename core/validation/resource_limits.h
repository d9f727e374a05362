#pragma once
// Sizes taken from files and options are checked before anything is
// allocated: a config with sample_size 100000 or `--num 2000000000` must get a
// message naming the value, not a multi-gigabyte allocation, an OOM kill or
// the allocator's enforce text.
#include <cstdint>
#include <string>

namespace dq {

// Physical memory of this machine in bytes (0 when unknown).
uint64_t physicalMemoryBytes();

// Throws dq::Error when `bytes` would not fit in half the physical memory.
// `what` names the cause ("--num 2000000000 images of 1x32x32"), `todo` says
// what to change.
void checkAllocation(double bytes, const std::string& what, const std::string& todo);

// a * b * ... without overflow: returns false when the product exceeds `limit`.
bool boundedProduct(const int64_t* values, int count, int64_t limit, int64_t& product);

}  // namespace dq
