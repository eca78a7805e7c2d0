"""The email channel as an administrator and an agent meet it, in a real Chromium: set up a
mailbox, see a customer's mail become a ticket with its quoted history folded away, answer it
(the answer goes out by SMTP), and clear the quarantine. Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from supportdesk.channels.email.choices import InboundStatus, OutboundKind, OutboundStatus
from supportdesk.channels.email.models import InboundEmail, Mailbox, OutboundEmail
from supportdesk.channels.email.services.intake import process_inbound, store_inbound
from supportdesk.channels.email.tests import mailfactory
from supportdesk.channels.email.tests.test_outbound_smtp import (  # noqa: F401 - fixtures
    ScriptedSmtp,
    smtp_server_fixture,
)
from supportdesk.conftest import ARTIFACTS, sign_in
from supportdesk.tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def snap(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def arrive(raw: bytes, mailbox: Mailbox) -> InboundEmail:
    row, _created = store_inbound(raw=raw, source="smtp", mailbox=mailbox)
    return process_inbound(row.pk)


def test_administrator_sets_up_a_mailbox_and_the_team_answers_mail(
    page, live_server, administrator, support_group, smtp_server: ScriptedSmtp
):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)

    # 1. The administrator adds the support mailbox (sending through the test SMTP server).
    sign_in(page, live_server.url, administrator.email)
    page.goto(f"{live_server.url}/desk/settings/email/")
    page.click("text=New mailbox")
    page.fill("input[name=name]", "Support")
    page.fill("input[name=email_address]", "support@desk.test")
    page.fill("input[name=display_name]", "Acme Support")
    page.check("input[name=is_default]")
    page.fill("input[name=smtp_host]", smtp_server.host)
    page.fill("input[name=smtp_port]", str(smtp_server.port))
    page.select_option("select[name=smtp_security]", "none")
    page.click("button[name=action][value=save]")
    page.wait_for_load_state("networkidle")
    mailbox = Mailbox.objects.get(email_address="support@desk.test")
    assert "support@desk.test" in page.locator("main").inner_text()
    snap(page, "email-flow-1-mailbox")

    # 2. A customer writes; the reply to our acknowledgement carries their quoted history.
    first = mailfactory.email(
        sender="Trần Thị Lan <lan@example.vn>",
        subject="Không đăng nhập được",
        body="Chào bạn,\n\ntôi không đăng nhập được vào tài khoản từ hôm qua.\n\nLan",
        message_id="<lan-1@example.vn>",
    )
    opened = arrive(first, mailbox)
    ticket = Ticket.objects.get(pk=opened.ticket_id)
    reply = mailfactory.reply_to(first, sender="Trần Thị Lan <lan@example.vn>", body="Mã lỗi là 403.")
    arrive(reply, mailbox)

    page.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    conversation = page.locator("#tab-panel")
    assert "Mã lỗi là 403." in conversation.inner_text()
    quoted = page.locator("details.quoted-text").last
    assert not quoted.evaluate("element => element.open")  # folded away, but kept
    quoted.locator("summary").click()
    assert "tôi không đăng nhập được" in quoted.inner_text()
    snap(page, "email-flow-2-ticket")

    # 3. The agent answers; the answer leaves by SMTP to the customer, in the thread.
    page.fill("textarea[name=body]", "Chúng tôi đã mở khóa tài khoản của bạn.")
    page.click("button.primary >> text=Send")
    page.wait_for_load_state("networkidle")
    sent = OutboundEmail.objects.get(ticket=ticket, kind=OutboundKind.REPLY)
    assert sent.status == OutboundStatus.SENT
    delivered = [c for c in smtp_server.received if c.message["Message-ID"] == f"<{sent.message_id_header}>"]
    assert delivered and delivered[0].rcpt_tos == ["lan@example.vn"]
    assert "<lan-1@example.vn>" in delivered[0].message["References"]
    snap(page, "email-flow-3-answered")

    # 4. Mail without a sender waits in the quarantine; the administrator discards it.
    stray = arrive(b"To: support@desk.test\r\nSubject: who?\r\n\r\nNo sender here.", mailbox)
    assert stray.status == InboundStatus.QUARANTINED
    page.goto(f"{live_server.url}/desk/settings/email/quarantine/")
    page.click("text=who?")
    assert "The message has no sender address." in page.locator("main").inner_text()
    snap(page, "email-flow-4-quarantine")
    page.fill("textarea[name=reason], input[name=reason]", "spam")
    page.click("button.danger >> text=Discard")
    page.wait_for_load_state("networkidle")
    stray.refresh_from_db()
    assert stray.status == InboundStatus.DISCARDED
    assert "who?" not in page.locator("main").inner_text()
    assert errors == []
