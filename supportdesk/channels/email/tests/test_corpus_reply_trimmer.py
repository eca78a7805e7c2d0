"""Reply extraction against Discourse's email_reply_trimmer fixtures: for each reply body, the new
part we show must equal the expected trimmed text (trailing spaces and blank edges aside) in at
least 90 % of the cases. Read at test time from ../shared/corpora; skipped when absent."""

from __future__ import annotations

from supportdesk.channels.email.replies import extract_reply
from supportdesk.channels.email.tests.conftest import corpus

TARGET = 0.90


def _normalized(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines()).strip()


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip()}


def test_extracted_replies_match_the_trimmed_fixtures() -> None:
    fixtures = corpus("email_reply_trimmer") / "test"
    emails = sorted((fixtures / "emails").glob("*.txt"))
    assert len(emails) >= 60, "the fixture set looks incomplete"
    misses = []
    for path in emails:
        expected = (fixtures / "trimmed" / path.name).read_text(encoding="utf-8")
        original = path.read_text(encoding="utf-8")
        reply, folded = extract_reply(original)
        if _normalized(reply) != _normalized(expected):
            misses.append(path.name)
        # Nothing is thrown away: every line is either shown or kept folded.
        assert _lines(original) <= _lines(reply) | _lines(folded), path.name
    matched = len(emails) - len(misses)
    print(f"\nemail_reply_trimmer: {matched}/{len(emails)} match; misses: {misses}")
    assert matched / len(emails) >= TARGET, f"{matched}/{len(emails)} < {TARGET:.0%}; misses: {misses}"
