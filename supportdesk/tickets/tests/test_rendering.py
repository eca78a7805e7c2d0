"""The ticket page's Python-written parts: every value escaped, bodies sanitized (and the
sanitized bodies remembered without changing them), the same markup the templates wrote."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.core.text import sanitize_html
from supportdesk.customers.models import Customer
from supportdesk.tickets.choices import AuthorKind, Status
from supportdesk.tickets.extensions import MessageNote
from supportdesk.tickets.models import Attachment, Message, Ticket
from supportdesk.tickets.rendering import (
    _SanitizedBodies,
    conversation_html,
    sanitized_body,
    ticket_items_html,
    time_html,
)

HOSTILE = '<script>alert("x")</script>&"\''


def _message(**fields):
    values = {
        "id": 7,
        "is_public": True,
        "author_kind": AuthorKind.CUSTOMER,
        "body_text": HOSTILE,
        "body_html": "",
        "quoted_text": HOSTILE,
        "created_at": timezone.now() - timedelta(hours=3),
    }
    values.update(fields)
    message = Message(**values)
    message.author_customer = Customer(id=3, name=HOSTILE)
    message.page_notes = [MessageNote(text=HOSTILE, tone="warning", detail=HOSTILE)]
    return message


def test_conversation_escapes_every_value():
    token = uuid.uuid4()
    attachment = Attachment(
        id=1, message_id=7, token=token, filename=HOSTILE, size=2048, content_type="text/plain"
    )
    html = conversation_html([_message()], {7: [attachment]})
    assert "<script>" not in html
    assert (
        html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&quot;&#x27;") == 6
    )  # author, body, quote, file, note
    assert '<article class="message customer" id="message-7">' in html
    assert '<div class="body text">' in html and '<details class="quoted-text">' in html
    assert f'href="/attachments/{token}/" download>' in html
    assert '<li class="note-warning">' in html
    assert "2.0\xa0KB" in html


def test_conversation_marks_notes_and_sanitizes_html_bodies():
    note = _message(
        is_public=False, author_kind=AuthorKind.AGENT, body_html='<p onclick="x()">Hi</p><script>1</script>'
    )
    note.author_customer = None
    html = conversation_html([note], {})
    assert '<article class="message note"' in html and '<span class="badge">Internal note</span>' in html
    assert '<div class="body"><p>Hi</p></div>' in html


def test_time_html():
    value = timezone.now() - timedelta(hours=3)
    html = time_html(value, "muted")
    assert html.startswith(f'<time class="muted" datetime="{value.isoformat()}" title="')
    assert html.endswith(">3\xa0hours ago</time>")


def test_ticket_items_escape_subjects():
    ticket = Ticket(id=42, subject=HOSTILE, status=Status.OPEN)
    html = ticket_items_html([ticket])
    assert html.startswith('<li><a href="/desk/tickets/42/">#42 &lt;script&gt;')
    assert '<span class="badge status-open">Open</span></li>' in html


def test_sanitized_bodies_are_remembered_and_unchanged():
    body = "<p>" + "Hello <b>world</b> <img src=x onerror=alert(1)> " * 100 + "</p>"
    first = sanitized_body(body)
    assert first == sanitize_html(body)
    assert sanitized_body(body) is first
    assert sanitized_body("<b onclick=x>short</b>") == "<b>short</b>"


def test_sanitized_bodies_keep_to_their_budget():
    cache = _SanitizedBodies()
    cache.BUDGET = 5_000
    bodies = [f"<p>{n}" + "x" * 1_500 + "</p>" for n in range(5)]
    for body in bodies:
        cache(body)
    assert cache._size <= 5_000
    assert bodies[0] not in cache._items and bodies[-1] in cache._items


@pytest.fixture
def clock(monkeypatch):
    """The time Django's clock and naturaltime read: set `clock[0]` to move it."""
    from datetime import UTC, datetime

    import django.contrib.humanize.templatetags.humanize as humanize

    moment = [datetime(2026, 1, 1, tzinfo=UTC)]

    class Frozen(datetime):  # naturaltime reads datetime.now() itself
        @classmethod
        def now(cls, tz=None):
            return moment[0].astimezone(tz) if tz else moment[0].replace(tzinfo=None)

    monkeypatch.setattr(humanize, "datetime", Frozen)
    monkeypatch.setattr(timezone, "now", lambda: moment[0])
    return moment


def test_natural_time_says_what_naturaltime_says_as_the_clock_moves(clock):
    """Remembered per whole minute, it must still say exactly what Django's naturaltime would,
    second by second: over a minute, an hour, a day, across a month's turn, in every language."""
    from datetime import UTC, datetime

    from django.contrib.humanize.templatetags.humanize import naturaltime
    from django.utils.translation import override

    from supportdesk.tickets.rendering import natural_time

    value = datetime(2026, 1, 31, 10, 15, 42, tzinfo=UTC)
    starts = [value + timedelta(seconds=s) for s in (5, 59, 125, 3500, 3599, 86280, 86399, 90000)]
    starts += [datetime(2026, 2, 28, 10, 15, 40, tzinfo=UTC), datetime(2026, 3, 31, 10, 15, 30, tzinfo=UTC)]
    for language in ("en", "vi", "pl", "zh-hans"):
        for start in starts:
            for step in range(0, 150, 7):  # seconds past the start, crossing minute turns
                clock[0] = start + timedelta(seconds=step)
                with override(language):
                    assert natural_time(value) == naturaltime(value), (language, clock[0])


def test_time_html_remembered_says_what_it_would_write_afresh(clock):
    """Remembered per whole minute, zone, language and class, it must write what it writes with
    nothing remembered, as the clock moves and the viewer's zone and language change."""
    import zoneinfo
    from datetime import UTC, datetime

    from django.utils.translation import override

    from supportdesk.tickets import rendering

    value = datetime(2026, 1, 31, 23, 15, 42, tzinfo=UTC)
    cases = [
        (step, zone, language, css)
        for step in range(0, 4000, 173)  # crossing minute turns, an hour, midnight in some zones
        for zone in ("UTC", "Asia/Ho_Chi_Minh", "Europe/Warsaw")
        for language in ("en", "pl", "zh-hant")
        for css in ("", "muted")
    ]

    def written(step, zone, language, css, *, afresh):
        clock[0] = value + timedelta(seconds=step)
        if afresh:
            rendering._times_html.clear()
            rendering._natural_times.clear()
        with override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
            return rendering.time_html(value, css)

    # Each moment seen by every zone, language and class in turn, each remembering what the
    # others wrote: what it says must be what it would write with nothing remembered.
    remembered = [written(*case, afresh=False) for case in cases]
    assert remembered == [written(*case, afresh=True) for case in cases]
    assert len(set(remembered[:18])) == 18  # one moment: 3 zones x 3 languages x 2 classes


@pytest.mark.parametrize("language", ["en", "pl", "zh-hans"])
def test_the_channel_is_named_as_django_names_it(language):
    from django.utils import translation

    from supportdesk.tickets.choices import Channel

    with translation.override(language):
        for channel in [*Channel.values, "carrier-pigeon"]:
            ticket = Ticket(channel=channel)
            assert ticket.channel_display == str(ticket.get_channel_display())
