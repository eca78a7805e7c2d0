"""The pure parts of outgoing mail: subjects, Message-IDs, References, text → HTML, MIME."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supportdesk.channels.email.services.mime import (
    MailFile,
    OutgoingMail,
    bounded_references,
    build_message,
    domain_of,
    new_message_id,
    reply_subject,
    strip_brackets,
    text_to_html,
    with_tag,
)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Printer on fire", "Re: Printer on fire [#7]"),
        ("Re: Printer on fire", "Re: Printer on fire [#7]"),
        ("RE: Re: AW: Printer on fire [#7]", "Re: Printer on fire [#7]"),
        ("Odp: Drukarka [#7]", "Re: Drukarka [#7]"),
        ("Re[2]: Printer", "Re: Printer [#7]"),
        ("Fwd: Printer", "Re: Printer [#7]"),
        ("回复：打印机坏了", "Re: 打印机坏了 [#7]"),
        ("Trả lời: Máy in", "Re: Máy in [#7]"),
        ("Re:", "Re: [#7]"),
        ("Line\nbreak", "Re: Line break [#7]"),
    ],
)
def test_reply_subjects(subject: str, expected: str) -> None:
    assert reply_subject(subject, 7) == expected


def test_the_tag_is_added_once() -> None:
    assert with_tag("Hello", 3) == "Hello [#3]"
    assert with_tag("Hello [#3]", 3) == "Hello [#3]"


def test_message_ids_are_fresh_and_carry_the_domain() -> None:
    ids = {new_message_id("desk.test") for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.endswith("@desk.test") and i == i.lower() and "<" not in i for i in ids)


@pytest.mark.parametrize(
    ("address", "domain"),
    [("a@Desk.Test", "desk.test"), ("a@bücher.example", "xn--bcher-kva.example"), ("nobody", "localhost")],
)
def test_domains(address: str, domain: str) -> None:
    assert domain_of(address) == domain


def test_references_are_bounded_and_unique() -> None:
    ids = [f"<m{n}@x>" for n in range(40)] + ["<m39@x>", "", "  "]
    refs = bounded_references(ids)
    assert refs == ["m0@x", *[f"m{n}@x" for n in range(20, 40)]]
    assert bounded_references(["a@x", "<a@x>", "b@x"]) == ["a@x", "b@x"]
    assert strip_brackets(" <a@x> ") == "a@x"


@given(st.text(max_size=200))
def test_text_to_html_never_lets_markup_through(text: str) -> None:
    html = text_to_html(text)
    assert "<script" not in html.lower()
    for tag in ("<b>", "<img", "<iframe", '<a href="javascript'):
        assert tag not in html


def test_text_to_html_keeps_lines_and_links() -> None:
    html = text_to_html("Hi <you>,\nsee https://example.com/a?b=1&c=2.\n\nBye")
    assert html == (
        '<p>Hi &lt;you&gt;,<br>see <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow">'
        "https://example.com/a?b=1&amp;c=2</a>.</p>\n\n<p>Bye</p>"
    )


def _mail(**changes: object) -> OutgoingMail:
    values: dict[str, object] = {
        "from_name": "Ann (Desk)",
        "from_address": "support@desk.test",
        "to": ["c@example.com"],
        "subject": "Hello",
        "message_id": "abc@desk.test",
        "text": "Hi",
        "date": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    }
    values.update(changes)
    return OutgoingMail(**values)  # type: ignore[arg-type]


def _roundtrip(mail: OutgoingMail):  # type: ignore[no-untyped-def]
    raw = build_message(mail).as_bytes()
    assert raw.isascii()
    return BytesParser(policy=policy.default).parsebytes(raw)


def test_a_text_only_mail() -> None:
    parsed = _roundtrip(_mail())
    assert parsed.get_content_type() == "text/plain"
    assert parsed["Date"] == "Fri, 02 Jan 2026 03:04:05 +0000"
    assert parsed["Message-ID"] == "<abc@desk.test>"
    assert parsed["Reply-To"] is None and parsed["In-Reply-To"] is None and parsed["References"] is None


def test_header_injection_is_impossible() -> None:
    parsed = _roundtrip(_mail(subject="Hi\r\nBcc: victim@example.com", from_name="Eve\nBcc: x@y"))
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "Hi Bcc: victim@example.com"


def test_an_invalid_address_is_refused() -> None:
    with pytest.raises(ValueError):
        build_message(_mail(to=["not an address"]))


def test_files_of_every_kind() -> None:
    files = [
        MailFile("mail.eml", "message/rfc822", b"Subject: x\r\n\r\nbody"),
        MailFile("odd", "", b"\x00\x01"),
        MailFile("pic.png", "image/png", b"png", content_id="pic@x", inline=True),
    ]
    # Without HTML an inline image has nowhere to be shown: it is attached.
    parsed = _roundtrip(_mail(files=files))
    names = [(p.get_filename(), p.get_content_type()) for p in parsed.iter_attachments()]
    assert names == [
        ("mail.eml", "application/octet-stream"),
        ("odd", "application/octet-stream"),
        ("pic.png", "image/png"),
    ]
    assert next(parsed.iter_attachments()).get_content() == b"Subject: x\r\n\r\nbody"


def test_automatic_mail_is_marked() -> None:
    parsed = _roundtrip(_mail(auto_submitted="auto-generated", language="vi"))
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["X-Auto-Response-Suppress"] == "All"
    assert parsed["Content-Language"] == "vi"
