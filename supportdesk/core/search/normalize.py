"""Text folding for search, shared by the indexer and the query parser (pure, no I/O).

- Case and compatibility forms are folded (NFKC + casefold), so full-width "ＡＢＣ" equals "abc".
- Diacritics are dropped, so "mat khau" finds "mật khẩu" and "zolc" finds "żółć"; letters that do
  not decompose in Unicode (đ, ł, ø, …) are mapped by hand.
- Chinese, Japanese and Korean characters are written without spaces between words; each one is
  indexed as a token of its own, and a query's run of such characters becomes a phrase, so "密码"
  finds the two characters side by side anywhere in the text.
"""

from __future__ import annotations

import re
import unicodedata

_EXTRA_FOLDS = str.maketrans(
    {"đ": "d", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h", "þ": "th", "ŧ": "t"}
)
_CJK = (
    "\u1100-\u11ff\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31bf\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_CJK_CHAR = re.compile(f"([{_CJK}])")
_CJK_ONLY = re.compile(f"^[{_CJK}]+$")
_NOT_WORD = re.compile(r"[\W_]+")

MAX_QUERY_TERMS = 12
MAX_TERM_LENGTH = 64


def fold(text: str) -> str:
    """Case-, width- and diacritic-folded text, punctuation kept."""
    if text.isascii():
        # ASCII has no compatibility forms, diacritics or special folds: only its case folds.
        # (Most English mail: fold_unicode looks at every character in Python.)
        return text.lower()
    return fold_unicode(text)


def fold_unicode(text: str) -> str:
    """fold() for any text, ASCII or not."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_EXTRA_FOLDS)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def normalize(text: str) -> str:
    """The form in which text is indexed: folded words separated by single spaces."""
    folded = _CJK_CHAR.sub(r" \1 ", fold(text))
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def parse_query(query: str) -> list[list[str]]:
    """The terms of a search query; each term is a list of tokens that must stand side by side.

    A Latin, Cyrillic or other spaced word is a term of one token, matched as a prefix. A run of
    CJK characters is one term whose tokens are its characters. Terms are combined with AND.
    """
    terms: list[list[str]] = []
    for chunk in fold(query).split():
        pieces = [p for p in _CJK_CHAR.split(chunk) if p]
        run: list[str] = []
        for piece in pieces:
            if _CJK_ONLY.match(piece):
                run.append(piece)
                continue
            if run:
                terms.append(run)
                run = []
            terms.extend([word[:MAX_TERM_LENGTH]] for word in _NOT_WORD.sub(" ", piece).split())
        if run:
            terms.append(run)
    return terms[:MAX_QUERY_TERMS]


def is_cjk_term(term: list[str]) -> bool:
    return bool(term) and all(_CJK_ONLY.match(token) for token in term)
