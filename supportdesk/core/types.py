"""Structural types that let lower layers talk about people without importing the accounts app."""

from __future__ import annotations

from typing import Protocol


class Person(Protocol):
    @property
    def pk(self) -> int | None: ...

    @property
    def email(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def is_staff_member(self) -> bool: ...

    @property
    def is_agent(self) -> bool: ...

    @property
    def sees_all_tickets(self) -> bool: ...

    @property
    def is_administrator(self) -> bool: ...
