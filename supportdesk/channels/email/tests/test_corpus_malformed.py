"""Every message other projects collected as broken, odd or hostile ends as a ParsedMail or a
MailParseError (which sends it to quarantine), never another exception, and each in under 2 s.

The collections are read at test time from ../shared/corpora; a missing one is skipped.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from supportdesk.channels.email.parsing import MailParseError, ParsedMail, parse_message
from supportdesk.channels.email.parsing.parse import InternalParseFailure

LIMIT_SECONDS = 2.0
NOT_MESSAGES = {"SOURCE.md", "README", "README.md"}
# (corpus folder, sub-folder holding the messages, file name pattern); folders are searched
# recursively except where the pattern says otherwise.
COLLECTIONS = [
    ("flanker", "tests/fixtures/messages", "**/*"),
    ("mail_parser", "tests/mails", "**/*"),
    ("request_tracker", "t/data/emails", "**/*"),
    ("cpython_email", "Lib/test/test_email/data", "msg_*.txt"),
    ("django_helpdesk", "tests/test_files", "**/*"),
]


def corpora_root() -> Path | None:
    """../shared/corpora next to the repository (or $SUPPORTDESK_CORPORA)."""
    configured = os.environ.get("SUPPORTDESK_CORPORA")
    if configured:
        return Path(configured) if Path(configured).is_dir() else None
    for parent in Path(__file__).resolve().parents:
        candidate = parent.parent / "shared" / "corpora"
        if (parent / "pyproject.toml").is_file() and candidate.is_dir():
            return candidate
    return None


def _message_files() -> list[tuple[str, Path | None]]:
    root = corpora_root()
    found: list[tuple[str, Path | None]] = []
    for corpus, folder, pattern in COLLECTIONS:
        base = root / corpus / folder if root else None
        if base is None or not base.is_dir():
            found.append((f"{corpus} (missing)", None))
            continue
        for path in sorted(base.glob(pattern)):
            if path.is_file() and path.name not in NOT_MESSAGES:
                found.append((f"{corpus}/{path.relative_to(base)}", path))
    return found


FILES = _message_files()
OUTCOMES: dict[str, tuple[str, float]] = {}


def _parse_timed(raw: bytes) -> tuple[ParsedMail | MailParseError, float]:
    started = time.perf_counter()
    try:
        outcome: ParsedMail | MailParseError = parse_message(raw)
    except MailParseError as error:
        outcome = error
    return outcome, time.perf_counter() - started


@pytest.mark.parametrize(("name", "path"), FILES, ids=[name for name, _path in FILES])
def test_message_parses_or_is_refused_quickly(name: str, path: Path | None) -> None:
    if path is None:
        pytest.skip(f"corpus {name} not found under ../shared/corpora")
    outcome, seconds = _parse_timed(path.read_bytes())
    assert not isinstance(outcome, InternalParseFailure), f"{name}: parser defect: {outcome}"
    assert seconds < LIMIT_SECONDS, f"{name} took {seconds:.2f} s"
    if isinstance(outcome, ParsedMail):
        assert outcome.sender is not None and outcome.sender.email
        assert isinstance(outcome.text, str) and isinstance(outcome.html, str)
        OUTCOMES[name] = ("parsed", seconds)
    else:
        assert str(outcome), "a refusal must say why"
        OUTCOMES[name] = ("refused: " + str(outcome), seconds)


def test_summary_of_the_collections() -> None:
    """Totals for the report (run with -s); re-parses anything the per-file tests did not see."""
    real = [(name, path) for name, path in FILES if path is not None]
    if not real:
        pytest.skip("no malformed-mail corpus found under ../shared/corpora")
    for name, path in real:
        if name not in OUTCOMES:
            outcome, seconds = _parse_timed(path.read_bytes())
            kind = "parsed" if isinstance(outcome, ParsedMail) else "refused: " + str(outcome)
            OUTCOMES[name] = (kind, seconds)
    parsed = sum(1 for name, _ in real if OUTCOMES[name][0] == "parsed")
    refused = len(real) - parsed
    slowest = sorted(((OUTCOMES[name][1], name) for name, _ in real), reverse=True)[:5]
    print(f"\nmalformed collections: {len(real)} files, {parsed} parsed, {refused} MailParseError")
    for seconds, name in slowest:
        print(f"  slow: {name} {seconds * 1000:.1f} ms")
    for name, _ in real:
        if OUTCOMES[name][0] != "parsed":
            print(f"  {name}: {OUTCOMES[name][0]}")
    assert slowest[0][0] < LIMIT_SECONDS
