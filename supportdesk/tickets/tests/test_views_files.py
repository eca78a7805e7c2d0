"""Attachment downloads: exactly the people who may see the message get the file, as a download."""

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from supportdesk.tickets.services import Actor, message_add, ticket_share

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(agent, customer, make_ticket):
    ticket = make_ticket(
        customer,
        attachments=[SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="text/html")],
    )
    note = message_add(
        actor=Actor.staff(agent),
        ticket_id=ticket.pk,
        body="internal",
        is_public=False,
        attachments=[SimpleUploadedFile("secret.pdf", b"%PDF-1.4", content_type="application/pdf")],
    )
    public = ticket.messages.order_by("id").first().attachments.get()
    return {"ticket": ticket, "public": public, "note": note.attachments.get()}


def url(attachment):
    return reverse("files:attachment", args=[attachment.token])


@pytest.mark.parametrize(
    ("who", "public", "note"),
    [
        ("administrator", 200, 200),
        ("manager", 200, 200),
        ("agent", 200, 200),
        ("billing_agent", 404, 404),
        ("collaborator", 404, 404),
        ("customer", 200, 404),
        ("other_customer", 404, 404),
    ],
)
def test_who_may_download(request, client_for, files, who, public, note):
    person = request.getfixturevalue(who)
    user = getattr(person, "user", person)
    client = client_for(user)
    assert client.get(url(files["public"])).status_code == public
    assert client.get(url(files["note"])).status_code == note


def test_a_shared_collaborator_gets_both(client_for, agent, collaborator, files):
    ticket_share(actor=Actor.staff(agent), ticket_id=files["ticket"].pk, user_id=collaborator.pk)
    client = client_for(collaborator)
    assert client.get(url(files["public"])).status_code == 200
    assert client.get(url(files["note"])).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client_for, files):
    response = client_for(None).get(url(files["public"]))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_files_are_downloads_that_browsers_never_render(client_for, agent, files):
    response = client_for(agent).get(url(files["public"]))
    assert response["Content-Disposition"].startswith('attachment; filename="page.html"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"


def test_unknown_tokens_and_other_methods(client_for, agent, files):
    client = client_for(agent)
    assert client.get("/attachments/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/attachments/not-a-uuid/").status_code == 404
    assert client.post(url(files["public"])).status_code == 405


def test_times_are_shown_in_the_viewers_zone(client_for, agent, customer, make_ticket):
    ticket = make_ticket(customer, created_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    agent.time_zone = "Asia/Ho_Chi_Minh"  # UTC+7: the next day, 06:30
    agent.language = "en"
    agent.save(update_fields=["time_zone", "language"])
    page = client_for(agent).get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "March 2, 2026" in page or "Mar. 2, 2026" in page
    assert "6:30" in page


def test_inline_images_show_in_the_message_and_only_safe_types_inline(
    client_for, agent, customer, make_ticket
):
    from supportdesk.tickets.services import FileData

    ticket = make_ticket(
        customer,
        body_html='<p>See <img src="cid:shot@mail"> and <img src="cid:evil@mail"> <img src="cid:gone"></p>',
        attachments=[
            FileData("shot.png", "image/png", b"\x89PNG\r\n", content_id="<shot@mail>", inline=True),
            FileData(
                "evil.svg", "image/svg+xml", b"<svg onload=alert(1)>", content_id="evil@mail", inline=True
            ),
        ],
    )
    shot, evil = ticket.attachments.order_by("filename").reverse()
    page = client_for(agent).get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    inline_url = reverse("files:inline", args=[shot.token])
    assert f'src="{inline_url}"' in page
    assert "cid:" not in page and reverse("files:inline", args=[evil.token]) not in page
    response = client_for(agent).get(inline_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "Content-Disposition" not in response or "attachment" not in response["Content-Disposition"]
    svg = client_for(agent).get(reverse("files:inline", args=[evil.token]))
    assert svg["Content-Disposition"].startswith("attachment")
    assert client_for(None).get(inline_url).status_code == 302
    # Customers see public inline images of their own tickets, others nothing.
    assert client_for(customer.user).get(inline_url).status_code == 200
