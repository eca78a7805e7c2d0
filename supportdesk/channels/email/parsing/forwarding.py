"""Who originally wrote a forwarded mail (so a ticket can be opened for them, not the forwarder).

Recognised: a forwarding marker line in the text (Gmail, Apple Mail, Thunderbird, Outlook, in
several languages) followed by a header block ("From:", "Von:", "De:", "Od:", "Từ:", "发件人:",
"寄件者:" …), and messages attached as message/rfc822. Outlook's "Original Message" marker also
introduces quoted history in ordinary replies, so it only counts when the subject says "forward"
or the mail is not a reply.
"""

from __future__ import annotations

import re

from supportdesk.channels.email.parsing.headers import parse_addresses, single_line
from supportdesk.channels.email.parsing.types import Address, Forwarded

MAX_SCAN_CHARS = 200_000
HEADER_LINES_AFTER_MARKER = 14

# Unambiguous: only forwarding produces these.
_FORWARD_MARKER = re.compile(
    r"^[ \t>*]{0,8}(?:"
    r"-{2,20}[ \t]*(?:Forwarded message|Weitergeleitete Nachricht|Message transf\u00e9r\u00e9|"
    r"Mensaje reenviado|Wiadomo\u015b\u0107 przekazana dalej|Przekazana wiadomo\u015b\u0107|"
    r"Th\u01b0 \u0111\u01b0\u1ee3c chuy\u1ec3n ti\u1ebfp|\u8f6c\u53d1\u7684\u90ae\u4ef6|"
    r"\u8f49\u5bc4\u7684\u90f5\u4ef6|Doorgestuurd bericht|Messaggio inoltrato|Mensagem encaminhada|"
    r"Forwarded Message|Videresendt melding|Vidarebefordrat meddelande)[ \t]*-{0,20}[ \t]*"
    r"|Begin forwarded message[ \t]*:"
    r"|Anfang der weitergeleiteten Nachricht[ \t]*:"
    r"|D\u00e9but du message (?:r\u00e9exp\u00e9di\u00e9|transf\u00e9r\u00e9)[ \t]*:"
    r"|Inicio del mensaje reenviado[ \t]*:"
    r"|Pocz\u0105tek przekazywanej wiadomo\u015bci[ \t]*:"
    r"|B\u1eaft \u0111\u1ea7u th\u01b0 \u0111\u01b0\u1ee3c chuy\u1ec3n ti\u1ebfp[ \t]*:"
    r"|\u4ee5\u4e0b\u662f\u8f6c\u53d1\u7684\u90ae\u4ef6[ \t]*[:\uff1a]"
    r")[ \t]*$",
    re.I | re.M,
)
# Also used for quoted history in replies.
_ORIGINAL_MARKER = re.compile(
    r"^[ \t>*]{0,8}(?:-{2,20}[ \t]*(?:Original Message|Urspr\u00fcngliche Nachricht|Message d'origine|"
    r"Mensaje original|Wiadomo\u015b\u0107 oryginalna|Oorspronkelijk bericht|Messaggio originale|"
    r"Mensagem original|Th\u01b0 g\u1ed1c|\u539f\u59cb\u90ae\u4ef6|\u539f\u59cb\u90f5\u4ef6)[ \t]*-{2,20}"
    r"|_{10,80})[ \t]*$",
    re.I | re.M,
)
_FROM_LABELS = (
    "from|von|de|od|t\u1eeb|\u53d1\u4ef6\u4eba|\u5bc4\u4ef6\u8005|\u5bc4\u4ef6\u4eba|van|da|fr\u00e5n|fra|"
    "l\u00e4hett\u00e4j\u00e4|absender|exp\u00e9diteur|remitente|nadawca|\u5dee\u51fa\u4eba|\u9001\u4fe1\u8005"
)
_SUBJECT_LABELS = (
    "subject|betreff|objet|asunto|temat|ti\u00eau \u0111\u1ec1|ch\u1ee7 \u0111\u1ec1|"
    "\u4e3b\u9898|\u4e3b\u65e8|"
    "\u4e3b\u984c|onderwerp|oggetto|assunto|\u00e4mne|emne|aihe|\u4ef6\u540d"
)
_HEADER = re.compile(
    rf"^[ \t>*]{{0,8}}(?P<label>{_FROM_LABELS}|{_SUBJECT_LABELS})"
    rf"[ \t*]{{0,3}}[:\uff1a][ \t*]{{0,3}}(?P<value>[^\n]{{0,500}})$",
    re.I | re.M,
)
_FROM = re.compile(rf"^(?:{_FROM_LABELS})$", re.I)
_FORWARD_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)?(?:fwd?|wg|tr|rv|enc|pd|vs|doorst|i|fw\u0111|\u8f6c\u53d1|\u8f49\u5bc4)\s*[:\uff1a]",
    re.I,
)
_REPLY_SUBJECT = re.compile(
    r"^\s*(?:re|aw|sv|odp|antw|r|tr\u1ea3 l\u1eddi|\u56de\u590d|\u56de\u8986)\s*[:\uff1a]", re.I
)
_MAILTO = re.compile(r"\[mailto:([^\]\s]{3,320})\]", re.I)


def is_forward_subject(subject: str) -> bool:
    return bool(_FORWARD_SUBJECT.match(subject))


def _sender_from(value: str) -> Address | None:
    value = value.replace("*", " ").strip()
    mailto = _MAILTO.search(value)
    if mailto:  # Outlook: "Name [mailto:a@b]"
        name = _MAILTO.sub("", value).strip().strip('"')
        return Address(email=mailto.group(1).strip().lower(), name=single_line(name))
    addresses = parse_addresses(value)
    return addresses[0] if addresses else None


def _header_block(text: str, start: int) -> tuple[Address | None, str]:
    """The original sender and subject from the header lines right after a marker."""
    sender: Address | None = None
    subject = ""
    lines = text[start : start + 5000].split("\n")[: HEADER_LINES_AFTER_MARKER + 1]
    block = "\n".join(lines)
    for match in _HEADER.finditer(block):
        label = match.group("label").lower()
        value = match.group("value").strip()
        if _FROM.match(label):
            if sender is None:
                sender = _sender_from(value)
        elif not subject:
            subject = single_line(value)
    return sender, subject


def detect_forwarded(
    *, text: str, subject: str, is_reply: bool, attached_senders: list[tuple[Address, str]]
) -> Forwarded | None:
    """The original sender of a forwarded mail, or None when the mail is not a forward.

    `attached_senders` are (sender, subject) of messages attached as message/rfc822.
    """
    scan = text[:MAX_SCAN_CHARS]
    marker = _FORWARD_MARKER.search(scan)
    forward_subject = is_forward_subject(subject)
    if marker is None and (forward_subject or not is_reply):
        marker = _ORIGINAL_MARKER.search(scan)
    if marker is not None:
        sender, original_subject = _header_block(scan, marker.end())
        if sender is not None:
            return Forwarded(sender=sender, subject=original_subject)
    if forward_subject and marker is None:
        # Some clients drop the marker line and keep only the header block.
        first = _HEADER.search(scan)
        if first is not None and _FROM.match(first.group("label")):
            sender, original_subject = _header_block(scan, first.start())
            if sender is not None:
                return Forwarded(sender=sender, subject=original_subject)
    if attached_senders and (
        forward_subject or not text.strip() or (len(attached_senders) == 1 and not is_reply)
    ):
        sender, original_subject = attached_senders[0]
        return Forwarded(sender=sender, subject=original_subject)
    return None
