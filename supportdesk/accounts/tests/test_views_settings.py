"""The administrators' settings pages of the accounts app: the index, agents, groups, audit log."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import Group, Membership, User
from supportdesk.conftest import PASSWORD, make_user
from supportdesk.core.audit import audit_record
from supportdesk.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORBIDDEN_ROLES = ["customer", "collaborator", "agent", "manager"]


def person_for(request: pytest.FixtureRequest, role: str) -> User:
    """The signed-in person of a role fixture (a customer's portal account for "customer")."""
    value = request.getfixturevalue(role)
    return value.user if role == "customer" else value


def assert_escaped(response: Any) -> None:
    html = response.content.decode()
    assert ESCAPED_SCRIPT in html
    assert "<script>alert(1)" not in html


def snapshot() -> tuple[Any, ...]:
    return (
        sorted(User.objects.values_list("id", "email", "name", "role", "is_active", "password")),
        sorted(Group.objects.values_list("id", "name", "description", "is_default")),
        sorted(Membership.objects.values_list("user_id", "group_id")),
    )


def settings_urls(group: Group, person: User) -> list[str]:
    return [
        reverse("accounts:settings"),
        reverse("accounts:agents"),
        reverse("accounts:agent_create"),
        reverse("accounts:agent_edit", args=[person.pk]),
        reverse("accounts:groups"),
        reverse("accounts:group_create"),
        reverse("accounts:group_edit", args=[group.pk]),
        reverse("accounts:group_delete", args=[group.pk]),
        reverse("accounts:audit"),
    ]


# -- who may see the pages ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client_for, support_group, agent):
    for url in settings_urls(support_group, agent):
        response = client_for(None).get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("role", FORBIDDEN_ROLES)
def test_everyone_but_administrators_is_refused(request, client_for, support_group, agent, role):
    client = client_for(person_for(request, role))
    for url in settings_urls(support_group, agent):
        assert client.get(url).status_code == 403, url
    before = snapshot()
    assert client.post(reverse("accounts:group_delete", args=[support_group.pk])).status_code == 403
    assert client.post(reverse("accounts:agent_create"), agent_form()).status_code == 403
    assert snapshot() == before


def test_administrators_see_every_page(client_for, administrator, support_group, agent):
    client = client_for(administrator)
    for url in settings_urls(support_group, agent):
        assert client.get(url).status_code == 200, url


def test_index_describes_each_area_and_the_sidebar_links_every_page(client_for, administrator):
    response = client_for(administrator).get(reverse("accounts:settings"))
    html = response.content.decode()
    for name in (
        "accounts:agents",
        "accounts:groups",
        "taxonomy:categories",
        "taxonomy:statuses",
        "taxonomy:priorities",
        "taxonomy:tags",
        "taxonomy:fields",
        "accounts:audit",
    ):
        # Once in the sidebar, once in the overview.
        assert html.count(f'href="{reverse(name)}"') == 2, name
    assert "Who works in the desk" in html
    assert response.context["section"] == "settings"


# -- agents ------------------------------------------------------------------------------------


def agent_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Lan Nguyễn",
        "email": "Lan@Desk.test",
        "role": Role.AGENT,
        "groups": [],
        "setup": "password",
        "password": "a-long-enough-password-1",
    }
    data.update(overrides)
    return data


def names_in(response: Any) -> list[str]:
    return [person.name for person in response.context["page"].items]


def test_agent_list_shows_staff_only_with_roles_groups_and_filters(
    client_for, administrator, agent, billing_agent, collaborator, customer, support_group
):
    make_user("gone@desk.test", Role.AGENT, name="Gina Gone", is_active=False)
    client = client_for(administrator)
    response = client.get(reverse("accounts:agents"))
    assert names_in(response) == ["Ada Admin", "Alex Agent", "Bea Billing", "Cole Collaborator", "Gina Gone"]
    html = response.content.decode()
    assert "agent@desk.test" in html and "Support" in html and "Billing" in html
    assert "Carla Customer" not in html
    assert names_in(client.get(reverse("accounts:agents"), {"role": "agent"})) == [
        "Alex Agent",
        "Bea Billing",
        "Gina Gone",
    ]
    assert names_in(client.get(reverse("accounts:agents"), {"active": "no"})) == ["Gina Gone"]
    assert names_in(client.get(reverse("accounts:agents"), {"role": "agent", "active": "yes"})) == [
        "Alex Agent",
        "Bea Billing",
    ]
    # An unknown filter value is ignored rather than failing.
    assert client.get(reverse("accounts:agents"), {"role": "wizard"}).status_code == 200


def test_agent_list_pages_by_keyset(client_for, administrator, monkeypatch):
    from supportdesk.accounts.views import agents as agent_views

    monkeypatch.setattr(agent_views, "PAGE_SIZE", 2)
    for index in range(4):
        make_user(f"p{index}@desk.test", Role.AGENT, name=f"Person {index}")
    client = client_for(administrator)
    first = client.get(reverse("accounts:agents"))
    assert names_in(first) == ["Ada Admin", "Person 0"]
    cursor = first.context["page"].next_cursor
    assert f"cursor={cursor}" in first.content.decode()
    second = client.get(reverse("accounts:agents"), {"cursor": cursor})
    assert names_in(second) == ["Person 1", "Person 2"]
    # A damaged cursor starts again at the top instead of failing.
    assert names_in(client.get(reverse("accounts:agents"), {"cursor": "garbage!"})) == [
        "Ada Admin",
        "Person 0",
    ]


def _make_agents(count: int, groups: list[Group]) -> None:
    start = User.objects.count()
    for index in range(count):
        make_user(f"a{start + index}@desk.test", Role.AGENT, groups=groups)


def test_agent_list_query_count_does_not_grow_with_agents(
    client_for, administrator, support_group, billing_group, django_assert_num_queries
):
    client = client_for(administrator)
    _make_agents(3, [support_group, billing_group])
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("accounts:agents")).status_code == 200
    _make_agents(12, [support_group, billing_group])
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("accounts:agents"))
    assert len(response.context["page"].items) == 16


def test_administrator_creates_an_agent_with_a_password_and_groups(
    client_for, administrator, support_group, billing_group
):
    client = client_for(administrator)
    response = client.post(
        reverse("accounts:agent_create"), agent_form(groups=[support_group.pk, billing_group.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:agents")
    person = User.objects.get(email="lan@desk.test")
    assert person.name == "Lan Nguyễn" and person.role == Role.AGENT
    assert person.group_ids == {support_group.pk, billing_group.pk}
    assert person.check_password("a-long-enough-password-1")
    assert "Lan Nguyễn can now sign in." in response.content.decode()
    assert AuditEntry.objects.filter(
        action="user.created", target_id=str(person.pk), actor=administrator
    ).exists()
    assert mail.outbox == []


def test_administrator_creates_an_agent_who_chooses_a_password_from_an_email(client_for, administrator):
    response = client_for(administrator).post(
        reverse("accounts:agent_create"),
        agent_form(setup="invite", password="ignored-when-inviting-1"),
        follow=True,
    )
    assert "emailed a link to choose a password" in response.content.decode()
    person = User.objects.get(email="lan@desk.test")
    assert not person.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lan@desk.test"]
    body = mail.outbox[0].body
    assert "Ada Admin" in body
    link = re.search(r"https?://[^/\s]+(/\S+)", body).group(1)
    visitor = Client()
    set_password_page = visitor.get(link, follow=True)
    assert set_password_page.status_code == 200
    form_url = set_password_page.redirect_chain[-1][0]
    visitor.post(form_url, {"new_password1": "brand-new-secret-42", "new_password2": "brand-new-secret-42"})
    person.refresh_from_db()
    assert person.check_password("brand-new-secret-42")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "  "}, "This field is required."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": "ADMIN@desk.test"}, "An account with this email address already exists."),
        ({"role": "customer"}, "Select a valid choice."),
        ({"role": "wizard"}, "Select a valid choice."),
        ({"password": ""}, "Type an initial password, or choose to email a link."),
        ({"password": "123"}, "This password is too short."),
        ({"groups": [987654]}, "Select a valid choice."),
    ],
)
def test_bad_agent_input_shows_an_error_and_creates_nobody(client_for, administrator, overrides, message):
    before = snapshot()
    response = client_for(administrator).post(reverse("accounts:agent_create"), agent_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before
    assert not AuditEntry.objects.filter(action="user.created").exists()


def test_hostile_names_are_stored_as_text_and_escaped(client_for, administrator):
    client = client_for(administrator)
    client.post(reverse("accounts:agent_create"), agent_form(name=SCRIPT))
    person = User.objects.get(email="lan@desk.test")
    assert person.name == SCRIPT
    assert_escaped(client.get(reverse("accounts:agents")))
    assert_escaped(client.get(reverse("accounts:agent_edit", args=[person.pk])))


def test_administrator_edits_name_role_groups_and_access(client_for, administrator, agent, billing_group):
    client = client_for(administrator)
    url = reverse("accounts:agent_edit", args=[agent.pk])
    page = client.get(url)
    assert page.context["form"].initial["groups"] == list(agent.group_ids)
    response = client.post(
        url, {"name": "Alex Boss", "role": Role.MANAGER, "groups": [billing_group.pk], "is_active": ""}
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.name, agent.role, agent.is_active) == ("Alex Boss", Role.MANAGER, False)
    assert set(agent.memberships.values_list("group_id", flat=True)) == {billing_group.pk}
    entry = AuditEntry.objects.get(action="user.updated", target_id=str(agent.pk))
    assert entry.changes["role"] == [Role.AGENT, Role.MANAGER]
    assert entry.changes["is_active"] == [True, False]


def test_the_last_administrator_cannot_be_demoted_nor_deactivate_themselves(client_for, administrator):
    client = client_for(administrator)
    url = reverse("accounts:agent_edit", args=[administrator.pk])
    before = snapshot()
    response = client.post(url, {"name": "Ada Admin", "role": Role.AGENT, "is_active": "on"})
    assert "The last active administrator cannot be removed." in response.content.decode()
    response = client.post(url, {"name": "Ada Admin", "role": Role.ADMINISTRATOR, "is_active": ""})
    assert "You cannot deactivate your own account." in response.content.decode()
    assert snapshot() == before
    assert not AuditEntry.objects.filter(action="user.updated").exists()


def test_edit_pages_are_only_for_staff_members(client_for, administrator, customer):
    client = client_for(administrator)
    assert client.get(reverse("accounts:agent_edit", args=[customer.user.pk])).status_code == 404
    assert client.get(reverse("accounts:agent_edit", args=[999999])).status_code == 404


def test_administrator_can_email_a_new_password_link(client_for, administrator, agent):
    response = client_for(administrator).post(reverse("accounts:agent_invite", args=[agent.pk]), follow=True)
    assert "A link to choose a password was emailed to agent@desk.test." in response.content.decode()
    assert mail.outbox[0].to == ["agent@desk.test"]


def test_no_password_link_for_inactive_people(client_for, administrator):
    gone = make_user("gone@desk.test", Role.AGENT, is_active=False)
    response = client_for(administrator).post(reverse("accounts:agent_invite", args=[gone.pk]), follow=True)
    assert "The email could not be sent. Is the account active?" in response.content.decode()
    assert mail.outbox == []


# -- groups ------------------------------------------------------------------------------------


def test_group_list_shows_member_counts(client_for, administrator, agent, billing_agent, support_group):
    make_user("second@desk.test", Role.AGENT, groups=[support_group])
    response = client_for(administrator).get(reverse("accounts:groups"))
    counts = {group.name: group.member_count for group in response.context["groups"]}
    assert counts == {"Billing": 1, "Support": 2}
    assert "default" in response.content.decode()


def test_group_create_edit_delete_are_audited(client_for, administrator, support_group):
    client = client_for(administrator)
    response = client.post(
        reverse("accounts:group_create"), {"name": "Returns", "description": "RMAs", "is_default": "on"}
    )
    assert response.status_code == 302
    group = Group.objects.get(name="Returns")
    assert group.is_default
    support_group.refresh_from_db()
    assert not support_group.is_default
    client.post(reverse("accounts:group_edit", args=[group.pk]), {"name": "Returns & refunds"})
    group.refresh_from_db()
    assert group.name == "Returns & refunds" and not group.is_default
    confirm = client.get(reverse("accounts:group_delete", args=[group.pk]))
    assert "Delete the group Returns &amp; refunds?" in confirm.content.decode()
    assert Group.objects.filter(pk=group.pk).exists()
    client.post(reverse("accounts:group_delete", args=[group.pk]))
    assert not Group.objects.filter(pk=group.pk).exists()
    actions = list(
        AuditEntry.objects.filter(target_type="accounts.group", target_id=str(group.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["group.created", "group.updated", "group.deleted"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "support"}, "A group with this name already exists."),
        ({"name": "x" * 101}, "Ensure this value has at most 100 characters"),
    ],
)
def test_bad_group_input_changes_nothing(client_for, administrator, support_group, data, message):
    before = snapshot()
    response = client_for(administrator).post(reverse("accounts:group_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_hostile_group_names_are_escaped(client_for, administrator):
    client = client_for(administrator)
    client.post(reverse("accounts:group_create"), {"name": SCRIPT})
    group = Group.objects.get(name=SCRIPT)
    assert_escaped(client.get(reverse("accounts:groups")))
    assert_escaped(client.get(reverse("accounts:group_delete", args=[group.pk])))


# -- audit log ---------------------------------------------------------------------------------


def actions_in(response: Any) -> list[str]:
    return [row.entry.action for row in response.context["rows"]]


def test_audit_log_lists_newest_first_with_readable_actions_and_changes(client_for, administrator, agent):
    client = client_for(administrator)
    client.post(
        reverse("accounts:agent_edit", args=[agent.pk]),
        {"name": "Alex Agent", "role": Role.MANAGER, "is_active": "on"},
    )
    client.post(reverse("accounts:group_create"), {"name": "Returns"})
    response = client.get(reverse("accounts:audit"))
    assert actions_in(response)[:2] == ["group.created", "user.updated"]
    html = response.content.decode()
    assert "Changed a person" in html and "Created a group" in html
    assert "agent → manager" in html
    assert "admin@desk.test" in html


def test_audit_log_filters_by_area_and_by_actor(client_for, administrator, agent):
    client = client_for(administrator)  # signing in writes the first entry
    client.post(reverse("accounts:group_create"), {"name": "Returns"})
    audit_record(action="auth.sign_in_failed", actor_label="admin@desk.test")
    audit_record(action="auth.sign_in", actor=agent)
    url = reverse("accounts:audit")
    assert actions_in(client.get(url, {"action": "group."})) == ["group.created"]
    assert actions_in(client.get(url, {"action": "auth."})) == [
        "auth.sign_in",
        "auth.sign_in_failed",
        "auth.sign_in",
    ]
    # By email: what the person did and the failed sign-ins typed with their address.
    mine = actions_in(client.get(url, {"actor": "ADMIN@desk.test"}))
    assert mine == ["auth.sign_in_failed", "group.created", "auth.sign_in"]
    assert actions_in(client.get(url, {"actor": "admin@desk.test", "action": "group."})) == ["group.created"]
    assert actions_in(client.get(url, {"actor": "agent@desk.test"})) == ["auth.sign_in"]
    assert actions_in(client.get(url, {"actor": "nobody@desk.test"})) == []
    assert client.get(url, {"action": "nonsense."}).status_code == 200


def test_audit_log_pages_by_keyset(client_for, administrator, monkeypatch):
    from supportdesk.accounts.views import audit as audit_views

    monkeypatch.setattr(audit_views, "PAGE_SIZE", 3)
    client = client_for(administrator)
    for index in range(5):
        audit_record(action="tag.created", actor=administrator, changes={"n": index})
    first = client.get(reverse("accounts:audit"), {"action": "tag."})
    assert [row.entry.changes["n"] for row in first.context["rows"]] == [4, 3, 2]
    second = client.get(
        reverse("accounts:audit"), {"action": "tag.", "cursor": first.context["page"].next_cursor}
    )
    assert [row.entry.changes["n"] for row in second.context["rows"]] == [1, 0]
    assert not second.context["page"].has_next


def test_audit_log_escapes_what_people_typed(client_for, administrator):
    audit_record(action="group.created", actor_label=SCRIPT, changes={"name": [None, SCRIPT]})
    assert_escaped(client_for(administrator).get(reverse("accounts:audit")))


def _audit_entries(count: int, actors: list[User]) -> None:
    for index in range(count):
        audit_record(
            action="user.updated",
            actor=actors[index % len(actors)],
            target=actors[0],
            changes={"name": ["a", "b"]},
        )


def test_audit_log_query_count_does_not_grow_with_entries(
    client_for, administrator, agent, manager, django_assert_num_queries
):
    client = client_for(administrator)
    _audit_entries(3, [administrator, agent, manager])
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("accounts:audit")).status_code == 200
    _audit_entries(40, [administrator, agent, manager])
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("accounts:audit"))
    assert len(response.context["rows"]) == 44  # with the sign-in of the test client


def test_sign_ins_through_the_form_reach_the_audit_log(client_for, administrator, agent: User):
    visitor = Client()
    visitor.post(reverse("login"), {"username": "agent@desk.test", "password": PASSWORD})
    visitor.post(reverse("login"), {"username": "agent@desk.test", "password": "wrong"})
    response = client_for(administrator).get(reverse("accounts:audit"), {"action": "auth."})
    assert "Signed in" in response.content.decode()
    assert set(actions_in(response)) >= {"auth.sign_in"}
