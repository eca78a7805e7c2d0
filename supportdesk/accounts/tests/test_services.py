from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.accounts import services
from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import ApiToken, Group, User
from supportdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from supportdesk.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_administrator_creates_staff_with_groups_and_it_is_audited(administrator, support_group):
    user = services.user_create(
        actor=administrator,
        email=" New.Agent@Example.COM ",
        name="  New   Agent ",
        role=Role.AGENT,
        password="a-long-enough-password-1",
        group_ids=[support_group.pk],
        language="vi",
        time_zone="Asia/Ho_Chi_Minh",
    )
    assert user.email == "new.agent@example.com" and user.name == "New Agent"
    assert user.check_password("a-long-enough-password-1") and user.group_ids == {support_group.pk}
    assert AuditEntry.objects.filter(
        action="user.created", target_id=str(user.pk), actor=administrator
    ).exists()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"email": "not-an-email"}, ValidationFailed),
        ({"name": "   "}, ValidationFailed),
        ({"role": "wizard"}, ValidationFailed),
        ({"password": "123"}, ValidationFailed),
        ({"language": "klingon"}, ValidationFailed),
        ({"time_zone": "Mars/Base"}, ValidationFailed),
        ({"group_ids": [9999]}, ValidationFailed),
        ({"email": "admin@desk.test"}, Conflict),
    ],
)
def test_bad_input_creates_nobody(administrator, kwargs, error):
    base = {"email": "x@example.com", "name": "X", "role": Role.AGENT}
    before = User.objects.count()
    with pytest.raises(error):
        services.user_create(actor=administrator, **{**base, **kwargs})
    assert User.objects.count() == before


def test_only_administrators_create_staff_but_anyone_may_sign_up_as_customer(agent, manager):
    for actor in (agent, manager, None):
        with pytest.raises(PermissionDenied):
            services.user_create(actor=actor, email="x@example.com", name="X", role=Role.AGENT)
    customer = services.user_create(actor=None, email="c@example.com", name="C", role=Role.CUSTOMER)
    assert customer.role == Role.CUSTOMER and not customer.is_staff_member


def test_role_powers_nest(administrator, manager, agent, collaborator, customer):
    assert [u.is_staff_member for u in (administrator, manager, agent, collaborator, customer.user)] == [
        True
    ] * 4 + [False]
    assert [u.is_agent for u in (administrator, manager, agent, collaborator)] == [True, True, True, False]
    assert [u.sees_all_tickets for u in (administrator, manager, agent)] == [True, True, False]
    assert [u.is_administrator for u in (administrator, manager)] == [True, False]
    agent.is_active = False
    assert not agent.is_staff_member and not agent.is_agent


def test_last_administrator_and_self_deactivation_are_guarded(administrator, manager):
    with pytest.raises(Conflict):
        services.user_update(actor=administrator, user=administrator, role=Role.AGENT)
    with pytest.raises(Conflict):
        services.user_update(actor=administrator, user=administrator, is_active=False)
    services.user_update(actor=administrator, user=manager, role=Role.ADMINISTRATOR)
    manager.refresh_from_db()
    services.user_update(actor=manager, user=administrator, role=Role.AGENT)
    administrator.refresh_from_db()
    assert administrator.role == Role.AGENT
    entry = AuditEntry.objects.filter(action="user.updated", target_id=str(administrator.pk)).last()
    assert entry.changes["role"] == [Role.ADMINISTRATOR, Role.AGENT]


def test_non_administrators_cannot_update_people(agent, manager):
    with pytest.raises(PermissionDenied):
        services.user_update(actor=manager, user=agent, role=Role.ADMINISTRATOR)


def test_groups_are_unique_and_one_is_default(administrator):
    billing = services.group_save(actor=administrator, name="Billing", is_default=True)
    assert list(Group.objects.filter(is_default=True)) == [billing]
    with pytest.raises(Conflict):
        services.group_save(actor=administrator, name="billing")
    with pytest.raises(ValidationFailed):
        services.group_save(actor=administrator, name="")
    services.group_delete(actor=administrator, group=billing)
    assert AuditEntry.objects.filter(action="group.deleted").exists()


def test_api_tokens_are_hashed_shown_once_and_revocable(agent, administrator, collaborator, customer):
    token, secret = services.api_token_create(user=agent, name="CLI")
    assert secret.startswith("sdk_") and secret not in token.digest and token.prefix in secret
    assert services.api_token_authenticate(secret) == agent
    assert services.api_token_authenticate(secret + "x") is None
    assert services.api_token_authenticate("Bearer " + secret) is None
    assert services.api_token_authenticate("") is None
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(actor=collaborator, token=token)
    services.api_token_revoke(actor=administrator, token=token)
    assert services.api_token_authenticate(secret) is None
    with pytest.raises(PermissionDenied):
        services.api_token_create(user=customer.user, name="nope")


def test_expired_tokens_and_deactivated_owners_do_not_authenticate(agent):
    token, secret = services.api_token_create(
        user=agent, name="temp", expires_at=timezone.now() + timedelta(days=1)
    )
    _, other = services.api_token_create(user=agent, name="other")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.api_token_authenticate(secret) is None
    agent.is_active = False
    agent.save()
    assert services.api_token_authenticate(other) is None
    agent.is_active = True
    agent.save()
    with pytest.raises(ValidationFailed):
        services.api_token_create(user=agent, name="past", expires_at=timezone.now() - timedelta(days=1))


def test_token_use_is_recorded_without_a_write_per_request(agent, django_assert_num_queries):
    _, secret = services.api_token_create(user=agent, name="CLI")
    with django_assert_num_queries(2):  # lookup + last-used stamp
        services.api_token_authenticate(secret)
    with django_assert_num_queries(1):  # lookup only: stamped less than five minutes ago
        services.api_token_authenticate(secret)


def test_preferences(agent):
    services.user_set_preferences(user=agent, language="zh-hant", time_zone="Asia/Taipei", signature="— Alex")
    agent.refresh_from_db()
    assert (agent.language, agent.time_zone, agent.signature) == ("zh-hant", "Asia/Taipei", "— Alex")
    with pytest.raises(ValidationFailed):
        services.user_set_preferences(user=agent, language="xx")
