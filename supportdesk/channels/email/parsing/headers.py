"""Header values: unfolding, raw 8-bit bytes, RFC 2047 encoded words, address lists, Message-IDs
and dates, all tolerant of what real mailers send and linear in the length of the value.

The standard library's address parser recurses on nested comments (a hostile header raises
RecursionError) and its parameter parser is quadratic, so the small parsers here are our own.
"""

from __future__ import annotations

import binascii
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_tz

from supportdesk.channels.email.parsing.charsets import Note, _ignore, decode_header_bytes, decode_text
from supportdesk.channels.email.parsing.types import Address

MAX_HEADER_CHARS = 65_536  # longer values are cut (no real header is this long)
MAX_ADDRESSES = 1_000
MAX_IDS = 500

_FOLD = re.compile(rb"\r?\n(?=[ \t])|\r(?=[ \t])")
_LINE_BREAKS = re.compile(r"[\r\n]+")
# An RFC 2047 encoded word; lenient: spaces inside the text (broken mailers), language suffix
# ("utf-8*en"). Every quantifier is bounded or stops at "?", so matching stays linear.
_ENCODED_WORD = re.compile(r"=\?([^?\s*]{1,40})(?:\*[^?\s]{1,20})?\?([bBqQ])\?([^?]{0,4000})\?=")
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")


def unfold(raw: bytes) -> bytes:
    """Join folded lines (CRLF followed by whitespace) and trim the value."""
    return _FOLD.sub(b"", raw[: MAX_HEADER_CHARS * 2]).strip()


def _b64(payload: str) -> bytes:
    data = _B64_JUNK.sub(b"", payload.encode("ascii", "ignore"))
    if len(data) % 4 == 1:  # a dangling sextet carries no full byte
        data = data[:-1]
    data += b"=" * (-len(data) % 4)
    try:
        return binascii.a2b_base64(data)
    except (binascii.Error, ValueError):
        return b""


def _q(payload: str) -> bytes:
    raw = payload.replace("_", " ").encode("utf-8", "surrogateescape")
    return _Q_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def decode_words(text: str, note: Note = _ignore) -> str:
    """Decode RFC 2047 encoded words anywhere in `text` (also inside quotes or glued to other
    text, as broken mailers produce them). Adjacent words in one charset are joined before
    decoding, since mailers split multi-byte characters across words."""
    if "=?" not in text:
        return text
    out: list[str] = []
    pending: bytes = b""
    pending_charset = ""
    last_end = 0

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending_charset:
            out.append(decode_text(pending, pending_charset, note, what="header"))
        pending, pending_charset = b"", ""

    for match in _ENCODED_WORD.finditer(text):
        between = text[last_end : match.start()]
        if between and not (pending_charset and between.isspace()):
            flush()
            out.append(between)
        charset, kind, payload = match.group(1), match.group(2), match.group(3)
        data = _b64(payload) if kind in "bB" else _q(payload)
        if pending_charset and charset.lower() != pending_charset.lower():
            flush()
        pending += data
        pending_charset = charset
        last_end = match.end()
    flush()
    out.append(text[last_end:])
    return "".join(out)


def header_text(raw: bytes, hints: tuple[str, ...] = (), note: Note = _ignore) -> str:
    """A header's value as text: unfolded, 8-bit bytes decoded (UTF-8, else one of `hints`,
    the charsets the message declares), encoded words decoded, NFC-normalized."""
    value = decode_header_bytes(unfold(raw), hints, note)
    return unicodedata.normalize("NFC", decode_words(value, note))


def single_line(text: str) -> str:
    return " ".join(_LINE_BREAKS.sub(" ", text).split())


# --- addresses ---------------------------------------------------------------------------------

_EMAIL_LIKE = re.compile(r"[^\s<>()\[\],;:\"']{1,128}@[^\s<>()\[\],;:\"']{1,255}")


def _clean_email(candidate: str) -> str:
    value = candidate.strip().strip("<>\"' ").rstrip(".")
    if value.lower().startswith("mailto:"):
        value = value[7:]
    if ":" in value and "@" in value.split(":", 1)[1]:
        value = value.rsplit(":", 1)[1]  # an obsolete source route: <@relay:user@host>
    value = value.strip()
    if value.count("@") < 1 or any(ch.isspace() for ch in value):
        found = _EMAIL_LIKE.search(value)
        if not found:
            return ""
        value = found.group(0)
    local, _, domain = value.rpartition("@")
    if not local or not domain:
        return ""
    return value.lower()


def _clean_name(name: str, email: str, note: Note) -> str:
    text = unicodedata.normalize("NFC", single_line(decode_words(name, note)))
    for quote in ('"', "'"):
        if len(text) >= 2 and text[0] == quote and text[-1] == quote:
            text = text[1:-1].strip()
    text = text.replace('\\"', '"')
    if text.lower() == email or text.lower() == f"<{email}>":
        return ""
    return text


class _Mailbox:
    __slots__ = ("angle", "comments", "words")

    def __init__(self) -> None:
        self.words: list[str] = []
        self.angle: str | None = None
        self.comments: list[str] = []


def parse_addresses(value: str, note: Note = _ignore) -> list[Address]:
    """Every address in an address-list header, in order, lower-cased, duplicates kept once.

    Handles quoted and unquoted display names (also with commas), comments as names, groups,
    missing angle brackets and encoded words; never raises; linear in the value's length.
    """
    value = value[:MAX_HEADER_CHARS]
    found: list[Address] = []
    seen: set[str] = set()
    carried_name = ""  # an unquoted "Smith, John <j@x>" splits at the comma: the name carries on
    box = _Mailbox()
    word: list[str] = []

    def end_word() -> None:
        if word:
            box.words.append("".join(word))
            word.clear()

    def end_box() -> None:
        nonlocal box, carried_name
        end_word()
        email = ""
        name_words = box.words
        if box.angle is not None:
            email = _clean_email(box.angle)
        if not email:
            for index, candidate in enumerate(box.words):
                if "@" in candidate:
                    email = _clean_email(candidate)
                    if email:
                        name_words = box.words[:index] + box.words[index + 1 :]
                        break
        if email:
            name = " ".join(name_words) or " ".join(box.comments)
            if carried_name:
                name = f"{carried_name}, {name}" if name else carried_name
            carried_name = ""
            if email not in seen and len(found) < MAX_ADDRESSES:
                seen.add(email)
                found.append(Address(email=email, name=_clean_name(name, email, note)))
        elif box.words and box.angle is None:
            carried_name = " ".join(filter(None, [carried_name, *box.words]))
        else:
            carried_name = ""
        box = _Mailbox()

    index, length = 0, len(value)
    while index < length:
        char = value[index]
        if char == '"':
            end = index + 1
            chunk: list[str] = []
            while end < length and value[end] != '"':
                if value[end] == "\\" and end + 1 < length:
                    end += 1
                chunk.append(value[end])
                end += 1
            word.append("".join(chunk))
            index = end + 1
        elif char == "(":
            end_word()
            depth, end = 1, index + 1
            start = end
            while end < length and depth:
                if value[end] == "\\":
                    end += 1
                elif value[end] == "(":
                    depth += 1
                elif value[end] == ")":
                    depth -= 1
                end += 1
            box.comments.append(value[start : end - 1 if depth == 0 else end].strip())
            index = end
        elif char == "<":
            end_word()
            end = value.find(">", index + 1)
            end = length if end < 0 else end
            box.angle = value[index + 1 : end]
            index = end + 1
        elif char in ",;":
            end_box()
            if char == ";":
                carried_name = ""
            index += 1
        elif char == "=" and value.startswith("=?", index) and (encoded := _ENCODED_WORD.match(value, index)):
            word.append(encoded.group(0))  # kept whole: broken mailers put commas inside
            index = encoded.end()
        elif char == ":" and box.angle is None and "".join(word).lower() not in ("mailto", "sip"):
            # "Group name: a@x, b@y;" — the group's name is not anybody's display name.
            word.clear()
            box = _Mailbox()
            carried_name = ""
            index += 1
        elif char.isspace():
            end_word()
            index += 1
        else:
            word.append(char)
            index += 1
    end_box()
    return found


# --- message ids and dates ---------------------------------------------------------------------

_BRACKETED_ID = re.compile(r"<\s*([^<>\s]{1,900})\s*>")


def parse_ids(value: str) -> list[str]:
    """Message-IDs without angle brackets, in order, each once (at most MAX_IDS: the first one,
    the thread's root, and the latest ones)."""
    ids = _BRACKETED_ID.findall(value[:MAX_HEADER_CHARS])
    if not ids:
        ids = [
            token.strip("<>,;\"'")
            for token in value[:MAX_HEADER_CHARS].replace(",", " ").split()
            if "@" in token
        ]
    unique = list(dict.fromkeys(i for i in ids if i))
    if len(unique) > MAX_IDS:
        unique = unique[:1] + unique[-(MAX_IDS - 1) :]
    return unique


def parse_date(value: str) -> datetime | None:
    """The Date header as an aware datetime, or None when it cannot be read."""
    try:
        parts = parsedate_tz(value[:200])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if not parts:
        return None
    year = parts[0]
    if not 1970 <= year <= 2200:
        return None
    try:
        offset = parts[9] or 0
        zone = timezone(timedelta(seconds=offset)) if abs(offset) < 86_400 else UTC
        return datetime(*parts[:6], tzinfo=zone)  # type: ignore[misc]
    except (TypeError, ValueError, OverflowError):
        return None
