"""Every staff member's own profile: preferences, password, API tokens."""

from __future__ import annotations

import hashlib
import zoneinfo
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from supportdesk.accounts.models import ApiToken, User
from supportdesk.accounts.services import api_token_authenticate, api_token_create
from supportdesk.conftest import PASSWORD
from supportdesk.core.models import AuditEntry

pytestmark = pytest.mark.django_db

STAFF_ROLES = ["collaborator", "agent", "manager", "administrator"]
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def profile_form(**overrides: Any) -> dict[str, Any]:
    data = {"name": "Alex Agent", "language": "", "time_zone": "", "signature": ""}
    data.update(overrides)
    return data


def own_urls(token: ApiToken) -> list[str]:
    return [
        reverse("accounts:profile"),
        reverse("accounts:password_change"),
        reverse("accounts:token_create"),
        reverse("accounts:token_revoke", args=[token.pk]),
    ]


@pytest.fixture
def agent_token(agent: User) -> tuple[ApiToken, str]:
    return api_token_create(user=agent, name="Reporting script")


# -- who may see the pages ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client_for, agent_token):
    for url in own_urls(agent_token[0]):
        response = client_for(None).get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_customers_are_refused(client_for, customer, agent_token):
    client = client_for(customer.user)
    for url in own_urls(agent_token[0]):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("accounts:token_create"), {"name": "x"}).status_code == 403
    assert not ApiToken.objects.filter(user=customer.user).exists()


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_staff_member_has_a_profile(request, client_for, role):
    person: User = request.getfixturevalue(role)
    client = client_for(person)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    html = response.content.decode()
    assert person.email in html
    # Two forms on one page, each field with its own id.
    assert html.count('id="id_name"') == 1 and html.count('id="id_token_name"') == 1
    assert client.get(reverse("accounts:password_change")).status_code == 200
    assert client.get(reverse("accounts:token_create")).status_code == 200


# -- preferences -------------------------------------------------------------------------------


def test_preferences_are_saved(client_for, agent):
    client = client_for(agent)
    response = client.post(
        reverse("accounts:profile"),
        profile_form(name="Alex B. Agent", time_zone="Asia/Ho_Chi_Minh", signature="Alex\nSupport team"),
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.name, agent.time_zone, agent.signature) == (
        "Alex B. Agent",
        "Asia/Ho_Chi_Minh",
        "Alex\nSupport team",
    )


def test_the_chosen_language_is_used_from_the_next_page_on(client_for, agent, agent_token):
    client = client_for(agent)
    response = client.post(reverse("accounts:profile"), profile_form(language="pl"))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page["Content-Language"] == "pl"
    html = page.content.decode()
    assert '<html lang="pl">' in html
    # Dates come out in Polish, with month names from Django's own Polish catalog.
    with translation.override("pl"):
        polish = date_format(timezone.localtime(agent_token[0].created_at), "DATE_FORMAT")
    with translation.override("en"):
        english = date_format(timezone.localtime(agent_token[0].created_at), "DATE_FORMAT")
    assert polish != english and polish in html
    # And back to the site's default.
    client.post(reverse("accounts:profile"), profile_form(language=""))
    assert '<html lang="en">' in client.get(reverse("accounts:profile")).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"language": "klingon"}, "Select a valid choice."),
        ({"time_zone": "Mars/Olympus_Mons"}, "Select a valid choice."),
        ({"signature": "x" * 2001}, "Ensure this value has at most 2000 characters"),
    ],
)
def test_bad_preferences_change_nothing(client_for, agent, overrides, message):
    client = client_for(agent)
    response = client.post(reverse("accounts:profile"), profile_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    fresh = User.objects.get(pk=agent.pk)
    assert (fresh.name, fresh.language, fresh.time_zone, fresh.signature) == ("Alex Agent", "", "", "")


def test_hostile_names_are_escaped_on_the_profile(client_for, agent):
    client = client_for(agent)
    client.post(reverse("accounts:profile"), profile_form(name=SCRIPT))
    api_token_create(user=agent, name=SCRIPT)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert ESCAPED_SCRIPT in html and "<script>alert(1)" not in html


# -- password ----------------------------------------------------------------------------------


def test_password_change_keeps_the_person_signed_in(client_for, agent):
    client = client_for(agent)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-secret-7",
            "new_password2": "another-long-secret-7",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:profile")
    assert "Your password was changed." in response.content.decode()
    agent.refresh_from_db()
    assert agent.check_password("another-long-secret-7")
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_password_change_needs_the_old_password(client_for, agent):
    response = client_for(agent).post(
        reverse("accounts:password_change"),
        {
            "old_password": "wrong",
            "new_password1": "another-long-secret-7",
            "new_password2": "another-long-secret-7",
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.content.decode()
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)


# -- API tokens --------------------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_only_its_digest_is_stored(client_for, agent):
    client = client_for(agent)
    response = client.post(reverse("accounts:token_create"), {"name": "Nightly export"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    html = response.content.decode()
    assert secret in html and "shown only this once" in html
    token = ApiToken.objects.get(user=agent)
    assert token.name == "Nightly export" and token.expires_at is None
    assert token.digest != secret and secret not in token.digest
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix)
    assert api_token_authenticate(secret) == agent
    listing = client.get(reverse("accounts:profile")).content.decode()
    assert secret not in listing
    assert token.prefix in listing and "Nightly export" in listing
    assert AuditEntry.objects.filter(action="api_token.created", target_id=str(token.pk)).exists()


def test_a_token_can_expire_at_the_end_of_a_chosen_day(client_for, agent):
    agent.time_zone = "Asia/Ho_Chi_Minh"
    agent.save(update_fields=["time_zone"])
    day = timezone.localdate() + timedelta(days=30)
    client_for(agent).post(reverse("accounts:token_create"), {"name": "Trial", "expires_on": day.isoformat()})
    token = ApiToken.objects.get(user=agent)
    local = timezone.localtime(token.expires_at, timezone=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
    assert (local.date(), local.hour, local.minute) == (day + timedelta(days=1), 0, 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 101}, "Ensure this value has at most 100 characters"),
        ({"name": "Old", "expires_on": "2001-01-01"}, "The expiry date must be in the future."),
        ({"name": "Bad date", "expires_on": "31/31/2031"}, "Enter a valid date."),
    ],
)
def test_bad_token_input_creates_nothing(client_for, agent, data, message):
    response = client_for(agent).post(reverse("accounts:token_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "secret" not in response.context
    assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_working(client_for, agent, agent_token):
    token, secret = agent_token
    client = client_for(agent)
    confirm = client.get(reverse("accounts:token_revoke", args=[token.pk]))
    assert "Revoke the token Reporting script?" in confirm.content.decode()
    assert api_token_authenticate(secret) == agent
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert "The token Reporting script was revoked." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(secret) is None
    assert AuditEntry.objects.filter(
        action="api_token.revoked", target_id=str(token.pk), actor=agent
    ).exists()
    assert "revoked" in client.get(reverse("accounts:profile")).content.decode()


@pytest.mark.parametrize("role", ["billing_agent", "administrator"])
def test_nobody_revokes_someone_elses_token_here(request, client_for, agent_token, role):
    token, secret = agent_token
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and api_token_authenticate(secret) is not None
    assert "Reporting script" not in client.get(reverse("accounts:profile")).content.decode()
