#pragma once
// Python's html.unescape, which OpenAI's CLIP tokenizer applies twice to every
// prompt: HTML 5 named references (with and without ';', the longest known
// prefix of an unknown name), decimal and hexadecimal references with the
// standard's replacements for invalid ones. The named references come from
// Python's own html.entities.html5 (html_entity_tables.inc).
#include <optional>
#include <string>

namespace dq::text {

std::u32string htmlUnescape(const std::u32string& text);

// The text of a named reference exactly as written between '&' and its end,
// e.g. "amp;" or "lt" (HTML 5's table). With upperCaseForms, also ftfy's
// all-caps forms of lower-case names (e.g. "NTILDE;" → "Ñ").
std::optional<std::u32string> namedCharacterReference(const std::u32string& name, bool upperCaseForms = false);

}  // namespace dq::text
