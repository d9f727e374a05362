#pragma once
// ftfy.fix_text, the first step of OpenAI's CLIP tokenizer (basic_clean), with
// ftfy's default settings, so that prompts pasted from documents and web pages
// tokenize as the reference tokenizes them: curly quotes become straight ones,
// fullwidth and halfwidth forms standard ones, Latin ligatures letters, C1
// controls their Windows-1252 characters; HTML references ending in ';' are
// decoded (unless the text contains '<'); terminal escapes and invisible
// control characters are removed, line breaks unified, and the result is in
// Unicode NFC. The fixes repeat until the text stops changing, line by line,
// as ftfy's do.
//
// Not reproduced: ftfy's mojibake repair (fix_encoding: re-decoding text that
// looks like UTF-8 read as Windows-1252 or another single-byte code page,
// decided by a heuristic). Prompts are typed, not decoded wrongly; text that
// is already mojibake (such as "cafÃ©") is tokenized as written.
#include <string>

namespace dq::text {

std::u32string fixText(const std::u32string& text);

}  // namespace dq::text
