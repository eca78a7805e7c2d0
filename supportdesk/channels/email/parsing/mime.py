"""The MIME structure of a raw message, built in one linear pass over the bytes.

Why not the standard library's parser: on hostile input it is slow in ways we cannot bound (its
generator nesting makes every line cost O(depth), deep nesting raises RecursionError, parameter
parsing is quadratic in the number of ";"), and we need byte offsets to keep attached messages
verbatim. This parser keeps the set of open boundaries in a dict, so each line costs O(1); it
never recurses while reading; and it repairs the usual damage: missing or wrong final
boundaries, parts without headers, multiparts without parts, bare CR line endings.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass, field

from supportdesk.channels.email.parsing.charsets import Note, _ignore
from supportdesk.channels.email.parsing.headers import MAX_HEADER_CHARS, unfold
from supportdesk.channels.email.parsing.params import parse_params

MAX_DEPTH = 40  # deeper nesting is read as one opaque part
MAX_PARTS = 2_000  # further parts are left in the raw message only
MAX_HEADER_LINES = 5_000
MAX_UNINDENTED_LINES = 40
_KNOWN_HEADERS = {
    b"from", b"to", b"cc", b"bcc", b"subject", b"date", b"received", b"message-id", b"return-path",
    b"delivered-to", b"reply-to", b"sender", b"references", b"in-reply-to", b"mime-version",
    b"importance", b"priority", b"precedence", b"user-agent", b"organization", b"authentication-results",
    b"received-spf", b"auto-submitted", b"envelope-to",
}  # fmt: skip
_KNOWN_PREFIXES = (
    b"x-",
    b"content-",
    b"list-",
    b"arc-",
    b"dkim-",
    b"thread-",
    b"accept-language",
    b"resent-",
)

_HEADER_LINE = re.compile(rb"([!-9;-~]{1,8192})[ \t]*:")
_BLANK_LINE = re.compile(rb"\n\r?\n")
_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")


@dataclass(eq=False)
class Part:
    """One node of the MIME tree. Header values are raw bytes; byte offsets index the raw message."""

    depth: int
    start: int  # first byte of the part's headers
    parent: Part | None = None
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    body_start: int = 0
    body_end: int = 0
    end: int = 0  # last byte of the part (for message/rfc822: the whole encapsulated message)
    content_type: str = "text/plain"
    params: dict[str, str] = field(default_factory=dict)
    children: list[Part] = field(default_factory=list)
    boundary: bytes = b""
    closed: bool = False  # a multipart whose closing boundary was seen

    def header(self, name: str) -> bytes | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def all_headers(self, name: str) -> list[bytes]:
        return [value for key, value in self.headers if key == name]


# --- the tree ----------------------------------------------------------------------------------


def _line_at(raw: bytes, pos: int) -> tuple[bytes, int]:
    """(the line starting at `pos` without its line break, offset of the next line)."""
    newline = raw.find(b"\n", pos)
    end = len(raw) if newline < 0 else newline + 1
    return raw[pos:end].rstrip(b"\r\n"), end


def _known_header(line: bytes) -> bool:
    match = _HEADER_LINE.match(line)
    if match is None:
        return False
    name = match.group(1).lower()
    return name in _KNOWN_HEADERS or name.startswith(_KNOWN_PREFIXES)


def _skip_leading_junk(raw: bytes, pos: int) -> int:
    """A line of text before the headers ("---- Original email message ----", as some tools
    export mail) is skipped when real header lines follow right after it."""
    probe = pos
    for _ in range(3):
        line, following = _line_at(raw, probe)
        if not line.strip():
            return pos
        if _known_header(line):
            return probe
        probe = following
    return pos


def _unindented_continuation(raw: bytes, pos: int) -> int | None:
    """Some gateways fold long header values without indenting the continuation lines. Such
    lines count as continuations when a well-known header line follows them within a few lines
    and before any blank line; returns where that header line starts."""
    for _ in range(MAX_UNINDENTED_LINES):
        line, following = _line_at(raw, pos)
        if not line.strip() or len(line) > 998:
            return None
        pos = following
        if pos >= len(raw):
            return None
        if _known_header(_line_at(raw, pos)[0]):
            return pos
    return None


def _read_headers(raw: bytes, pos: int, boundaries: dict[bytes, Part], top: bool) -> tuple[list, int]:
    """Header fields from `pos` to the blank line; returns (fields, offset where the body starts)."""
    fields: list[tuple[str, bytes]] = []
    length = len(raw)
    if top:
        for _ in range(1000):  # blank lines before the headers (careless exports)
            line, following = _line_at(raw, pos)
            if line.strip() or following >= length:
                break
            pos = following
        if raw.startswith(b"From ", pos) or raw.startswith(b">From ", pos):  # an mbox envelope line
            pos = _line_at(raw, pos)[1]
    if top and not _HEADER_LINE.match(_line_at(raw, pos)[0]):
        pos = _skip_leading_junk(raw, pos)
    while pos < length:
        stripped, line_end = _line_at(raw, pos)
        if not stripped or (not stripped.strip() and not fields):
            return fields, line_end  # the blank line that ends the headers
        if stripped[:1] in (b" ", b"\t") and fields:  # folded (also a whitespace-only line)
            name, value = fields[-1]
            if len(value) < MAX_HEADER_CHARS:
                fields[-1] = (name, value + b"\n" + stripped)
            pos = line_end
            continue
        if stripped.startswith(b"--") and _boundary_of(stripped, boundaries) is not None:
            return fields, pos  # a part without a body
        match = _HEADER_LINE.match(stripped)
        if match is None:
            resume = _unindented_continuation(raw, pos) if top and fields else None
            if resume is None:
                return fields, pos  # no blank line: the body starts here (a common defect)
            name, value = fields[-1]
            if len(value) < MAX_HEADER_CHARS:
                fields[-1] = (name, value + b"\n " + raw[pos:resume].strip())
            pos = resume
            continue
        if len(fields) >= MAX_HEADER_LINES:
            return fields, _after_blank_line(raw, pos)  # a flood of header lines: skip it in C
        fields.append((match.group(1).decode("ascii").lower(), stripped[match.end() :]))
        pos = line_end
    return fields, length


def _after_blank_line(raw: bytes, pos: int) -> int:
    found = _BLANK_LINE.search(raw, pos)
    return found.end() if found else len(raw)


def _boundary_of(line: bytes, boundaries: dict[bytes, Part]) -> tuple[Part, bool] | None:
    """(the multipart whose boundary this line is, whether it is the closing one) or None."""
    token = line.rstrip(b" \t\r\n")[2:]
    part = boundaries.get(token)
    if part is not None:
        return part, False
    if token.endswith(b"--"):
        part = boundaries.get(token[:-2])
        if part is not None:
            return part, True
    return None


def _trim_newline(raw: bytes, start: int, end: int) -> int:
    """The line break before a boundary belongs to the boundary (RFC 2046)."""
    if end > start and raw[end - 1 : end] == b"\n":
        end -= 1
        if end > start and raw[end - 1 : end] == b"\r":
            end -= 1
    return end


class TreeBuilder:
    """Reads `raw` once; `build()` returns the root Part. Problems go to `note`."""

    def __init__(self, raw: bytes, note: Note = _ignore, *, depth: int = 0) -> None:
        if b"\n" not in raw[:65536] and b"\r" in raw:
            raw = raw.replace(b"\r", b"\n")  # classic Mac line endings
            note("bare CR line endings read as line breaks")
        self.raw = raw
        self.note = note
        self.base_depth = depth
        self.boundaries: dict[bytes, Part] = {}
        self._pattern: re.Pattern[bytes] | None = None
        self._pattern_for = -1
        self._version = 0
        self.count = 0

    def build(self) -> Part:
        raw = self.raw
        root = Part(depth=self.base_depth, start=0)
        pos = self._start_part(root, 0, top=True)
        current = self._descend(root)
        while True:
            # `current` is a leaf whose body is being read, or a multipart in its preamble or
            # epilogue; everything up to the next boundary line of any open multipart is its.
            hit = self._next_boundary(pos)
            if hit is None:
                self._finish_chain(current, len(raw), root)
                break
            line_start, line_end, owner, closing = hit
            end = _trim_newline(raw, pos, line_start)
            self._finish_chain(current, end, owner)
            if closing:
                if not owner.children:
                    owner.body_end = end  # no part ever started: the preamble is all there is
                owner.closed = True
                owner.end = line_end
                self._forget(owner.boundary)
                current, pos = owner, line_end  # the epilogue is ignored
                continue
            if len(owner.children) == 0:
                owner.body_end = end  # keep the preamble for multiparts that never get a part
            self.count += 1
            if self.count > MAX_PARTS:
                self.note("too many MIME parts; the rest is kept only in the raw message")
                for boundary in list(self.boundaries):
                    self._forget(boundary)
                self._finish_chain(owner, len(raw), root)
                break
            child = Part(depth=owner.depth + 1, start=line_end, parent=owner)
            owner.children.append(child)
            pos = self._start_part(child, line_end)
            current = self._descend(child)
        self._finish_chain(root, len(raw), None)
        return root

    def _descend(self, part: Part) -> Part:
        """For an encapsulated message, the part to continue reading in (its innermost header-read
        descendant); otherwise the part itself."""
        while part.children and not part.content_type.startswith("multipart/"):
            part = part.children[-1]
        return part

    def _start_part(self, part: Part, pos: int, top: bool = False) -> int:
        """Read a part's headers and decide how its body is read; returns the body offset."""
        while True:
            fields, body = _read_headers(self.raw, pos, self.boundaries, top and part.parent is None)
            part.headers = fields
            part.body_start = body
            self._classify(part)
            kind = part.content_type
            nested_ok = part.depth - self.base_depth < MAX_DEPTH and self.count < MAX_PARTS
            if kind.startswith("multipart/"):
                boundary = part.params.get("boundary", "").encode("latin-1", "replace")
                if not boundary or boundary in self.boundaries or not nested_ok:
                    if not boundary:
                        self.note(f"{kind} without boundary read as text")
                    part.content_type = "text/plain"
                    return body
                part.boundary = boundary
                self.boundaries[boundary] = part
                self._version += 1
                return body
            encoding = _transfer_encoding(part)
            if kind in ("message/rfc822", "message/global") and encoding not in (
                "base64",
                "quoted-printable",
            ):
                if not nested_ok:
                    return body
                self.count += 1
                child = Part(depth=part.depth + 1, start=body, parent=part)
                part.children.append(child)
                part, pos, top = child, body, False
                continue
            return body

    def _classify(self, part: Part) -> None:
        raw_type = part.header("content-type")
        in_digest = part.parent is not None and part.parent.content_type == "multipart/digest"
        if raw_type is None:
            part.content_type = "message/rfc822" if in_digest else "text/plain"
            return
        main, params = parse_params(raw_type, self.note)
        main = main.split()[0] if main.split() else ""
        if "/" not in main:
            main = "text/plain" if main in ("", "text") else f"{main}/unknown"
        part.content_type = main
        part.params = params

    def _forget(self, boundary: bytes) -> None:
        del self.boundaries[boundary]
        self._version += 1

    def _next_boundary(self, pos: int) -> tuple[int, int, Part, bool] | None:
        """The next line from `pos` on that is a boundary of an open multipart. One compiled
        expression over all open boundaries scans in C, however many lines merely look alike."""
        if not self.boundaries:
            return None
        if self._pattern is None or self._pattern_for != self._version:
            alternatives = b"|".join(re.escape(b) for b in sorted(self.boundaries, key=len, reverse=True))
            self._pattern = re.compile(rb"^--(" + alternatives + rb")(--)?[ \t]*\r?$", re.M)
            self._pattern_for = self._version
        match = self._pattern.search(self.raw, pos)
        if match is None:
            return None
        line_end = match.end() + 1 if self.raw[match.end() : match.end() + 1] == b"\n" else match.end()
        owner = self.boundaries[match.group(1)]
        return match.start(), line_end, owner, match.group(2) is not None

    def _finish_chain(self, part: Part, end: int, stop: Part | None) -> None:
        """End `part` and its open ancestors up to (excluding) `stop` at offset `end`."""
        node: Part | None = part
        while node is not None and node is not stop:
            if not node.closed:
                if node.boundary and self.boundaries.get(node.boundary) is node:
                    self._forget(node.boundary)
                    if node.children:
                        self.note(f"missing closing boundary in {node.content_type}")
                if not node.children or not node.content_type.startswith("multipart/"):
                    node.body_end = max(node.body_start, end)
                node.end = max(node.body_start, end)
                node.closed = True
            node = node.parent


def _transfer_encoding(part: Part) -> str:
    raw = part.header("content-transfer-encoding")
    if raw is None:
        return ""
    return unfold(raw).decode("latin-1").strip().strip('"').lower().split(";")[0].strip()


def part_payload(raw: bytes, part: Part, note: Note = _ignore) -> bytes:
    """The part's body with its Content-Transfer-Encoding undone (leniently)."""
    body = raw[part.body_start : part.body_end]
    encoding = _transfer_encoding(part)
    if encoding == "base64":
        return decode_base64(body)
    if encoding == "quoted-printable":
        try:
            return binascii.a2b_qp(body)
        except (binascii.Error, ValueError):
            note("broken quoted-printable kept as is")
            return body
    if encoding in ("x-uuencode", "uuencode", "x-uue", "uue"):
        return decode_uu_block(body.decode("latin-1").splitlines())[1]
    return body


def decode_base64(body: bytes) -> bytes:
    """Base64 that stops at the padding (text after it is junk) and survives bad padding."""
    try:
        return binascii.a2b_base64(body)
    except (binascii.Error, ValueError):
        pass
    data = _B64_JUNK.sub(b"", body.split(b"=", 1)[0])
    if len(data) % 4 == 1:
        data = data[:-1]
    data += b"=" * (-len(data) % 4)
    try:
        return binascii.a2b_base64(data)
    except (binascii.Error, ValueError):
        return b""


def decode_uu_block(lines: list[str]) -> tuple[str, bytes]:
    """(file name, data) of "begin 644 name" … "end" lines (or of just the data lines)."""
    name = ""
    data = bytearray()
    for line in lines:
        if not name and line.startswith("begin ") and not data:
            parts = line.split(None, 2)
            name = parts[2].strip() if len(parts) == 3 else ""
            continue
        if line.strip() in ("end", "`", ""):
            continue
        encoded = line.rstrip("\r\n").encode("latin-1", "replace")
        try:
            data += binascii.a2b_uu(encoded)
        except binascii.Error:
            # Lines cut or padded by mailers: decode as much as the length byte says.
            count = (((encoded[0] - 32) & 63) * 4 + 5) // 3
            try:
                data += binascii.a2b_uu(encoded[:count])
            except binascii.Error:
                continue
    return name, bytes(data)
