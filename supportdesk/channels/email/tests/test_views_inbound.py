"""The quarantine, recent mail and one email's page: who may see them, what they show (read
cheaply and safely from the raw message), the raw download, and retry and discard through the
intake services, with real mail stored and processed by the real intake."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supportdesk.channels.email import selectors
from supportdesk.channels.email.choices import InboundSource, InboundStatus
from supportdesk.channels.email.models import InboundEmail, Mailbox
from supportdesk.channels.email.services.intake import process_inbound, store_inbound
from supportdesk.channels.email.tests import mailfactory
from supportdesk.channels.email.views import inbound as inbound_views
from supportdesk.core.models import AuditEntry
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

FORBIDDEN_ROLES = ["customer", "collaborator", "agent", "manager"]
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def person_for(request: pytest.FixtureRequest, role: str) -> Any:
    value = request.getfixturevalue(role)
    return value.user if role == "customer" else value


@pytest.fixture
def small_limit(settings: Any) -> None:
    """Messages over 300 bytes are quarantined (the size limit), so real mail lands there."""
    settings.SUPPORTDESK_EMAIL = {**settings.SUPPORTDESK_EMAIL, "MAX_MESSAGE_BYTES": 300}


def receive(raw: bytes, mailbox: Mailbox | None = None) -> InboundEmail:
    """Store and process `raw` through the real intake, as the fetcher would."""
    row, _created = store_inbound(raw=raw, source=InboundSource.IMPORT, mailbox=mailbox)
    process_inbound(row.pk)
    row.refresh_from_db()
    return row


def quarantined(mailbox: Mailbox | None = None, **fields: Any) -> InboundEmail:
    """A quarantined email stored directly (for tests of what the pages show)."""
    raw = fields.pop("raw", None) or mailfactory.email(subject=fields.pop("subject", "Printer on fire"))
    row = InboundEmail(
        mailbox=mailbox,
        source=InboundSource.IMPORT,
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        status=InboundStatus.QUARANTINED,
        reason=fields.pop("reason", "The message cannot be read."),
        **fields,
    )
    row.raw.save("x.eml", ContentFile(raw), save=False)
    row.save()
    return row


def urls(email: InboundEmail) -> list[str]:
    return [
        reverse("email_settings:quarantine"),
        reverse("email_settings:recent"),
        reverse("email_settings:inbound_detail", args=[email.pk]),
        reverse("email_settings:inbound_raw", args=[email.pk]),
    ]


# -- who may see it ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client_for, mailbox):
    email = quarantined(mailbox)
    client = client_for(None)
    for url in urls(email):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    for name in ("inbound_retry", "inbound_discard"):
        assert client.post(reverse(f"email_settings:{name}", args=[email.pk])).status_code == 302


@pytest.mark.parametrize("role", FORBIDDEN_ROLES)
def test_everyone_but_administrators_is_refused(request, client_for, mailbox, role):
    email = quarantined(mailbox)
    client = client_for(person_for(request, role))
    for url in urls(email):
        assert client.get(url).status_code == 403, url
    for name in ("inbound_retry", "inbound_discard"):
        assert client.post(reverse(f"email_settings:{name}", args=[email.pk])).status_code == 403
    email.refresh_from_db()
    assert email.status == InboundStatus.QUARANTINED


@pytest.mark.parametrize("name", ["inbound_detail", "inbound_raw", "inbound_retry", "inbound_discard"])
def test_unknown_emails_are_404(client_for, administrator, name):
    client = client_for(administrator)
    method = client.post if name in {"inbound_retry", "inbound_discard"} else client.get
    assert method(reverse(f"email_settings:{name}", args=[987654])).status_code == 404


def test_actions_need_a_post(client_for, administrator, mailbox):
    email = quarantined(mailbox)
    client = client_for(administrator)
    for name in ("inbound_retry", "inbound_discard"):
        assert client.get(reverse(f"email_settings:{name}", args=[email.pk])).status_code == 405
    email.refresh_from_db()
    assert email.status == InboundStatus.QUARANTINED


# -- the quarantine list ---------------------------------------------------------------------------


def test_real_mail_over_the_limit_shows_in_the_quarantine(client_for, administrator, mailbox, small_limit):
    raw = mailfactory.email(
        sender="=?utf-8?b?Tmd1eeG7hW4gVsSDbiBBbg==?= <an@example.vn>",
        subject="=?utf-8?q?M=C3=A1y_in_b=E1=BB=8B_ch=C3=A1y?=",
        body="x" * 500,
    )
    email = receive(raw, mailbox)
    assert email.status == InboundStatus.QUARANTINED
    html = client_for(administrator).get(reverse("email_settings:quarantine")).content.decode()
    assert "Nguyễn Văn An &lt;an@example.vn&gt;" in html
    assert "Máy in bị cháy" in html
    assert "larger than the limit of 300 bytes" in html
    assert "Support" in html  # the mailbox
    assert reverse("email_settings:inbound_detail", args=[email.pk]) in html


def test_the_quarantine_lists_only_quarantined_mail_newest_first(client_for, administrator, mailbox):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    older = quarantined(mailbox, subject="Older one", received_at=now - timedelta(hours=2))
    newer = quarantined(mailbox, subject="Newer one", received_at=now - timedelta(hours=1))
    receive(mailfactory.email(subject="Became a ticket"), mailbox)
    html = client_for(administrator).get(reverse("email_settings:quarantine")).content.decode()
    assert html.index("Newer one") < html.index("Older one")
    assert "Became a ticket" not in html
    assert {older.pk, newer.pk} == set(
        InboundEmail.objects.filter(status="quarantined").values_list("pk", flat=True)
    )


def test_the_quarantine_filters_by_mailbox(client_for, administrator, mailbox):
    other = Mailbox.objects.create(name="Sales", email_address="sales@desk.test")
    quarantined(mailbox, subject="For support")
    quarantined(other, subject="For sales")
    client = client_for(administrator)
    html = client.get(reverse("email_settings:quarantine"), {"mailbox": other.pk}).content.decode()
    assert "For sales" in html and "For support" not in html
    html = client.get(reverse("email_settings:quarantine"), {"mailbox": "999999"}).content.decode()
    assert "Select a valid choice." in html and "For sales" in html  # a bad filter shows everything
    html = client.get(reverse("email_settings:quarantine"), {"mailbox": "abc"}).content.decode()
    assert "For support" in html


def test_the_quarantine_pages_by_keyset(client_for, administrator, mailbox, monkeypatch):
    monkeypatch.setattr(inbound_views, "PAGE_SIZE", 2)
    for number in range(5):
        quarantined(mailbox, subject=f"Message number {number}")
    client = client_for(administrator)
    seen: list[str] = []
    response = client.get(reverse("email_settings:quarantine"))
    while True:
        page = response.context["page"]
        seen += [row.glance.subject for row in response.context["rows"]]
        if not page.has_next:
            break
        response = client.get(reverse("email_settings:quarantine"), {"cursor": page.next_cursor})
    assert seen == [f"Message number {number}" for number in (4, 3, 2, 1, 0)]
    # A damaged cursor starts again at the top instead of failing.
    response = client.get(reverse("email_settings:quarantine"), {"cursor": "!!not-a-cursor"})
    assert response.status_code == 200 and len(response.context["rows"]) == 2


def test_the_quarantine_query_count_does_not_grow_with_rows(
    client_for, administrator, mailbox, django_assert_num_queries
):
    client = client_for(administrator)
    quarantined(mailbox, subject="one")
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("email_settings:quarantine")).status_code == 200
    other = Mailbox.objects.create(name="Sales", email_address="sales@desk.test")
    for number in range(12):
        quarantined(other if number % 2 else mailbox, subject=f"more {number}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("email_settings:quarantine"))
    assert len(response.context["rows"]) == 13


def test_the_recent_mail_query_count_does_not_grow_with_rows(
    client_for, administrator, mailbox, django_assert_num_queries
):
    client = client_for(administrator)
    receive(mailfactory.email(subject="first"), mailbox)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("email_settings:recent")).status_code == 200
    for number in range(6):
        receive(mailfactory.email(subject=f"more {number}"), mailbox)
    quarantined(mailbox)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("email_settings:recent"))
    assert len(response.context["rows"]) == 8


# -- reading the raw message safely ------------------------------------------------------------------


def test_unreadable_messages_show_a_dash(client_for, administrator, mailbox):
    garbage = quarantined(mailbox, raw=b"\x00\xff\xfe binary nonsense without any header \x00")
    missing = quarantined(mailbox, raw=b"Subject: gone\r\n\r\nx")
    missing.raw.storage.delete(missing.raw.name)
    html = client_for(administrator).get(reverse("email_settings:quarantine")).content.decode()
    assert html.count("<td>—</td>") >= 2
    for email in (garbage, missing):
        response = client_for(administrator).get(reverse("email_settings:inbound_detail", args=[email.pk]))
        assert response.status_code == 200
    assert (
        client_for(administrator).get(reverse("email_settings:inbound_raw", args=[missing.pk])).status_code
        == 404
    )


def test_headers_are_read_from_a_bounded_prefix(mailbox):
    """A message whose header block is far larger than 64 KB is read only that far: the
    subject past it is not found, and nothing reads the rest."""
    padding = "".join(f"X-Padding-{n}: {'a' * 70}\r\n" for n in range(2500))
    raw = f"From: someone@example.com\r\n{padding}Subject: far away\r\n\r\nbody".encode()
    email = quarantined(mailbox, raw=raw)
    glance = selectors.inbound_glance(email)
    assert glance.sender == "someone@example.com"
    assert glance.subject == "—"
    assert len(raw) > 2 * selectors.HEAD_BYTES


def test_mislabeled_and_raw_8bit_headers_are_readable():
    glance = selectors.glance_bytes(
        "From: Zoë <zoe@example.com>\r\nSubject: Grüße aus Köln\r\n\r\nHallo".encode(), with_body=True
    )
    assert (glance.sender, glance.subject, glance.body_start) == (
        "Zoë <zoe@example.com>",
        "Grüße aus Köln",
        "Hallo",
    )
    glance = selectors.glance_bytes(
        b"From: =?bogus-charset?q?x?= <a@b.c>\r\nSubject: =?utf-8?b?!!!?=\r\n\r\n"
    )
    assert glance.sender.endswith("<a@b.c>") or glance.sender == "a@b.c"
    assert glance.subject  # never raises, shows something


def test_hostile_content_is_shown_escaped(client_for, administrator, mailbox):
    raw = (
        b'From: "<script>alert(1)</script>" <evil@example.com>\r\n'
        b"Subject: <script>alert(1)</script>\r\n\r\n<script>alert(1)</script><img src=x onerror=alert(2)>\r\n"
    )
    email = quarantined(
        mailbox, raw=raw, reason="<script>alert(1)</script>", details={"note": "<script>alert(1)</script>"}
    )
    client = client_for(administrator)
    for url in (
        reverse("email_settings:quarantine"),
        reverse("email_settings:recent"),
        reverse("email_settings:inbound_detail", args=[email.pk]),
    ):
        html = client.get(url).content.decode()
        assert ESCAPED_SCRIPT in html, url
        assert "<script>alert(1)" not in html and "<img src=x" not in html, url


# -- one email ---------------------------------------------------------------------------------------


def test_the_detail_page_shows_reason_headers_preview_and_notes(client_for, administrator, mailbox):
    raw = mailfactory.email(subject="Order 1234", body="Where is my order?\n" + "line\n" * 6000)
    email = quarantined(
        mailbox, raw=raw, reason="Parser exploded.", details={"language": "en", "repairs": ["charset"]}
    )
    html = (
        client_for(administrator)
        .get(reverse("email_settings:inbound_detail", args=[email.pk]))
        .content.decode()
    )
    assert "Parser exploded." in html
    assert '<th scope="row">Subject</th><td>Order 1234</td>' in html
    assert "Where is my order?" in html
    assert "Only the beginning is shown." in html
    assert "&quot;repairs&quot;: [\n    &quot;charset&quot;\n  ]" in html
    assert reverse("email_settings:inbound_raw", args=[email.pk]) in html
    assert reverse("email_settings:inbound_retry", args=[email.pk]) in html
    assert reverse("email_settings:inbound_discard", args=[email.pk]) in html
    assert email.sha256 in html


def test_a_processed_email_links_its_ticket_and_offers_no_actions(client_for, administrator, mailbox):
    email = receive(mailfactory.email(subject="Became a ticket"), mailbox)
    assert email.status == InboundStatus.PROCESSED and email.ticket_id
    client = client_for(administrator)
    html = client.get(reverse("email_settings:inbound_detail", args=[email.pk])).content.decode()
    assert reverse("tickets:detail", args=[email.ticket_id]) in html
    assert reverse("email_settings:inbound_retry", args=[email.pk]) not in html
    recent = client.get(reverse("email_settings:recent")).content.decode()
    assert f">#{email.ticket_id}<" in recent and "New ticket" in recent and "Became a ticket" in recent


def test_the_raw_download(client_for, administrator, mailbox):
    raw = mailfactory.email(subject="Download me", body="<html><script>alert(1)</script></html>")
    email = quarantined(mailbox, raw=raw)
    response = client_for(administrator).get(reverse("email_settings:inbound_raw", args=[email.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == raw
    assert response["Content-Disposition"] == f'attachment; filename="email-{email.pk}.eml"'
    assert response["Content-Type"] == "message/rfc822"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


# -- retry and discard --------------------------------------------------------------------------------


def test_retry_after_a_fix_creates_the_ticket(client_for, administrator, mailbox, settings, small_limit):
    email = receive(mailfactory.email(subject="Too big at first", body="y" * 600), mailbox)
    assert email.status == InboundStatus.QUARANTINED
    settings.SUPPORTDESK_EMAIL = {**settings.SUPPORTDESK_EMAIL, "MAX_MESSAGE_BYTES": 10_000_000}
    client = client_for(administrator)
    response = client.post(reverse("email_settings:inbound_retry", args=[email.pk]))
    assert response.status_code == 302
    assert response.url == reverse("email_settings:inbound_detail", args=[email.pk])
    email.refresh_from_db()
    assert email.status == InboundStatus.PROCESSED
    ticket = Ticket.objects.get(pk=email.ticket_id)
    assert ticket.subject == "Too big at first"
    page = client.get(response.url).content.decode()
    assert f"The email was processed: New ticket, ticket #{ticket.pk}." in page
    assert reverse("tickets:detail", args=[ticket.pk]) in page
    assert AuditEntry.objects.filter(action="inbound_email.retried", actor=administrator).exists()
    # Retrying it again would duplicate the ticket: refused, with the reason.
    response = client.post(reverse("email_settings:inbound_retry", args=[email.pk]), follow=True)
    assert "Only quarantined or discarded email can be processed again." in response.content.decode()
    assert Ticket.objects.filter(subject="Too big at first").count() == 1


def test_retry_that_fails_again_shows_the_new_reason(client_for, administrator, mailbox, small_limit):
    email = receive(mailfactory.email(subject="Still too big", body="z" * 600), mailbox)
    response = client_for(administrator).post(
        reverse("email_settings:inbound_retry", args=[email.pk]), follow=True
    )
    html = response.content.decode()
    assert "The email is still in quarantine: The message is larger than the limit of 300 bytes" in html
    email.refresh_from_db()
    assert email.status == InboundStatus.QUARANTINED


def test_discard_with_a_reason(client_for, administrator, mailbox):
    email = quarantined(mailbox, subject="Spam offer")
    client = client_for(administrator)
    response = client.post(reverse("email_settings:inbound_discard", args=[email.pk]), {"reason": "spam"})
    assert response.status_code == 302 and response.url == reverse("email_settings:quarantine")
    email.refresh_from_db()
    assert email.status == InboundStatus.DISCARDED and "spam" in email.reason
    html = client.get(reverse("email_settings:quarantine")).content.decode()
    assert "The email was discarded." in html and "Spam offer" not in html
    entry = AuditEntry.objects.get(action="inbound_email.discarded")
    assert entry.actor == administrator and entry.changes["reason"] == "spam"
    # Still there in recent mail, and its raw message still downloads.
    assert "Spam offer" in client.get(reverse("email_settings:recent")).content.decode()
    assert client.get(reverse("email_settings:inbound_raw", args=[email.pk])).status_code == 200
    # It can still be taken in after all (but not discarded twice).
    detail = client.get(reverse("email_settings:inbound_detail", args=[email.pk])).content.decode()
    assert reverse("email_settings:inbound_retry", args=[email.pk]) in detail
    assert reverse("email_settings:inbound_discard", args=[email.pk]) not in detail


def test_discard_refuses_a_too_long_reason_and_processed_mail(client_for, administrator, mailbox):
    email = quarantined(mailbox)
    client = client_for(administrator)
    response = client.post(
        reverse("email_settings:inbound_discard", args=[email.pk]), {"reason": "x" * 501}, follow=True
    )
    assert "Ensure this value has at most 500 characters" in response.content.decode()
    email.refresh_from_db()
    assert email.status == InboundStatus.QUARANTINED
    processed = receive(mailfactory.email(subject="fine"), mailbox)
    response = client.post(reverse("email_settings:inbound_discard", args=[processed.pk]), follow=True)
    assert "Only quarantined email can be discarded." in response.content.decode()
    processed.refresh_from_db()
    assert processed.status == InboundStatus.PROCESSED
