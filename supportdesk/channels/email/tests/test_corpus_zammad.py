"""Acceptance on Zammad's 106 real-world mails with their expected parse results.

The corpus is read at test time from ../shared/corpora (never copied into the repository); the
test is skipped when it is absent. Each mail is compared field by field; the scores must reach
the targets of issue 3, and a score table is printed (run with -s to see it).
"""

from __future__ import annotations

import base64
import binascii
import collections
import contextlib
import difflib
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from supportdesk.channels.email.parsing import MailParseError, ParsedMail, parse_message
from supportdesk.channels.email.parsing.headers import parse_addresses
from supportdesk.channels.email.parsing.html import html_to_text
from supportdesk.channels.email.tests.zammad_allowlist import ALLOWED

CASES = 106
TARGETS = {"subject": 104, "sender": 104, "name": 100, "body": 100, "attachments": 100}
BODY_SIMILARITY = 0.8
# Zammad stores the original HTML body as an extra attachment called "message.html"; we keep
# the HTML as ParsedMail.html instead, so that entry is checked against `html`, not attachments.
ZAMMAD_HTML_COPY = "message.html"
ZAMMAD_NO_BODY = "no visible content"


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


def mail_dir() -> Path:
    root = corpora_root()
    folder = root / "zammad" / "test" / "data" / "mail" if root else None
    if folder is None or not folder.is_dir():
        pytest.skip("Zammad corpus not found at ../shared/corpora/zammad/test/data/mail")
    return folder


class _RubyTolerantLoader(yaml.SafeLoader):
    """SafeLoader that reads Ruby-tagged nodes (!ruby/hash:…) as plain data."""


def _plain(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_RubyTolerantLoader.add_multi_constructor("!", _plain)


def normalized(text: str) -> str:
    return " ".join((text or "").split())


def similarity(expected: str, actual: str) -> float:
    """difflib ratio on whitespace-normalized text (by words when long, to stay fast)."""
    a, b = normalized(expected), normalized(actual)
    if a == b:
        return 1.0
    if max(len(a), len(b)) > 20_000:
        return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _emails(value: str | None) -> set[str]:
    return {address.email for address in parse_addresses(value or "")}


@dataclass
class CaseResult:
    name: str
    checks: dict[str, bool] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    body_ratio: float = 0.0
    seconds: float = 0.0


def compare(name: str, parsed: ParsedMail | None, expected: dict[str, Any], error: str = "") -> CaseResult:
    result = CaseResult(name=name)
    if parsed is None:
        for check in ("subject", "sender", "name", "recipients", "body", "attachments", "md5"):
            result.checks[check] = False
            result.details[check] = f"parse failed: {error}"
        return result
    subject = normalized(str(expected.get("subject") or ""))
    result.checks["subject"] = normalized(parsed.subject) == subject
    result.details["subject"] = f"{subject!r} vs {parsed.subject!r}"
    sender = str(expected.get("from_email") or "").strip().lower()
    actual_sender = parsed.sender.email if parsed.sender else ""
    result.checks["sender"] = actual_sender == sender
    result.details["sender"] = f"{sender!r} vs {actual_sender!r}"
    display = normalized(str(expected.get("from_display_name") or ""))
    actual_display = normalized(parsed.sender.name if parsed.sender else "")
    result.checks["name"] = actual_display == display
    result.details["name"] = f"{display!r} vs {actual_display!r}"
    expected_recipients = _emails(expected.get("to")) | _emails(expected.get("cc"))
    actual_recipients = {a.email for a in parsed.to} | {a.email for a in parsed.cc}
    result.checks["recipients"] = expected_recipients == actual_recipients
    result.details["recipients"] = f"{sorted(expected_recipients)} vs {sorted(actual_recipients)}"
    body = str(expected.get("body") or "")
    actual_body = parsed.text
    if expected.get("content_type") == "text/html":
        # Zammad keeps the HTML alternative as the body: compare it with ours, both as text
        # (our `text` comes from the plain alternative, which mailers often write differently).
        body = html_to_text(body)
        actual_body = html_to_text(parsed.html) if parsed.html else parsed.text
    if body.strip() == ZAMMAD_NO_BODY:
        body = ""  # Zammad's placeholder for a mail without a visible body
        actual_body = "" if parsed.encrypted else actual_body  # ours says "encrypted" instead
    result.body_ratio = similarity(body, actual_body)
    result.checks["body"] = result.body_ratio >= BODY_SIMILARITY
    result.details["body"] = (
        f"{result.body_ratio:.2f}: {normalized(body)[:120]!r} vs {normalized(actual_body)[:120]!r}"
    )
    files = [a for a in expected.get("attachments") or [] if a.get("filename") != ZAMMAD_HTML_COPY]
    html_copy_ok = all(
        bool(parsed.html.strip())
        for a in expected.get("attachments") or []
        if a.get("filename") == ZAMMAD_HTML_COPY
    )
    expected_names = collections.Counter(normalized(str(a.get("filename") or "")) for a in files)
    actual_names = collections.Counter(normalized(a.filename) for a in parsed.attachments)
    result.checks["attachments"] = expected_names == actual_names and html_copy_ok
    result.details["attachments"] = (
        f"{sorted(expected_names.elements())} vs {sorted(actual_names.elements())}"
    )
    # Zammad stores text files with LF line ends; the mails carry CRLF (we keep files verbatim).
    actual_md5 = {_md5(a.data) for a in parsed.attachments} | {
        _md5(a.data.replace(b"\r\n", b"\n")) for a in parsed.attachments
    }
    missing = [a.get("filename") for a in files if not _expected_md5s(a.get("data")) & actual_md5]
    result.checks["md5"] = not missing
    result.details["md5"] = f"no attachment with the content of {missing}"
    return result


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _expected_md5s(value: Any) -> set[str]:
    """The fixtures hold text files as text and binary files base64-encoded: accept either."""
    if isinstance(value, bytes):
        return {_md5(value)}
    text = str(value or "")
    candidates = {_md5(text.encode("utf-8"))}
    with contextlib.suppress(binascii.Error, ValueError):
        candidates.add(_md5(base64.b64decode("".join(text.split()), validate=True)))
    return candidates


def run_corpus(folder: Path) -> list[CaseResult]:
    results = []
    for box in sorted(folder.glob("mail*.box")):
        expected_file = box.with_suffix(".yml")
        if not expected_file.is_file():
            continue
        expected = yaml.load(expected_file.read_text(encoding="utf-8"), Loader=_RubyTolerantLoader)  # noqa: S506
        raw = box.read_bytes()
        started = time.perf_counter()
        parsed, error = None, ""
        try:
            parsed = parse_message(raw)
        except MailParseError as exc:
            error = str(exc)
        elapsed = time.perf_counter() - started
        result = compare(box.stem, parsed, expected, error)
        result.seconds = elapsed
        results.append(result)
    return results


def score_table(results: list[CaseResult]) -> dict[str, int]:
    """Passing cases per check, counting allow-listed cases as passing for their listed checks."""
    scores: dict[str, int] = {}
    for check in ("subject", "sender", "name", "recipients", "body", "attachments", "md5"):
        scores[check] = sum(
            1 for r in results if r.checks.get(check) or check in ALLOWED.get(r.name, {}).get("checks", ())
        )
    return scores


@pytest.fixture(scope="module")
def zammad_results() -> list[CaseResult]:
    return run_corpus(mail_dir())


def test_every_zammad_mail_is_compared(zammad_results: list[CaseResult]) -> None:
    assert len(zammad_results) == CASES


def test_zammad_scores_reach_the_targets(zammad_results: list[CaseResult]) -> None:
    scores = score_table(zammad_results)
    strict = {
        check: sum(1 for r in zammad_results if r.checks.get(check))
        for check in ("subject", "sender", "name", "recipients", "body", "attachments", "md5")
    }
    mean_ms = 1000 * sum(r.seconds for r in zammad_results) / len(zammad_results)
    print(f"\nZammad corpus: {len(zammad_results)} mails, mean parse time {mean_ms:.2f} ms")
    print(f"{'check':<12} {'strict':>7} {'with allow-list':>16} {'target':>7}")
    for check, score in scores.items():
        print(f"{check:<12} {strict[check]:>7} {score:>16} {TARGETS.get(check, '-'):>7}")
    for result in zammad_results:
        failed = [c for c, ok in result.checks.items() if not ok]
        if failed:
            print(f"  {result.name}: " + "; ".join(f"{c}: {result.details[c]}" for c in failed))
    for check, target in TARGETS.items():
        assert scores[check] >= target, f"{check}: {scores[check]} < {target}"


def test_allow_list_is_small_and_specific(zammad_results: list[CaseResult]) -> None:
    """Every excused case names its checks, gives a specific reason, and really needs excusing."""
    by_name = {r.name: r for r in zammad_results}
    assert len(ALLOWED) <= 12
    for name, entry in ALLOWED.items():
        assert name in by_name, f"allow-listed {name} is not in the corpus"
        assert entry["checks"], name
        assert len(entry["reason"]) > 30, f"{name}: the reason must say what the quirk is"
        for check in entry["checks"]:
            assert not by_name[name].checks.get(check), f"{name}: {check} passes now; remove it from the list"


def test_zammad_mean_parse_time_is_small(zammad_results: list[CaseResult]) -> None:
    # The ingest path targets 400 messages/s with everything else included: parsing must be
    # a small part of the 2.5 ms per message budget on average.
    mean = sum(r.seconds for r in zammad_results) / len(zammad_results)
    assert mean < 0.010, f"mean parse time {mean * 1000:.1f} ms"
