"""Sign-up with email confirmation, end to end through the pages and the outbox."""

from __future__ import annotations

import re
import time
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import User
from supportdesk.channels.web import services
from supportdesk.channels.web.tests.helpers import csrf_client
from supportdesk.customers.models import Customer
from supportdesk.customers.services import customer_create

pytestmark = pytest.mark.django_db

SIGNUP = "/signup/"
GOOD = {
    "name": "Nina New",
    "email": "Nina@Example.org",
    "password": "a sturdy pass phrase 42",
    "password_confirm": "a sturdy pass phrase 42",
    "language": "en",
}
LINK = re.compile(r"https?://[^\s]+/signup/confirm/[^\s/]+/")


def sign_up(client: Client, capture: Any, **changes: str) -> Any:
    with capture(execute=True):
        return client.post(SIGNUP, {**GOOD, **changes})


def link_path(message: mail.EmailMessage) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return "/" + match.group(0).split("/", 3)[3]


def test_signup_page_offers_the_fields_and_the_current_language(client: Client) -> None:
    response = client.get(SIGNUP, HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("name", "email", "password", "password_confirm", "language"):
        assert f'name="{name}"' in body
    assert '<option value="pl" selected>' in body


def test_signup_then_confirm_activates_links_and_signs_in(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:signup_sent")

    user = User.objects.get(email="nina@example.org")
    assert (user.is_active, user.role, user.name, user.language) == (False, Role.CUSTOMER, "Nina New", "en")
    assert user.check_password(GOOD["password"])
    assert not Customer.objects.filter(user=user).exists()
    # Not signed in, and the password does not work until the address is confirmed.
    assert not Client().login(username="nina@example.org", password=GOOD["password"])

    page = client.get(response["Location"])
    assert "nina@example.org" in page.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@example.org"]
    assert message.subject == "Confirm your email address"
    assert "3 days" in message.body

    confirmed = client.get(link_path(message))
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("portal:home")
    user.refresh_from_db()
    assert user.is_active
    customer = Customer.objects.get(user=user)
    assert customer.primary_email == "nina@example.org"
    assert customer.name == "Nina New"
    home = client.get("/")
    assert "Hello, Nina New" in home.content.decode()
    assert "Your email address is confirmed" in home.content.decode()


def test_a_confirmation_link_works_once(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    sign_up(client, django_capture_on_commit_callbacks)
    path = link_path(mail.outbox[0])
    assert client.get(path).status_code == 302
    again = Client().get(path)
    assert again.status_code == 200
    assert "already confirmed" in again.content.decode()
    assert "_auth_user_id" not in again.client.session
    assert Customer.objects.filter(primary_email="nina@example.org").count() == 1


def test_signup_links_to_the_existing_customer_with_that_address(
    client: Client, django_capture_on_commit_callbacks: Any, make_ticket: Any
) -> None:
    known = customer_create(actor=None, name="", emails=["nina@example.org"])
    earlier = make_ticket(known, subject="Emailed before signing up")
    customers_before = Customer.objects.count()

    sign_up(client, django_capture_on_commit_callbacks)
    client.get(link_path(mail.outbox[0]))

    known.refresh_from_db()
    assert known.user is not None and known.user.email == "nina@example.org"
    assert known.name == "Nina New"  # filled in, since the record had no name
    assert Customer.objects.count() == customers_before
    listing = client.get("/requests/").content.decode()
    assert "Emailed before signing up" in listing
    assert client.get(f"/requests/{earlier.pk}/").status_code == 200


def test_expired_link_fails_and_activates_nothing(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    sign_up(client, django_capture_on_commit_callbacks)
    user = User.objects.get(email="nina@example.org")
    four_days_ago = time.time() - 4 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=four_days_ago):
        token = services.signup_token(user)
    response = client.get(reverse("portal:signup_confirm", args=[token]))
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active
    assert not Customer.objects.filter(user=user).exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: "garbage",
        lambda token: "a" * 600,
    ],
)
def test_tampered_link_fails_and_activates_nothing(
    client: Client, django_capture_on_commit_callbacks: Any, tamper: Any
) -> None:
    sign_up(client, django_capture_on_commit_callbacks)
    token = link_path(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    response = client.get(reverse("portal:signup_confirm", args=[tamper(token)]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not User.objects.get(email="nina@example.org").is_active
    assert not Customer.objects.filter(primary_email="nina@example.org").exists()


def test_a_link_signed_for_another_purpose_fails(client: Client, customer: Customer) -> None:
    from django.core import signing

    token = signing.dumps({"u": customer.user.pk, "e": customer.user.email, "h": "x"}, salt="other")
    response = client.get(reverse("portal:signup_confirm", args=[token]))
    assert response.status_code == 400


def test_a_link_cannot_reactivate_an_account_switched_off_later(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    sign_up(client, django_capture_on_commit_callbacks)
    path = link_path(mail.outbox[0])
    Client().get(path)
    user = User.objects.get(email="nina@example.org")
    user.is_active = False  # an agent deactivated the account
    user.save(update_fields=["is_active"])
    response = client.get(path)
    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.is_active


@pytest.mark.parametrize("email", ["customer@example.com", "CUSTOMER@example.com ", "agent@desk.test"])
def test_an_address_with_an_account_is_refused(
    client: Client, django_capture_on_commit_callbacks: Any, customer: Customer, agent: User, email: str
) -> None:
    users_before = User.objects.count()
    response = sign_up(client, django_capture_on_commit_callbacks, email=email)
    assert response.status_code == 200
    assert (
        "An account with this email address already exists. Sign in or reset your password."
        in response.content.decode()
    )
    assert User.objects.count() == users_before
    assert mail.outbox == []


def test_an_address_of_a_customer_who_already_has_an_account_is_refused(
    client: Client, django_capture_on_commit_callbacks: Any, customer: Customer
) -> None:
    from supportdesk.customers.models import CustomerEmail

    CustomerEmail.objects.create(customer=customer, email="carla.private@example.org")
    response = sign_up(client, django_capture_on_commit_callbacks, email="carla.private@example.org")
    assert "An account with this email address already exists" in response.content.decode()
    assert not User.objects.filter(email="carla.private@example.org").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"password": "password", "password_confirm": "password"}, "password", "too common"),
        ({"password": "81726354", "password_confirm": "81726354"}, "password", "entirely numeric"),
        ({"password": "short1", "password_confirm": "short1"}, "password", "too short"),
        ({"password_confirm": "something else entirely"}, "password_confirm", "not the same"),
        ({"name": ""}, "name", "required"),
        ({"email": "not-an-address"}, "email", "valid email"),
        ({"email": ""}, "email", "required"),
        ({"password": "", "password_confirm": ""}, "password", "required"),
        ({"language": "xx"}, "language", "valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(
    client: Client, django_capture_on_commit_callbacks: Any, changes: dict[str, str], field: str, text: str
) -> None:
    response = sign_up(client, django_capture_on_commit_callbacks, **changes)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert text in " ".join(errors[field])
    assert not User.objects.filter(email="nina@example.org").exists()
    assert mail.outbox == []


def test_signing_up_again_while_pending_resends_and_changes_nothing(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    sign_up(client, django_capture_on_commit_callbacks)
    again = sign_up(
        Client(),
        django_capture_on_commit_callbacks,
        name="Mallory",
        password="another long passphrase 9",
        password_confirm="another long passphrase 9",
    )
    assert again.status_code == 302
    user = User.objects.get(email="nina@example.org")
    assert user.name == "Nina New"
    assert user.check_password(GOOD["password"])
    assert len(mail.outbox) == 2


def test_resend_from_the_sent_page(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    sign_up(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:signup_sent"), {"email": "nina@example.org"}, follow=True)
    assert "we have sent a new link" in response.content.decode()
    assert len(mail.outbox) == 2
    # Both links lead to the same account; the newest one works.
    assert client.get(link_path(mail.outbox[1])).status_code == 302
    assert User.objects.get(email="nina@example.org").is_active


@pytest.mark.parametrize("email", ["nobody@example.org", "customer@example.com"])
def test_resend_says_the_same_for_unknown_and_active_addresses(
    client: Client, django_capture_on_commit_callbacks: Any, customer: Customer, email: str
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:signup_sent"), {"email": email}, follow=True)
    assert response.status_code == 200
    assert f"If an account at {email} is waiting for confirmation" in response.content.decode()
    assert mail.outbox == []


def test_confirmation_mail_is_rendered_in_the_chosen_language(
    client: Client, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []
    real = services.render_to_string

    def spy(*args: Any, **kwargs: Any) -> str:
        seen.append(translation.get_language())
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "render_to_string", spy)
    sign_up(client, django_capture_on_commit_callbacks, language="vi")
    assert seen == ["vi", "vi"]
    assert User.objects.get(email="nina@example.org").language == "vi"


def test_a_mail_server_failure_keeps_the_account_and_the_resend_works(
    client: Client, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(services, "send_mail", broken)
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert User.objects.filter(email="nina@example.org", is_active=False).exists()


def test_signed_in_people_are_sent_home(customer: Customer, client_for: Any) -> None:
    response = client_for(customer.user).get(SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_signup_needs_the_csrf_token() -> None:
    response = csrf_client().post(SIGNUP, GOOD)
    assert response.status_code == 403
    assert not User.objects.filter(email="nina@example.org").exists()


def test_the_sign_in_page_links_to_signup(client: Client) -> None:
    assert SIGNUP in client.get("/login/").content.decode()


def test_a_confirmed_customer_can_sign_in_with_the_password(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    sign_up(client, django_capture_on_commit_callbacks)
    Client().get(link_path(mail.outbox[0]))
    fresh = Client()
    response = fresh.post("/login/", {"username": "nina@example.org", "password": GOOD["password"]})
    assert response.status_code == 302
    assert response["Location"] == "/"
