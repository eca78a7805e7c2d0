"""Every message of the malformed-mail collections and django-helpdesk's test mail goes through the
real intake path (stored, parsed, threaded, written) without an exception and within 2 s, and
ends as a ticket, a reply, or a quarantine entry with a reason: nothing is dropped silently.

The collections are read at test time from ../shared/corpora; a missing one is skipped.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from supportdesk.channels.email.choices import InboundOutcome, InboundStatus
from supportdesk.channels.email.tests.test_corpus_malformed import FILES, LIMIT_SECONDS
from supportdesk.core.language import detect_language

# Outcomes that are not a ticket but are correct for some corpus mail, each visible in the UI.
ACCOUNTED_FOR_WITHOUT_TICKET = {
    InboundStatus.QUARANTINED,  # shown with its reason, retry and discard
    InboundStatus.DUPLICATE,  # a Message-ID the desk has already taken in
}


@pytest.fixture(scope="module", autouse=True)
def _language_models_loaded() -> None:
    """Load the language detector's models before the clock starts: a worker loads them once at
    start-up (about a second), not per message, and the limit is per message."""
    detect_language("A sentence to load the models with.")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), FILES, ids=[name for name, _path in FILES])
def test_message_ends_as_a_ticket_or_in_quarantine(name: str, path: Path | None, deliver) -> None:
    if path is None:
        pytest.skip(f"corpus {name} not found under ../shared/corpora")
    started = time.perf_counter()
    row = deliver(path.read_bytes())
    seconds = time.perf_counter() - started
    assert seconds < LIMIT_SECONDS, f"{name} took {seconds:.2f} s"
    row.refresh_from_db()
    assert row.status != InboundStatus.RECEIVED, f"{name} was left unprocessed"
    with row.raw.open("rb") as kept:
        assert kept.read() == path.read_bytes(), "the raw message is kept as received"
    if row.status == InboundStatus.PROCESSED and row.outcome != InboundOutcome.BOUNCE:
        assert row.ticket_id is not None, f"{name}: processed ({row.outcome}) without a ticket"
        assert row.outcome in {InboundOutcome.NEW_TICKET, InboundOutcome.REPLY, InboundOutcome.FOLLOW_UP}
    elif row.status == InboundStatus.QUARANTINED:
        assert row.reason.strip(), f"{name}: quarantined without a reason"
    else:
        assert row.status in ACCOUNTED_FOR_WITHOUT_TICKET or row.outcome == InboundOutcome.BOUNCE, (
            f"{name}: ended as {row.status}/{row.outcome}"
        )
