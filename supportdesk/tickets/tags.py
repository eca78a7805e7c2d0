"""Tag name rules (pure): lower case, no spaces, letters of any script, digits and - _ . : /"""

from __future__ import annotations

import re
import unicodedata

MAX_TAG_LENGTH = 50
MAX_TAGS_PER_TICKET = 30
_ALLOWED = re.compile(r"^[\w\-.:/]+$")


class InvalidTag(ValueError):
    pass


def clean_tag(raw: str) -> str:
    tag = unicodedata.normalize("NFC", (raw or "").strip()).casefold()
    tag = "-".join(tag.split())
    if not tag or len(tag) > MAX_TAG_LENGTH or not _ALLOWED.match(tag):
        raise InvalidTag(raw)
    return tag


def clean_tags(raw: list[str] | tuple[str, ...]) -> list[str]:
    """Distinct cleaned tags in the order given; raises InvalidTag on the first bad one."""
    result: list[str] = []
    for item in raw:
        tag = clean_tag(item)
        if tag not in result:
            result.append(tag)
    return result


def split_tag_input(text: str) -> list[str]:
    """Tags typed into one box, separated by commas or spaces."""
    return [part for part in re.split(r"[,\s]+", text or "") if part]
