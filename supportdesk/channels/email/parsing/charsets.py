"""Charset labels as mail really uses them, and decoding that never fails.

Mail software mislabels text all the time: "gb2312" text uses GBK/GB18030 characters, "iso-8859-1"
text contains Windows smart quotes, "us-ascii" text is really UTF-8. Each label is mapped to the
codec that reads the most mail correctly (usually a superset of the declared one), and bytes that
still don't decode are replaced rather than raised about. Every repair is reported as a short note.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Callable
from typing import NamedTuple

# Declared label (after normalization) → the superset codec that actually reads such mail.
_SUPERSETS: dict[str, str] = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso8859-1": "cp1252",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "cp950",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "iso2022_jp": "iso2022_jp_ext",
}
# Labels Python does not know under that spelling.
_LABELS: dict[str, str] = {
    "iso-gb2312": "gb2312",
    "x-gbk": "gbk",
    "gb_2312": "gb2312",
    "csgb2312": "gb2312",
    "x-euc-cn": "gb2312",
    "x-mac-roman": "mac-roman",
    "x-user-defined": "cp1252",
    "x-sjis": "shift_jis",
    "x-euc-jp": "euc_jp",
    "x-euc-kr": "euc_kr",
    "ks_c_5601": "euc_kr",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "utf8mb4": "utf-8",
    "x-unicode-2-0-utf-7": "utf-7",
    "unicode-2-0-utf-7": "utf-7",
    "iso-8859-8-i": "iso8859-8",
    "iso-8859-8-e": "iso8859-8",
    "iso-8859-6-i": "iso8859-6",
    "iso-8859-6-e": "iso8859-6",
    "ansi": "cp1252",
    "windows-874": "cp874",
    "x-windows-874": "cp874",
}
# Codecs that are not text encodings in any sense a mail means, or that execute escapes.
_REFUSED = {
    "idna",
    "punycode",
    "undefined",
    "unicode-escape",
    "unicode_escape",
    "raw-unicode-escape",
    "raw_unicode_escape",
}
_ASCII_FAMILY = {"ascii", "cp1252"}  # declared us-ascii / latin-1 / windows-1252: UTF-8 wins if valid
_NUMBERED = re.compile(r"^(?:x-)?(?:cp|ms|win|windows|ibm)[-_]?(\d{3,5})$")
_UTF8_ISH = re.compile(r"^(?:x-)?(?:utf|uft)-?8")
_LABEL_CHARS = re.compile(r"[^a-z0-9_.:+-]")

Note = Callable[[str], None]


def _ignore(_note: str) -> None:
    return None


class Resolved(NamedTuple):
    codec: str | None  # None: absent or unknown label
    label: str  # the label as declared, cleaned
    upgraded: bool  # the codec is a superset of what the label names


def _lookup(name: str) -> str | None:
    if name in _REFUSED:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED:
        return None
    return info.name


@functools.lru_cache(maxsize=512)
def _ascii_compatible(codec: str) -> bool:
    """Whether printable ASCII bytes mean the same in `codec` (not so in UTF-7/16/32, EBCDIC, HZ)."""
    sample = bytes(range(32, 127)) + b"\r\n\t"
    try:
        return sample.decode(codec) == sample.decode("ascii")
    except Exception:  # any failure means "not compatible"
        return False


@functools.lru_cache(maxsize=512)
def resolve_charset(label: str | None) -> Resolved:
    """The codec Python should use to read text labelled `label` (often a superset of it)."""
    if not label:
        return Resolved(None, "", False)
    cleaned = _LABEL_CHARS.sub("", label.strip().strip("\"'").lower())[:40]
    if not cleaned:
        return Resolved(None, "", False)
    candidate = _LABELS.get(cleaned, cleaned)
    if _UTF8_ISH.match(candidate) and "16" not in candidate and "32" not in candidate:
        candidate = "utf-8"
    numbered = _NUMBERED.match(candidate)
    if numbered:
        candidate = "cp" + numbered.group(1)
    name = _lookup(candidate)
    if name is None and candidate.startswith("x-"):
        name = _lookup(candidate[2:])
    if name is None:
        return Resolved(None, cleaned, False)
    upgraded = _SUPERSETS.get(name)
    return Resolved(upgraded or name, cleaned, upgraded is not None)


_CP1252_HOLES = re.compile(rb"([\x81\x8d\x8f\x90\x9d]+)")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_C1_RANGE = re.compile(rb"[\x80-\x9f]")
# When strict decoding with the declared codec fails, these relatives are tried in turn.
_RELATIVES: dict[str, tuple[str, ...]] = {
    "iso2022_jp_ext": ("iso2022_jp_2004", "iso2022_jp_2", "cp932", "euc_jis_2004"),
    "iso2022_jp_2": ("iso2022_jp_2004", "cp932"),
    "euc_jp": ("euc_jis_2004", "cp932"),
    "cp932": ("shift_jis_2004", "euc_jp"),
    "cp950": ("big5hkscs", "gb18030"),
    "gb18030": ("cp950",),
    "cp949": ("johab",),
}


def _western(data: bytes) -> str:
    """windows-1252, except its five undefined bytes, read as Latin-1 controls like browsers do."""
    if _CP1252_HOLES.search(data) is None:
        return data.decode("cp1252")
    return "".join(
        chunk.decode("latin-1") if index % 2 else chunk.decode("cp1252")
        for index, chunk in enumerate(_CP1252_HOLES.split(data))
    )


def _western_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return _western(bytes(error.object[error.start : error.end])), error.end


# UTF-8 where valid, windows-1252 for the stray bytes: text pasted together from two sources.
codecs.register_error("supportdesk-western", _western_fallback)


def _utf8_or_none(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _mostly_utf8(data: bytes) -> bool:
    """More valid UTF-8 multi-byte sequences than stray high bytes."""
    sequences = _UTF8_SEQUENCE.findall(data)
    stray = len(_HIGH_BYTE.findall(data)) - sum(len(s) for s in sequences)
    return bool(sequences) and len(sequences) >= stray


def _iso2022jp_as_cp932(data: bytes) -> str | None:
    """ISO-2022-JP as Windows writes it (CP50220: NEC and IBM extensions such as ①, ㈱, which
    Python's ISO-2022 codecs refuse): recode the JIS rows to Shift_JIS and read that as CP932."""
    out = bytearray()
    mode = "ascii"
    index, length = 0, len(data)
    while index < length:
        byte = data[index]
        if byte == 0x1B:
            sequence = data[index + 1 : index + 3]
            if sequence in (b"$B", b"$@"):
                mode = "jis"
            elif sequence in (b"(B", b"(J"):
                mode = "ascii"
            elif sequence == b"(I":
                mode = "kana"
            else:
                return None
            index += 3
        elif mode == "jis" and 0x21 <= byte <= 0x7E and index + 1 < length:
            second = data[index + 1]
            if not 0x21 <= second <= 0x7E:
                return None
            lead = ((byte - 0x21) >> 1) + 0x81
            lead += 0x40 if lead > 0x9F else 0
            # Odd JIS rows map to the low half of a Shift_JIS trail range, even rows to the high.
            trail = second + 0x1F + (second >= 0x60) if byte % 2 else second + 0x7E
            out += bytes((lead, trail))
            index += 2
        elif mode == "kana" and 0x21 <= byte <= 0x5F:
            out.append(byte + 0x80)
            index += 1
        else:
            if byte in (0x0A, 0x0D):
                mode = "ascii" if mode == "kana" else mode
            out.append(byte)
            index += 1
    try:
        return bytes(out).decode("cp932")
    except UnicodeDecodeError:
        return None


def _candidates(codec: str, data: bytes) -> tuple[str, ...]:
    """The declared codec and the relatives to try, in order, when it fails on `data`."""
    if codec.startswith("iso2022"):
        if not data.isascii():  # 8-bit data is never ISO-2022: Japanese mail mislabelled
            return ("cp932", "euc_jis_2004")
        return (codec, *(r for r in _RELATIVES.get(codec, ()) if r.startswith("iso2022")))
    return (codec, *_RELATIVES.get(codec, ()))


def detect(data: bytes, hints: tuple[str, ...] = ()) -> tuple[str, str]:
    """(text, codec used) for bytes with no usable label: ASCII, UTF-8, the charsets the message
    declares elsewhere (multi-byte ones first, they fail loudly), windows-1252."""
    if data.isascii():
        return data.decode("ascii"), "ascii"
    text = _utf8_or_none(data)
    if text is not None:
        return text, "utf-8"
    for hint in hints:
        if hint in ("utf-8", "ascii", "cp1252") or not hint:
            continue
        for candidate in _candidates(hint, data):
            try:
                return data.decode(candidate), candidate
            except (UnicodeDecodeError, LookupError, ValueError):
                continue
    if _mostly_utf8(data):
        return data.decode("utf-8", "supportdesk-western"), "utf-8"
    cyrillic = _cyrillic(data)
    if cyrillic is not None:
        return cyrillic
    return _western(data), "windows-1252"


# The most frequent Russian letters: text read in the right Cyrillic charset is full of them.
_RUSSIAN_COMMON = set("оеаинтсрвлкмдпуяОЕАИНТСРВЛКМДПУЯ")
_LATIN_LETTER = re.compile(rb"[A-Za-z]")


def _cyrillic(data: bytes) -> tuple[str, str] | None:
    """Undeclared 8-bit text that is mostly high bytes is not Western European (where accented
    letters are a minority): try the two legacy Cyrillic charsets and keep the likelier one."""
    high = len(_HIGH_BYTE.findall(data))
    if high < 3 or high < 2 * len(_LATIN_LETTER.findall(data)):
        return None
    best: tuple[int, str, str] | None = None
    for codec in ("koi8_r", "cp1251"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = sum(1 for char in text if char in _RUSSIAN_COMMON)
        if best is None or score > best[0]:
            best = (score, text, codec)
    if best is None or best[0] * 2 < high:
        return None
    return best[1], best[2].replace("_", "-")


def decode_text(data: bytes, label: str | None, note: Note = _ignore, *, what: str = "text") -> str:
    """Decode `data` declared as `label`; never raises. Repairs are reported through `note`."""
    if not data:
        return ""
    codec, cleaned, upgraded = resolve_charset(label)
    if data.isascii() and b"\x1b" not in data and (codec is None or _ascii_compatible(codec)):
        return data.decode("ascii")  # most mail; ESC would start an ISO-2022 shift sequence
    if codec is None:
        text, used = detect(data)
        note(f"{'unknown charset ' + cleaned if cleaned else 'undeclared charset'} in {what} read as {used}")
        return text
    if codec in _ASCII_FAMILY:
        if not data.isascii() and _mostly_utf8(data):
            note(f"charset {cleaned} in {what} held UTF-8")
            return data.decode("utf-8", "supportdesk-western")
        if codec == "ascii" or (upgraded and _C1_RANGE.search(data)):
            note(f"charset {cleaned} in {what} read as windows-1252")
        return _western(data)
    if codec == "utf-8":
        text = _utf8_or_none(data)
        if text is not None:
            return text
        if _mostly_utf8(data):
            note(f"stray non-UTF-8 bytes in {what} read as windows-1252")
            return data.decode("utf-8", "supportdesk-western")
        note(f"charset {cleaned} in {what} read as windows-1252")
        return _western(data)
    if upgraded and not data.isascii():
        note(f"charset {cleaned} read as {codec.replace('_', '-')}")
    for candidate in _candidates(codec, data):
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        except Exception:  # some codecs raise other errors on garbage input
            return detect(data)[0]
        if candidate != codec:
            note(f"charset {cleaned} in {what} read as {candidate.replace('_', '-')}")
        return text
    if codec.startswith("iso2022_jp"):
        text = _iso2022jp_as_cp932(data)
        if text is not None:
            note(f"charset {cleaned} in {what} read with Windows extensions")
            return text
    if not data.isascii() and _mostly_utf8(data):
        note(f"charset {cleaned} in {what} held UTF-8")
        return data.decode("utf-8", "supportdesk-western")
    note(f"undecodable bytes in {what} ({cleaned}) replaced")
    try:
        return data.decode(codec, errors="replace")
    except Exception:  # some codecs raise other errors on garbage input
        return _western(data)


def _single_byte(codec: str) -> bool:
    """Single-byte codecs decode anything, so they are tried after the multi-byte ones."""
    try:
        return len(bytes(range(0x80, 0x100)).decode(codec, "replace")) == 0x80
    except Exception:  # odd codecs: treat as single-byte (tried last)
        return True


def decode_header_bytes(data: bytes, hints: tuple[str, ...] = (), note: Note = _ignore) -> str:
    """Raw 8-bit header bytes (against RFC 5322, common in practice): UTF-8, a charset the
    message declares, or windows-1252."""
    if data.isascii():
        return data.decode("ascii")
    codecs_ = sorted({c for c in (resolve_charset(h).codec for h in hints) if c}, key=_single_byte)
    text, used = detect(data, tuple(codecs_))
    note(f"raw 8-bit header read as {used}")
    return text
