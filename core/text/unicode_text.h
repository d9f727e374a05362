#pragma once
// The little Unicode CLIP's tokenizer needs, without ICU: UTF-8 decoding and
// encoding, and the classes and lower-casing of Python's `regex` module and
// str.lower() (tables generated from them by make_unicode_tables.py).
#include <cstdint>
#include <string>
#include <vector>

namespace dq::text {

// Invalid UTF-8 bytes become U+FFFD, as Python's decode(errors="replace") does.
std::u32string decodeUtf8(const std::string& bytes);
std::string encodeUtf8(const std::u32string& text);
std::string encodeUtf8(char32_t cp);

bool isLetter(char32_t cp);      // \p{L}
bool isNumber(char32_t cp);      // \p{N}
bool isWhitespace(char32_t cp);  // \s
std::u32string toLower(const std::u32string& text);  // str.lower()
// A C1 control (U+0080..U+009F) read as the Windows-1252 byte it is, as HTML's
// numeric references and ftfy's fix_c1_controls do; the five bytes
// Windows-1252 leaves undefined stay as they are. Other code points unchanged.
char32_t c1ToWindows1252(char32_t cp);

}  // namespace dq::text
