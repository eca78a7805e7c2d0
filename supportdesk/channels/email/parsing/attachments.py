"""Attachment names and uuencoded files inside text bodies."""

from __future__ import annotations

import mimetypes
import re
import unicodedata

from supportdesk.channels.email.parsing.charsets import Note, _ignore
from supportdesk.channels.email.parsing.headers import header_text, single_line
from supportdesk.channels.email.parsing.mime import Part, decode_uu_block
from supportdesk.channels.email.parsing.params import parse_params
from supportdesk.channels.email.parsing.types import MailAttachment

MAX_NAME_CHARS = 255
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")
# Names for parts that carry none, by type (what a person would call the file).
_DEFAULT_NAMES = {
    "message/rfc822": "message.eml",
    "message/global": "message.eml",
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "message/feedback-report": "feedback-report.txt",
    "text/rfc822-headers": "headers.txt",
    "application/ms-tnef": "winmail.dat",
    "application/vnd.ms-tnef": "winmail.dat",
    "application/pgp-signature": "signature.asc",
    "application/pgp-encrypted": "pgp-version.txt",
    "application/pgp-keys": "key.asc",
    "application/pkcs7-signature": "smime.p7s",
    "application/x-pkcs7-signature": "smime.p7s",
    "application/pkcs7-mime": "smime.p7m",
    "application/x-pkcs7-mime": "smime.p7m",
    "text/calendar": "invite.ics",
    "text/html": "document.html",
    "text/plain": "document.txt",
}
_EXTENSIONS = {"text/plain": ".txt", "message/rfc822": ".eml", "message/delivery-status": ".txt"}


def safe_filename(name: str) -> str:
    """A name usable on disk and in a download header: no paths, no control characters."""
    name = single_line(_UNSAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]))
    name = unicodedata.normalize("NFC", name)
    name = name.strip(". ") if name.strip(". ") else ""
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        name = stem[: MAX_NAME_CHARS - len(ext) - 1] + dot + ext if dot and len(ext) < 16 else name[:255]
    return name


def extension_for(content_type: str) -> str:
    guessed = _EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type, strict=False)
    return guessed or (".txt" if content_type.startswith("text/") else ".bin")


def disposition(part: Part, note: Note = _ignore, hints: tuple[str, ...] = ()) -> tuple[str, dict[str, str]]:
    raw = part.header("content-disposition")
    if raw is None:
        return "", {}
    main, params = parse_params(raw, note, hints)
    return main.split()[0] if main.split() else "", params


def declared_filename(part: Part, hints: tuple[str, ...] = (), note: Note = _ignore) -> str:
    """The name the sender gave the file: Content-Disposition filename, else Content-Type name
    (raw 8-bit names are read in the charsets the message declares)."""
    _kind, params = disposition(part, note, hints)
    name = params.get("filename") or ""
    if not name and part.params.get("name"):
        raw_type = part.header("content-type")
        name = parse_params(raw_type, note, hints)[1].get("name", "") if raw_type is not None else ""
    return safe_filename(name or params.get("name") or "")


def fallback_filename(part: Part, title: str, hints: tuple[str, ...] = (), note: Note = _ignore) -> str:
    """A name for a part that has none: `title` (an attached message's subject), the part's
    description, or a name by content type."""
    kind = part.content_type
    extension = extension_for(kind)
    if title:
        name = safe_filename(title)
        if name:
            return name if name.lower().endswith(extension) else name + extension
    description = part.header("content-description")
    # A description names a report's parts well ("Delivery report", "Undelivered Message");
    # elsewhere it is free text ("PGP/MIME Versions Identification").
    if description is not None and (kind.startswith("message/") or kind == "text/rfc822-headers"):
        name = safe_filename(header_text(description, hints, note))
        if name and len(name) <= 80:
            return name if "." in name[-6:] else name + extension
    if kind in _DEFAULT_NAMES:
        return _DEFAULT_NAMES[kind]
    main = kind.split("/")[0]
    return f"{main if main in ('image', 'video', 'audio') else 'attachment'}{extension}"


# --- uuencode ----------------------------------------------------------------------------------

_UU_BEGIN = re.compile(r"^begin[ \t]+([0-7]{3,4})[ \t]+(\S[^\r\n]{0,254})$", re.M)
_UU_END = re.compile(r"^end[ \t]*$", re.M)


def extract_uuencoded(text: str, note: Note = _ignore) -> tuple[str, list[MailAttachment]]:
    """Take uuencoded files out of a text body: (text without them, the files)."""
    if "begin " not in text:
        return text, []
    # Mail arrives with CRLF line ends; the patterns below read lines ending in LF.
    text = text.replace("\r\n", "\n")
    found: list[MailAttachment] = []
    pieces: list[str] = []
    position = 0
    for _ in range(100):
        begin = _UU_BEGIN.search(text, position)
        if begin is None:
            break
        end = _UU_END.search(text, begin.end())
        if end is None:
            break
        body_lines = text[begin.end() : end.start()].strip("\r\n").splitlines()
        if not body_lines or not all(_looks_uu(line) for line in body_lines[:5]):
            pieces.append(text[position : begin.end()])
            position = begin.end()
            continue
        _name, data = decode_uu_block(body_lines)
        name = safe_filename(begin.group(2)) or "attachment.bin"
        kind = mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
        found.append(MailAttachment(filename=name, content_type=kind, data=data))
        pieces.append(text[position : begin.start()])
        position = end.end()
    if found:
        note(f"{len(found)} uuencoded file(s) taken out of the text")
    pieces.append(text[position:])
    return "".join(pieces), found


def _looks_uu(line: str) -> bool:
    stripped = line.rstrip("\r\n")
    if not stripped or len(stripped) > 100:
        return False
    expected = (((ord(stripped[0]) - 32) & 63) + 2) // 3 * 4 + 1
    return abs(len(stripped) - expected) <= 2 and all(32 <= ord(char) <= 96 for char in stripped)
