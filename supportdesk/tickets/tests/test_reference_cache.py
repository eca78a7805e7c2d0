"""The per-process cache of the ticket reference tables: what empties it, and when it is bypassed."""

from __future__ import annotations

import pytest
from django.db import transaction

from supportdesk.core.errors import ValidationFailed
from supportdesk.tickets.models import Priority
from supportdesk.tickets.services import reference
from supportdesk.tickets.services.common import get_priority

pytestmark = pytest.mark.django_db


def _count_loads():
    loads = []

    def load():
        loads.append(1)
        return len(loads)

    return loads, load


def test_values_are_read_once_until_a_cached_model_changes():
    reference.invalidate_reference_cache()
    loads, load = _count_loads()
    assert reference.reference_cached("k", load) == 1
    assert reference.reference_cached("k", load) == 1
    assert len(loads) == 1
    Priority.objects.filter(rank=2).get().save()  # inside the test's transaction: bypassed for now
    assert reference.reference_cached("k", load) == 2
    assert reference.reference_cached("k", load) == 3


def test_values_expire(monkeypatch):
    reference.invalidate_reference_cache()
    _loads, load = _count_loads()
    now = [1000.0]
    monkeypatch.setattr(reference, "_clock", lambda: now[0])
    monkeypatch.setattr(reference, "_expires", 0.0)
    assert reference.reference_cached("k", load) == 1
    now[0] += reference.TTL - 0.1
    assert reference.reference_cached("k", load) == 1
    now[0] += 0.2
    assert reference.reference_cached("k", load) == 2


def test_a_rolled_back_change_leaves_nothing_behind():
    get_priority(2)  # cached
    with pytest.raises(RuntimeError), transaction.atomic():
        Priority.objects.create(rank=9, name="Nine")
        assert get_priority(9).name == "Nine"  # this transaction sees its own row
        raise RuntimeError
    with pytest.raises(ValidationFailed):
        get_priority(9)
    # And once that transaction is gone, the cache is used again.
    loads, load = _count_loads()
    reference.reference_cached("after", load)
    reference.reference_cached("after", load)
    assert len(loads) == 1


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_seen_by_the_next_read():
    assert get_priority(3).name == "High"
    with transaction.atomic():
        Priority.objects.filter(rank=3).update(name="Very high")  # no signal: bulk update
        Priority.objects.get(rank=3).save()  # a save (as the taxonomy services do) empties it
    assert get_priority(3).name == "Very high"


def test_the_staff_list_is_read_once_and_follows_changes_to_people(
    agent, collaborator, django_assert_num_queries
):
    from supportdesk.accounts.choices import Role
    from supportdesk.conftest import make_user
    from supportdesk.tickets.views.common import active_staff, load_choices

    assert [p.pk for p in load_choices().agents] == [agent.pk]
    with django_assert_num_queries(0):
        assert [p.pk for p in active_staff()] == [agent.pk, collaborator.pk]
    # A new agent is offered at once, in this process, although the transaction is still open.
    newcomer = make_user("newcomer@desk.test", Role.AGENT, name="Ned Newcomer")
    assert [p.name for p in load_choices().agents] == ["Alex Agent", "Ned Newcomer"]
    # A deactivated one is not; neither is a collaborator ever offered as an assignee.
    newcomer.is_active = False
    newcomer.save(update_fields=["is_active"])
    assert [p.pk for p in load_choices().agents] == [agent.pk]


def test_select_options_are_made_once_per_language_and_follow_the_tables(agent):
    from django.utils import translation

    from supportdesk.conftest import make_user
    from supportdesk.tickets.forms import InboxFilterForm
    from supportdesk.tickets.views.common import load_choices

    reference.invalidate_reference_cache()
    with translation.override("en"):
        english = load_choices()
        options = english.options("probe", lambda c: [(p.pk, p.name) for p in c.agents])
        assert english.options("probe", lambda c: []) is options  # made once, then reused
        assert load_choices() is english
        assert ">Any</option>" in str(InboxFilterForm(None, choices=load_choices())["assignee"])
    with translation.override("pl"):
        polish = load_choices()
        assert polish is not english
        assert ">Dowolne</option>" in str(InboxFilterForm(None, choices=polish)["assignee"])
    # A change to the people behind the options starts over (the reference cache's rules).
    from supportdesk.accounts.choices import Role

    make_user("newcomer@desk.test", Role.AGENT, name="Ned Newcomer")
    with translation.override("en"):
        assert "Ned Newcomer" in str(InboxFilterForm(None, choices=load_choices())["assignee"])
