#pragma once
// Writes a file so that readers see either the old or the new content, never
// a torn one: write to a temporary file in the same folder, fsync, rename.
#include <functional>
#include <ostream>
#include <string>

namespace dq {

// `write` fills the stream; any exception or stream failure leaves the
// destination untouched and removes the temporary file.
void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// Convenience for small text files.
void writeTextFileAtomically(const std::string& path, const std::string& text);

// Reads a whole (small) file; throws dq::Error naming the path.
std::string readTextFile(const std::string& path);

}  // namespace dq
