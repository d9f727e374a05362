#!/usr/bin/env python3
"""Golden text fixes for CLIP's tokenizer: what OpenAI's simple_tokenizer.py
does to prompts that need fixing, with the real ftfy (not the identity
stand-in make_golden.py uses), against the golden clip_tokenizer vocabulary.

    git -C CLIP archive HEAD clip | tar -x -C /tmp/openai-clip
    git -C python-ftfy archive HEAD ftfy | tar -x -C /tmp/ftfy   # rspeer/python-ftfy
    apt-get install python3-regex
    /usr/bin/python3 tests/golden/make_text_fixes.py --clip /tmp/openai-clip --ftfy /tmp/ftfy

ftfy and its wcwidth dependency are not packaged for Debian; ftfy runs from
its source, and wcwidth (used only by ftfy's display helpers) gets a stand-in.
Writes tests/data/golden/clip_tokenizer/text_fixes.json:
- cases: prompt → ftfy.fix_text, html.unescape and the tokenizer's ids;
- nfc: random strings of combining marks, jamo and precomposed letters →
  unicodedata.normalize("NFC").
Every case is one ftfy fixes without its mojibake repair (fix_encoding): the
script checks that, because the C++ tokenizer leaves that repair out.
"""
import argparse
import gzip
import html
import importlib.util
import json
import os
import random
import sys
import types
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
FOLDER = os.path.join(HERE, "..", "data", "golden", "clip_tokenizer")

PROMPTS = [
    "the dog\u2019s \u201cbest\u201d toy \u2018here\u2019 \u02bcok",           # curly quotes
    "\uff21\uff2e\uff2b\uff2c\uff25\u3000\uff22\uff2f\uff2f\uff34\uff01 \uff11\uff12\uff13",  # fullwidth
    "\uff76\uff80\uff76\uff85 \uff8a\uff9f\uff9d\uff82 \uffa1\uffc2",        # halfwidth katakana, hangul
    "\ufb01ne \ufb02uffy \ufb00 \u0133s \u01c6 \u0149 \ufb05",                 # Latin ligatures
    "Cafe\u0301 nai\u0308ve fac\u0327ade",                                      # decomposed accents
    "\u1100\u1161\u11a8 \u1112\u1161\u11ab\u1100\u1173\u11af",                  # Hangul jamo
    "a\u0323\u0302 \u1e0b\u0323 q\u0307\u0323 \u212b \u2126 \u0958",           # ordering, singletons, exclusions
    "fish &amp;amp; chips &NTILDE; &copy &copy; &#x1F600; &#128; &#0; &#65 &lt;3",  # HTML references
    "&notit; &not; &nTILDE; &AMP; &#99999999999; &#xD800; &#xZZ; &ampx &#12ab;",
    "a <b> &amp; c\nnext &amp; line",                                          # '<' stops ftfy's unescaping
    "first &amp; line\nsecond &quot;x&quot;",
    "caf\u00e9 \u0092quoted\u0093 \u0085 \u0080",                               # C1 controls
    "a\u0000b\u0007c\ufeffd\u200de\u206af\ufffcg",                             # control characters
    "\x1b[31mred\x1b[0m shirt \x1b[1;4mbold",                                  # terminal escapes
    "one\r\ntwo\rthree\u2028four\u2029five",                                   # line breaks
    "\uc548\ub155 \u6771\u4eac \U0001F600 \u00c5ngstr\u00f6m STRASSE \u00df",   # already clean
    "&amp;lt;b&amp;gt; &#38;amp;",                                             # nested references
]


def load_ftfy(ftfy_root):
    sys.modules["wcwidth"] = types.SimpleNamespace(wcwidth=lambda c: 1, wcswidth=lambda s: len(s))
    sys.path.insert(0, ftfy_root)
    import ftfy
    return ftfy


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clip", required=True, help="folder holding OpenAI's clip/ package sources")
    parser.add_argument("--ftfy", required=True, help="folder holding ftfy's ftfy/ package sources")
    args = parser.parse_args()
    ftfy = load_ftfy(args.ftfy)

    spec = importlib.util.spec_from_file_location("openai_clip_tokenizer",
                                                  os.path.join(args.clip, "clip", "simple_tokenizer.py"))
    tok_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tok_module)
    # The golden vocabulary, back in simple_tokenizer's gzip format.
    with open(os.path.join(FOLDER, "merges.txt"), encoding="utf-8") as f:
        merges = f.read().rstrip("\n").split("\n")[1:]
    bpe_path = "/tmp/dq_text_fixes_bpe.txt.gz"
    with gzip.open(bpe_path, "wb") as f:
        f.write(("#version: 0.2\n" + "\n".join(merges)).encode("utf-8"))
    tokenizer = tok_module.SimpleTokenizer(bpe_path)
    os.remove(bpe_path)
    with open(os.path.join(FOLDER, "vocab.json"), encoding="utf-8") as f:
        assert json.load(f) == tokenizer.encoder, "the rebuilt vocabulary differs from vocab.json"

    cases = []
    for prompt in PROMPTS:
        fixed = ftfy.fix_text(prompt)
        assert fixed == ftfy.fix_text(prompt, fix_encoding=False), f"mojibake repair changes {prompt!r}"
        cases.append({"prompt": prompt, "fix_text": fixed, "html_unescape": html.unescape(prompt),
                      "ids": tokenizer.encode(prompt)})

    rng = random.Random(0)
    pool = [chr(c) for c in range(0x300, 0x370)] + [chr(c) for c in (0x5B0, 0x5BC, 0x651, 0x9BC, 0x9BE, 0x9D7,
                                                                         0x3099, 0x309A, 0x1DF8, 0x20D0)]
    pool += [chr(c) for c in range(0x1100, 0x1113)] + [chr(c) for c in range(0x1161, 0x1176)]
    pool += [chr(c) for c in range(0x11A8, 0x11C3)] + list("aAeEoOuUiInNcCsSzZwWyY\u0391\u03b1\u0415\u0435")
    pool += [c for c in map(chr, range(0xC0, 0x2000)) if unicodedata.decomposition(c)[:1] not in ("", "<")]
    pool += ["\u0958", "\u212b", "\u2126", "\u0f73", "\u0344", "\u1e9b", "\uac00", "\uac01", "\u09cb", "\u0b47"]
    nfc = []
    for _ in range(600):
        s = "".join(rng.choice(pool) for _ in range(rng.randint(1, 8)))
        nfc.append([s, unicodedata.normalize("NFC", s)])

    out = {"reference": "ftfy " + ftfy.__version__ + " fix_text; Python " + sys.version.split()[0] +
                        " html.unescape and unicodedata (Unicode " + unicodedata.unidata_version + "); "
                        "openai/CLIP clip/simple_tokenizer.py",
           "cases": cases, "nfc": nfc}
    with open(os.path.join(FOLDER, "text_fixes.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print(f"text_fixes.json: {len(cases)} prompts, {len(nfc)} NFC strings")


if __name__ == "__main__":
    main()
