"""The authentication backend (accounts/backends.py): ModelBackend's rules, the person loaded by
a compiled query."""

from __future__ import annotations

import pytest

from supportdesk.accounts.backends import AccountBackend
from supportdesk.accounts.choices import Role
from supportdesk.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_each_request_gets_its_own_active_person_and_nobody_else():
    ann, bob = make_user("ann@desk.test", Role.AGENT), make_user("bob@desk.test", Role.MANAGER)
    backend = AccountBackend()
    assert backend.get_user(ann.pk) == ann
    assert backend.get_user(bob.pk) == bob
    assert backend.get_user(bob.pk + 1000) is None
    for forged in (str(ann.pk), None, True, 1.0):
        assert backend.get_user(forged) is None
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert backend.get_user(bob.pk) is None


def test_signing_in_and_out_through_the_pages(client):
    make_user("carla@desk.test", Role.AGENT)
    wrong = client.post("/login/", {"username": "carla@desk.test", "password": "not-the-password"})
    assert wrong.status_code == 200 and client.get("/desk/").status_code == 302
    response = client.post("/login/", {"username": "carla@desk.test", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/desk/").status_code == 200
    client.post("/logout/")
    assert client.get("/desk/").status_code == 302
