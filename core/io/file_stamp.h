#pragma once
// Content hashes that tie cached or derived files (reference statistics,
// calibration data, quantized artifacts) to the exact file they were made from.
#include <string>

namespace dq {

// FNV-1a 64 of the file's bytes (with a non-standard offset basis, see the .cpp)
// as 16 hex digits; throws dq::Error naming the path.
std::string fileStamp(const std::string& path);

// The same hash of a string (e.g. a prompt list), for identities that are not files.
std::string textStamp(const std::string& text);

}  // namespace dq
