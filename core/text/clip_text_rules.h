#pragma once
// The text rules of CLIP's tokenizer (OpenAI's simple_tokenizer.py), shared by
// the tokenizer and the vocabulary trainer so that both split text alike:
// ftfy's fixes and html unescaping, whitespace clean-up and lower-casing, CLIP's
// pre-tokenisation pattern, and GPT-2's reversible byte → printable
// code-point map that byte-level BPE works on.
#include <string>
#include <vector>

namespace dq::text {

extern const std::u32string kClipStart;  // <|startoftext|>
extern const std::u32string kClipEnd;    // <|endoftext|>

// GPT-2's bytes_to_unicode: 256 printable code points, indexed by byte.
const std::vector<char32_t>& clipByteToUnicode();
// The same code points in the reference's vocabulary order (the printable
// bytes first, then the rest), which is the order of a CLIP vocabulary's
// first 256 entries.
std::vector<char32_t> clipByteSymbolsInVocabularyOrder();

// basic_clean (ftfy.fix_text without its mojibake repair, see text_fixer.h;
// html.unescape twice), whitespace_clean and lower-casing, then CLIP's
// pattern: the pieces BPE runs on, each as its bytes mapped to code points
// (UTF-8); the special tokens stay as they are.
std::vector<std::string> clipPieces(const std::string& text);

}  // namespace dq::text
