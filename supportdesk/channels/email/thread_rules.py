"""The pure rules of mail intake: reading a Message-ID cheaply, cleaning subjects, finding the
ticket number we put in subjects, ordering the Message-IDs a reply refers to, and telling our
own addresses from others. No database, no Django models: tested exhaustively on their own.

The subject tag is "[#<ticket id>]" (for example "Re: [#123] Printer on fire"). Only the
bracketed form counts: a bare "#123" is too often an order or invoice number to thread on, and
a subject match is trusted only when the sender takes part in that ticket (the caller checks).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# Reply and forward prefixes in the languages our customers write in (and a few neighbours),
# with the optional counter some clients add ("Re[2]:", "RE^3:") and a half- or full-width
# colon. "Trả lời" is Vietnamese, "Odp"/"PD" Polish, "AW"/"WG" German, "TR" French, "RV"
# Spanish, "SV"/"VS" Nordic, "Antw" Dutch, the CJK ones Chinese (simplified and traditional).
_PREFIX_WORDS = (
    r"re|fwd?|aw|wg|tr|rv|odp|pd|sv|vs|antw|enc|"
    r"trả lời|tl|chuyển tiếp|回复|答复|转发|回覆|覆|轉寄|轉送|转寄"
)
_PREFIX = re.compile(
    rf"^\s*(?:\[[^\]]*\]\s*)?(?:{_PREFIX_WORDS})\s*(?:\[\d+\]|\^\d+|\(\d+\))?\s*[:：]\s*",
    re.IGNORECASE,
)
_ONLY_PREFIX = re.compile(rf"^\s*(?:{_PREFIX_WORDS})\s*(?:\[\d+\]|\^\d+|\(\d+\))?\s*[:：]", re.IGNORECASE)
_TAG = re.compile(r"\[#(\d{1,18})\]")
_SPACES = re.compile(r"\s+")
_MARKUP_START = re.compile(r"<")
_SCRIPT_URL = re.compile(r"(javascript\s*):", re.IGNORECASE)

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_MESSAGE_ID = re.compile(rb"^message-id[ \t]*:[ \t]*((?:[^\r\n]*)(?:\r?\n[ \t][^\r\n]*)*)", re.I | re.M)
_ANGLE_ID = re.compile(r"<([^<>\s]+)>")
HEADER_SCAN_LIMIT = 256 * 1024
MAX_MESSAGE_ID = 998
MAX_REFERENCES = 50


# -- Message-IDs ----------------------------------------------------------------------------
def clean_message_id(value: str) -> str:
    """A Message-ID as we store it: without angle brackets and surrounding space."""
    value = (value or "").strip()
    match = _ANGLE_ID.search(value)
    if match:
        value = match.group(1)
    return value.strip("<> \t\r\n")[:MAX_MESSAGE_ID]


def cheap_message_id(raw: bytes) -> str:
    """The Message-ID header of a raw message, read without parsing the message (the intake
    stores it before anything parses the mail). "" when there is none."""
    head = raw[:HEADER_SCAN_LIMIT]
    end = _HEADER_END.search(head)
    if end is not None:
        head = head[: end.start() + 1]
    match = _MESSAGE_ID.search(head)
    if match is None:
        return ""
    value = match.group(1).decode("latin-1")
    return clean_message_id(" ".join(value.split()))


def referenced_ids(in_reply_to: Sequence[str], references: Sequence[str]) -> list[str]:
    """The Message-IDs a reply refers to, most telling first: In-Reply-To, then References
    from the newest (last) to the oldest; without repeats and bounded."""
    ordered: list[str] = []
    for value in [*in_reply_to, *reversed(list(references))]:
        cleaned = clean_message_id(value)
        if cleaned and cleaned not in ordered:
            ordered.append(cleaned)
        if len(ordered) >= MAX_REFERENCES:
            break
    return ordered


def id_variants(ids: Iterable[str]) -> list[str]:
    """Each id as stored by us (bare) and in angle brackets, for a lookup that tolerates rows
    written either way."""
    out: list[str] = []
    for value in ids:
        if value:
            out += [value, f"<{value}>"]
    return out


def first_match(ordered_ids: Sequence[str], found: dict[str, int]) -> int | None:
    """The value `found` holds for the earliest of `ordered_ids` (bare or bracketed)."""
    for value in ordered_ids:
        for variant in (value, f"<{value}>"):
            if variant in found:
                return found[variant]
    return None


# -- subjects -------------------------------------------------------------------------------
def subject_ticket_id(subject: str) -> int | None:
    """The ticket number of our "[#123]" tag in a subject, if there is one."""
    match = _TAG.search(subject or "")
    return int(match.group(1)) if match else None


def has_reply_prefix(subject: str) -> bool:
    return bool(_ONLY_PREFIX.match(subject or ""))


def strip_subject(subject: str) -> str:
    """The subject without reply/forward prefixes (repeated, in any of our languages) and
    without our "[#123]" tag, on one line."""
    text = _SPACES.sub(" ", subject or "").strip()
    for _ in range(20):
        before = text
        text = _TAG.sub(" ", text)
        text = _SPACES.sub(" ", text).strip()
        match = _PREFIX.match(text)
        if match and match.end() < len(text):
            text = text[match.end() :]
        elif match:
            text = ""
        text = text.strip(" -–—:")
        if text == before:
            break
    return text


def neutralize_subject(subject: str) -> str:
    """A subject the ticket services accept: what would read as markup ("<script>",
    "javascript:") is replaced by look-alike characters, so the mail is kept, not refused."""
    text = _MARKUP_START.sub("‹", subject)
    text = text.replace(">", "›")
    return _SCRIPT_URL.sub(lambda m: m.group(1) + "∶", text)


def fit_subject(subject: str, limit: int) -> str:
    if len(subject) <= limit:
        return subject
    return subject[: limit - 1].rstrip() + "…"


# -- addresses ------------------------------------------------------------------------------
def base_address(address: str) -> str:
    """An address without its plus part, lower-cased: support+t12-abc@x → support@x."""
    local, at, domain = (address or "").strip().lower().rpartition("@")
    if not at:
        return (address or "").strip().lower()
    return f"{local.split('+', 1)[0]}@{domain}"


def is_own_address(address: str, own: frozenset[str], reply_domain: str = "") -> bool:
    """Whether `address` is one of ours: a mailbox address or alias, any plus-address of
    them, or any address at the dedicated reply domain."""
    address = (address or "").strip().lower()
    if not address:
        return False
    if address in own or base_address(address) in own:
        return True
    return bool(reply_domain) and address.rpartition("@")[2] == reply_domain.lower()
