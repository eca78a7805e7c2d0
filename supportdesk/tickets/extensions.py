"""Extension points for higher layers (channels, automations) to add to ticket pages without
the tickets app importing them. They register a provider in their AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from supportdesk.tickets.models import Message


@dataclass(frozen=True)
class MessageNote:
    """A short line shown under a message, such as the delivery state of the email it went out as."""

    text: str
    tone: str = "info"  # info, success, warning or error: how the page colours it
    detail: str = ""


MessageNotesProvider = Callable[[Sequence[Message]], dict[int, list[MessageNote]]]
_providers: list[MessageNotesProvider] = []


def register_message_notes(provider: MessageNotesProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def message_notes(messages: Sequence[Message]) -> dict[int, list[MessageNote]]:
    """Every provider's notes for `messages`, by message id. Providers must read in bulk (one
    query for all the messages), so a ticket page's query count stays flat."""
    notes: dict[int, list[MessageNote]] = {}
    if not messages:
        return notes
    for provider in _providers:
        for message_id, items in provider(messages).items():
            notes.setdefault(message_id, []).extend(items)
    return notes
