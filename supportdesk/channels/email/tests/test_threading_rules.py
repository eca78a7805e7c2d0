"""The pure rules of intake (thread_rules): Message-IDs, subjects, our own addresses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supportdesk.channels.email import thread_rules as rules
from supportdesk.core.text import contains_markup


# -- Message-IDs ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<abc@example.com>", "abc@example.com"),
        ("  <abc@example.com>  ", "abc@example.com"),
        ("abc@example.com", "abc@example.com"),
        ("junk before <abc@example.com> junk after", "abc@example.com"),
        ("", ""),
    ],
)
def test_clean_message_id(value, expected):
    assert rules.clean_message_id(value) == expected


def test_cheap_message_id_reads_the_header_without_parsing():
    raw = b"From: a@b.c\r\nMessage-ID: <one@x>\r\nSubject: hi\r\n\r\nMessage-ID: <not-this@x>\r\n"
    assert rules.cheap_message_id(raw) == "one@x"


def test_cheap_message_id_is_case_insensitive_and_unfolds():
    raw = b"From: a@b.c\nmessage-id:\n <folded@x>\nSubject: hi\n\nbody"
    assert rules.cheap_message_id(raw) == "folded@x"


def test_cheap_message_id_ignores_the_body_and_missing_headers():
    assert rules.cheap_message_id(b"From: a@b.c\r\n\r\nMessage-ID: <body@x>\r\n") == ""
    assert rules.cheap_message_id(b"") == ""
    assert rules.cheap_message_id(b"\xff\xfe garbage") == ""


def test_cheap_message_id_of_8bit_header_is_kept_as_latin1():
    assert rules.cheap_message_id(b"Message-ID: <caf\xe9@x>\r\n\r\n") == "café@x"


@given(st.binary(max_size=2000))
def test_cheap_message_id_never_fails(raw):
    assert len(rules.cheap_message_id(raw)) <= rules.MAX_MESSAGE_ID


def test_referenced_ids_put_in_reply_to_first_then_newest_references():
    ids = rules.referenced_ids(["<c@x>"], ["<a@x>", "<b@x>", "<c@x>"])
    assert ids == ["c@x", "b@x", "a@x"]


def test_referenced_ids_are_bounded():
    refs = [f"<{n}@x>" for n in range(500)]
    assert len(rules.referenced_ids([], refs)) == rules.MAX_REFERENCES
    assert rules.referenced_ids([], refs)[0] == "499@x"


def test_first_match_follows_the_order_and_accepts_bracketed_rows():
    found = {"<b@x>": 2, "a@x": 1}
    assert rules.first_match(["b@x", "a@x"], found) == 2
    assert rules.first_match(["z@x", "a@x"], found) == 1
    assert rules.first_match(["z@x"], found) is None


# -- subjects ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Printer on fire", "Printer on fire"),
        ("RE: RE: Fwd: Printer on fire", "Printer on fire"),
        ("Re[2]: Printer", "Printer"),
        ("AW: WG: Drucker brennt", "Drucker brennt"),
        ("TR: RE : Imprimante", "Imprimante"),
        ("RV: Impresora", "Impresora"),
        ("Odp: PD: Drukarka", "Drukarka"),
        ("回复：打印机着火了", "打印机着火了"),
        ("答复: 转发: 打印机", "打印机"),
        ("回覆: 轉寄: 印表機", "印表機"),
        ("Trả lời: Máy in bị cháy", "Máy in bị cháy"),
        ("Re: [#123] Printer on fire", "Printer on fire"),
        ("[#123] Re: Printer on fire", "Printer on fire"),
        ("Printer on fire [#123]", "Printer on fire"),
        ("Re:", ""),
        ("   ", ""),
        ("Rebooting the server", "Rebooting the server"),
        ("Regarding: invoice", "Regarding: invoice"),
        ("Fwdx: not a prefix", "Fwdx: not a prefix"),
    ],
)
def test_strip_subject(subject, expected):
    assert rules.strip_subject(subject) == expected


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: [#123] Printer", 123),
        ("Printer [#7]", 7),
        ("Order #123 is late", None),
        ("[# 12] spaced", None),
        ("[#abc]", None),
        ("", None),
    ],
)
def test_subject_ticket_id_only_reads_our_bracketed_tag(subject, number):
    assert rules.subject_ticket_id(subject) == number


def test_has_reply_prefix():
    assert rules.has_reply_prefix("Re: x")
    assert rules.has_reply_prefix("回复：x")
    assert not rules.has_reply_prefix("Report: x")


@pytest.mark.parametrize(
    "subject",
    ["<script>alert(1)</script>", "click javascript:alert(1)", "a < b and <b>bold</b>", "<!-- x -->"],
)
def test_neutralize_subject_leaves_no_markup(subject):
    cleaned = rules.neutralize_subject(subject)
    assert not contains_markup(cleaned)
    assert cleaned.replace("‹", "<").replace("›", ">").replace("∶", ":") == subject


@given(st.text(max_size=300))
def test_neutralized_subjects_are_always_accepted(subject):
    assert not contains_markup(rules.neutralize_subject(subject))


def test_fit_subject():
    assert rules.fit_subject("short", 250) == "short"
    long = rules.fit_subject("x" * 300, 250)
    assert len(long) == 250 and long.endswith("…")


# -- addresses --------------------------------------------------------------------------------
def test_base_address_drops_the_plus_part():
    assert rules.base_address("Support+t12-abc@Desk.Test") == "support@desk.test"
    assert rules.base_address("plain@desk.test") == "plain@desk.test"
    assert rules.base_address("not-an-address") == "not-an-address"


def test_own_addresses_include_aliases_plus_addresses_and_the_reply_domain():
    own = frozenset({"support@desk.test", "help@desk.test"})
    assert rules.is_own_address("SUPPORT@desk.test", own)
    assert rules.is_own_address("support+t1-abcdefghij@desk.test", own)
    assert rules.is_own_address("help+anything@desk.test", own)
    assert not rules.is_own_address("customer@example.com", own)
    assert not rules.is_own_address("", own)
    assert rules.is_own_address("anyone@reply.desk.test", own, "reply.desk.test")
    assert not rules.is_own_address("anyone@desk.test", own, "reply.desk.test")
