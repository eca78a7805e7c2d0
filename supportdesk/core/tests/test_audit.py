import pytest
from django.test import Client

from supportdesk.conftest import PASSWORD
from supportdesk.core.models import AuditEntry


@pytest.mark.django_db
def test_sign_in_sign_out_and_failed_sign_in_are_audited(agent):
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.post("/login/", {"username": "agent@desk.test", "password": "wrong"})
    client.post("/login/", {"username": "AGENT@desk.test", "password": PASSWORD})
    client.post("/logout/")
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "actor_label", "ip_address"))
    assert actions == [
        ("auth.sign_in_failed", "agent@desk.test", "203.0.113.9"),
        ("auth.sign_in", "agent@desk.test", "203.0.113.9"),
        ("auth.sign_out", "agent@desk.test", "203.0.113.9"),
    ]
