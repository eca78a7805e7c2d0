"""Structured header parameters (Content-Type, Content-Disposition): linear, RFC 2231
continuations and charsets, RFC 2047 words in quoted values (Outlook's file names), raw 8-bit."""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from supportdesk.channels.email.parsing.charsets import Note, _ignore, decode_header_bytes, decode_text
from supportdesk.channels.email.parsing.headers import MAX_HEADER_CHARS, decode_words, unfold

MAX_PARAMETERS = 200
_CONTINUATION = re.compile(r"^([^*]+)\*(\d{1,3})(\*?)$")


def _split_params(value: str) -> list[str]:
    """Split at ";" outside quotes, in one pass."""
    if '"' not in value:
        return value.split(";")
    pieces: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and quoted:
            current.append(char)
            escaped = True
        elif char == '"':
            quoted = not quoted
            current.append(char)
        elif char == ";" and not quoted:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return pieces


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value.strip('"')


def parse_params(
    value: bytes, note: Note = _ignore, hints: tuple[str, ...] = ()
) -> tuple[str, dict[str, str]]:
    """(main value lower-cased, parameters) of a structured header such as Content-Type.

    Parameter values come back as text: RFC 2231 continuations are joined and their charset
    applied; RFC 2047 words (Outlook's way of encoding file names) and raw 8-bit bytes decoded.
    """
    text = unfold(value)[:MAX_HEADER_CHARS].decode("latin-1")  # bytes kept 1:1 until decoded
    pieces = _split_params(text)
    main = pieces[0].strip()
    if "=" in main and " " in main:  # "text/plain charset=utf-8": a missing ";"
        main, _, rest = main.partition(" ")
        pieces.insert(1, rest)
    simple: dict[str, str] = {}
    extended: dict[str, dict[int, tuple[str, bool]]] = {}
    for piece in pieces[1:MAX_PARAMETERS]:
        key, eq, raw_value = piece.partition("=")
        key = key.strip().lower()
        if not eq or not key:
            continue
        raw_value = _unquote(raw_value)
        continued = _CONTINUATION.match(key)
        if continued:
            extended.setdefault(continued.group(1), {})[int(continued.group(2))] = (
                raw_value,
                bool(continued.group(3)),
            )
        elif key.endswith("*"):
            extended.setdefault(key[:-1], {})[0] = (raw_value, True)
        else:
            simple.setdefault(key, raw_value)
    params: dict[str, str] = {}
    for key, raw_value in simple.items():
        params[key] = _param_text(raw_value, hints, note)
    for key, sections in extended.items():
        params[key] = _rfc2231(sections, hints, note) or params.get(key, "")
    return main.lower(), params


def _param_text(value: str, hints: tuple[str, ...], note: Note) -> str:
    raw = value.encode("latin-1", "replace")
    text = decode_header_bytes(raw, hints, note) if not raw.isascii() else value
    return decode_words(text, note)


def _rfc2231(sections: dict[int, tuple[str, bool]], hints: tuple[str, ...], note: Note) -> str:
    """Join `name*0*=charset'lang'%xx…; name*1*=%xx…` (RFC 2231) into text."""
    charset = ""
    data = bytearray()
    first = min(sections)
    for number in sorted(sections):
        value, encoded = sections[number]
        if number == first and encoded and value.count("'") >= 2:
            charset, _language, value = value.split("'", 2)
        if encoded:
            data += unquote_to_bytes(value)
        else:
            data += value.encode("latin-1", "replace")
    if not charset:
        return decode_words(decode_header_bytes(bytes(data), hints, note), note)
    return decode_words(decode_text(bytes(data), charset, note, what="file name"), note)
