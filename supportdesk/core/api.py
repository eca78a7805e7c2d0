"""Shared bases of the REST API's input schemas (every app's api.py builds on them).

Inputs forbid unknown fields (a typo is an error, not a silently ignored key) and NUL
characters (PostgreSQL text cannot store them); PATCH inputs treat an absent field as
"leave unchanged".
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field, ValidationInfo, field_validator

ID_MAX = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=ID_MAX)]


def contains_nul(value: Any, depth: int = 0) -> bool:
    """Whether a NUL character hides anywhere in `value` (PostgreSQL text cannot store one)."""
    if isinstance(value, str):
        return "\x00" in value
    if depth > 20:
        return True  # absurdly deep nesting is hostile input, refuse it too
    if isinstance(value, dict):
        return any(contains_nul(k, depth + 1) or contains_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item, depth + 1) for item in value)
    return False


class Input(Schema):
    """Base of request bodies: unknown fields and NUL characters are validation errors."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _reject_nul(cls, value: Any) -> Any:
        if contains_nul(value):
            raise ValueError(_("Text cannot contain NUL characters."))
        return value


class PatchInput(Input):
    """A partial update: absent fields stay as they are; only fields in `nullable` accept null."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _reject_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError(_("This field cannot be null."))
        return value

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, with their values."""
        return {name: getattr(self, name) for name in self.model_fields_set}
