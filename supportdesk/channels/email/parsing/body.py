"""From the MIME tree to the message's text, HTML and attachments.

What a person reading the mail sees is the body: the text and HTML parts that are not attached
files, in order (Apple Mail interleaves text and pictures); everything else is an attachment,
named as well as the sender allows. multipart/alternative contributes the plain text of its
plain alternative and the HTML (with pictures) of its richest one; signed messages keep their
content and attach the signature; encrypted ones keep the encrypted data as an attachment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from supportdesk.channels.email.parsing.attachments import (
    declared_filename,
    disposition,
    extract_uuencoded,
    fallback_filename,
    safe_filename,
)
from supportdesk.channels.email.parsing.charsets import Note, decode_text
from supportdesk.channels.email.parsing.headers import header_text, single_line
from supportdesk.channels.email.parsing.html import meta_charset
from supportdesk.channels.email.parsing.mime import Part, TreeBuilder, part_payload
from supportdesk.channels.email.parsing.types import MailAttachment

_BODY_TYPES = ("text/plain", "text/html")
_ALTERNATIVE_TEXT = ("text/plain", "text/html", "text/enriched", "text/richtext", "text/x-amp-html")
_ENCRYPTED_TYPES = ("application/pkcs7-mime", "application/x-pkcs7-mime")


@dataclass
class Content:
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[MailAttachment] = field(default_factory=list)
    messages: list[Part] = field(default_factory=list)  # encapsulated message/rfc822 parts
    signed: bool = False
    encrypted: bool = False
    generated_names: dict[str, int] = field(default_factory=dict)

    def absorb(self, other: Content, *, texts: bool = True) -> None:
        if texts:
            self.texts += other.texts
        self.htmls += other.htmls
        self.attachments += other.attachments
        self.messages += other.messages
        for name, count in other.generated_names.items():
            self.generated_names[name] = self.generated_names.get(name, 0) + count
        self.signed = self.signed or other.signed
        self.encrypted = self.encrypted or other.encrypted


def _has_text(content: Content) -> bool:
    return any(text.strip() for text in content.texts)


class BodyWalker:
    def __init__(self, raw: bytes, note: Note, hints: tuple[str, ...]) -> None:
        self.raw = raw
        self.note = note
        self.hints = hints

    def walk(self, root: Part) -> Content:
        content = Content()
        self._part(root, content, attach=False)
        return content

    # dispatch

    def _part(self, part: Part, out: Content, *, attach: bool) -> None:
        kind = part.content_type
        if kind.startswith("multipart/"):
            if not part.children:
                if not self._recover_parts(part, out, attach=attach):
                    self.note(f"{kind} without parts read as text")
                    self._leaf(part, out, attach=attach, kind="text/plain")
            elif kind == "multipart/alternative" and not attach:
                self._alternative(part, out)
            elif kind == "multipart/related" and not attach:
                self._related(part, out)
            elif kind == "multipart/signed" and not attach:
                out.signed = True
                self._part(part.children[0], out, attach=False)
                for child in part.children[1:]:
                    self._part(child, out, attach=True)
            elif kind == "multipart/encrypted":
                out.encrypted = True
                for child in part.children:
                    # The "Version: 1" control part of PGP/MIME (RFC 3156) is protocol, not content.
                    if child.content_type != "application/pgp-encrypted":
                        self._part(child, out, attach=True)
            elif kind == "multipart/report" and not attach:
                self._part(part.children[0], out, attach=False)
                for child in part.children[1:]:
                    self._part(child, out, attach=True)
            else:
                for child in part.children:
                    self._part(child, out, attach=attach)
        elif kind in ("message/rfc822", "message/global"):
            self._message(part, out)
        else:
            self._leaf(part, out, attach=attach, kind=kind)

    def _recover_parts(self, part: Part, out: Content, *, attach: bool) -> bool:
        """A multipart whose declared boundary never occurs, but whose body has lines that look
        like a different boundary followed by part headers (mailers that garble the header):
        read the body again with that boundary."""
        body = self.raw[part.body_start : part.body_end]
        found = _STRAY_BOUNDARY.search(body[:65536])
        if found is None or part.depth > 20:
            return False
        boundary = found.group(1)
        self.note(f"{part.content_type}: declared boundary missing; parts found with another one")
        wrapper = b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n' + body
        root = TreeBuilder(wrapper, self.note, depth=part.depth).build()
        if not root.children:
            return False
        inner = BodyWalker(wrapper, self.note, self.hints)
        for child in root.children:
            inner._part(child, out, attach=attach)
        return True

    def _alternative(self, part: Part, out: Content) -> None:
        plain = rich = None
        for child in part.children:
            child_disposition = disposition(child)[0]
            if child_disposition == "attachment":
                continue
            if child.content_type == "text/plain":
                plain = plain or child  # the first: a second "plain" one is often mislabelled HTML
            elif child.content_type == "text/html" or child.content_type.startswith("multipart/"):
                rich = child
        if plain is None and rich is None:
            for child in part.children:
                self._part(child, out, attach=False)
            return
        plain_content, rich_content = Content(), Content()
        if plain is not None:
            self._part(plain, plain_content, attach=False)
        if rich is not None:
            self._part(rich, rich_content, attach=False)
        out.texts += plain_content.texts if _has_text(plain_content) else rich_content.texts
        out.absorb(plain_content, texts=False)
        out.absorb(rich_content, texts=False)
        for child in part.children:
            # Other alternatives that are not another rendering of the text: calendar invites.
            kind = child.content_type
            if (
                child not in (plain, rich)
                and kind not in _ALTERNATIVE_TEXT
                and not kind.startswith("multipart/")
            ):
                self._part(child, out, attach=True)

    def _related(self, part: Part, out: Content) -> None:
        start = part.params.get("start", "").strip().strip("<>")
        root = part.children[0]
        if start:
            for child in part.children:
                if _content_id(child) == start:
                    root = child
                    break
        self._part(root, out, attach=False)
        for child in part.children:
            if child is not root:
                self._part(child, out, attach=True)

    def _message(self, part: Part, out: Content) -> None:
        """An attached email: kept verbatim as a .eml file named after its subject."""
        if part.children:
            inner = part.children[0]
            data = self.raw[inner.start : max(inner.start, part.end)]
            data = data if data.strip() else b""
            subject_raw = inner.header("subject")
        else:
            inner = None
            data = part_payload(self.raw, part, self.note)
            subject_raw = _peek_header(data, b"subject")
        name = declared_filename(part, self.hints, self.note)
        if name and "." not in name[-6:]:
            name += ".eml"
        if not name:
            subject = single_line(header_text(subject_raw, self.hints, self.note)) if subject_raw else ""
            name = fallback_filename(part, subject, self.hints, self.note)
        out.attachments.append(
            MailAttachment(
                filename=name, content_type="message/rfc822", data=data, content_id=_content_id(part)
            )
        )
        out.messages.append(inner if inner is not None else part)

    def _leaf(self, part: Part, out: Content, *, attach: bool, kind: str) -> None:
        kind_disposition, _params = disposition(part, self.note)
        name = declared_filename(part, self.hints, self.note)
        payload = part_payload(self.raw, part, self.note)
        if kind in _BODY_TYPES and not attach and kind_disposition != "attachment" and not name:
            charset = part.params.get("charset")
            if kind == "text/html":
                out.htmls.append(
                    decode_text(payload, charset or meta_charset(payload), self.note, what="HTML")
                )
            else:
                text = decode_text(payload, charset, self.note)
                if part.params.get("format", "").lower() == "flowed":
                    text = unflow(text, delsp=part.params.get("delsp", "").lower() == "yes")
                text, files = extract_uuencoded(text, self.note)
                out.texts.append(text)
                out.attachments += files
            return
        if kind in _ENCRYPTED_TYPES:
            smime_type = part.params.get("smime-type", "").lower()
            if smime_type == "signed-data":
                out.signed = True
            elif smime_type != "certs-only":
                out.encrypted = True
        if not name:
            name = _name_from_content_id(part) or fallback_filename(part, "", self.hints, self.note)
            name = _unique(name, out.generated_names)
        out.attachments.append(
            MailAttachment(filename=name, content_type=kind, data=payload, content_id=_content_id(part))
        )


def _name_from_content_id(part: Part) -> str:
    """Outlook names pictures only in their Content-ID ("image001.jpg@01D4…")."""
    local = _content_id(part).split("@", 1)[0]
    return safe_filename(local) if _FILE_NAME.match(local) else ""


def _unique(name: str, taken: dict[str, int]) -> str:
    """Names we make up get a number when repeated: image.jpg, image1.jpg, image2.jpg."""
    count = taken.get(name.lower(), 0)
    taken[name.lower()] = count + 1
    if not count:
        return name
    stem, dot, extension = name.rpartition(".")
    return f"{stem}{count}.{extension}" if dot else f"{name}{count}"


def _content_id(part: Part) -> str:
    raw = part.header("content-id")
    if raw is None:
        return ""
    return raw.decode("latin-1").strip().strip("<>").strip()[:250]


_FILE_NAME = re.compile(r"^[^\s/\\]{1,80}\.[A-Za-z][A-Za-z0-9]{0,4}$")
_STRAY_BOUNDARY = re.compile(rb"^--([!-~]{1,200})[ \t]*\r?\n[Cc]ontent-", re.M)
_HEADER_END = re.compile(rb"\r?\n\r?\n")


def _peek_header(data: bytes, name: bytes) -> bytes | None:
    """One header's raw value from the head of a message that is still transfer-encoded."""
    head_end = _HEADER_END.search(data, 0, 65536)
    head = data[: head_end.start() if head_end else 65536]
    for line in head.splitlines():
        key, colon, value = line.partition(b":")
        if colon and key.strip().lower() == name:
            return value.strip()
    return None


def unflow(text: str, *, delsp: bool) -> str:
    """Undo RFC 3676 format=flowed: a line ending in a space continues on the next line."""
    lines = text.split("\n")
    out: list[str] = []
    buffer = ""
    for line in lines:
        line = line.rstrip("\r")
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            buffer += line[:-1] if delsp else line
            continue
        out.append(buffer + line)
        buffer = ""
    if buffer:
        out.append(buffer)
    return "\n".join(out)
