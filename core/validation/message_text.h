#pragma once
// Text taken from a file or the command line, made safe to quote in a one-line
// error message: control characters escaped, long text cut with its length
// noted. A hostile key 200,000 characters long, or one holding newlines, must
// neither flood the terminal nor split the message into several lines.
#include <cstddef>
#include <string>
#include <string_view>

namespace dq {

// `text` in single quotes, escaped and cut to about `maxChars` characters.
std::string inQuotes(std::string_view text, std::size_t maxChars = 60);

// The same without quotes, for values printed as they are.
std::string shortText(std::string_view text, std::size_t maxChars = 60);

// A number in plain notation: integers as integers, others with up to 6
// significant digits; huge bounds such as DBL_MAX never print 309 digits.
std::string plainNumber(double value);

}  // namespace dq
