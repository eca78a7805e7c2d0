"""Visibility per role, standard views, counts, filters and query counts of the ticket reads."""

import pytest

from supportdesk.core.errors import NotFound
from supportdesk.customers.models import Organization
from supportdesk.tickets import selectors
from supportdesk.tickets.choices import Status
from supportdesk.tickets.selectors import TicketFilters
from supportdesk.tickets.services import Actor, message_add, ticket_share, ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(agent, billing_agent, billing_group, customer, other_customer, make_ticket):
    """Three tickets: one in Support, one in Billing, one assigned to the Support agent but in Billing."""
    support = make_ticket(customer, subject="Support ticket")
    billing = make_ticket(other_customer, subject="Billing ticket")
    ticket_update(actor=Actor.system(), ticket_id=billing.pk, group_id=billing_group.pk)
    crossed = make_ticket(other_customer, subject="Crossed ticket")
    ticket_update(
        actor=Actor.system(), ticket_id=crossed.pk, group_id=billing_group.pk, assignee_id=billing_agent.pk
    )
    return {"support": support, "billing": billing, "crossed": crossed}


def ids(page):
    return {t.pk for t in page.items}


def test_visibility_per_role(
    desk, agent, billing_agent, manager, administrator, collaborator, customer, other_customer
):
    everything = {t.pk for t in desk.values()}
    assert ids(selectors.ticket_list(manager)) == everything
    assert ids(selectors.ticket_list(administrator)) == everything
    assert ids(selectors.ticket_list(agent)) == {desk["support"].pk}
    assert ids(selectors.ticket_list(billing_agent)) == {desk["billing"].pk, desk["crossed"].pk}
    assert ids(selectors.ticket_list(collaborator)) == set()
    ticket_share(actor=Actor.staff(manager), ticket_id=desk["billing"].pk, user_id=collaborator.pk)
    assert ids(selectors.ticket_list(collaborator)) == {desk["billing"].pk}
    assert ids(selectors.ticket_list(customer.user)) == set()  # customers never use staff lists
    assert {t.pk for t in selectors.tickets_of_customer(customer)} == {desk["support"].pk}
    assert {t.pk for t in selectors.tickets_of_customer(other_customer)} == {
        desk["billing"].pk,
        desk["crossed"].pk,
    }


def test_agents_see_tickets_assigned_to_them_outside_their_groups(desk, agent, manager):
    ticket_update(actor=Actor.staff(manager), ticket_id=desk["crossed"].pk, assignee_id=manager.pk)
    ticket_update(
        actor=Actor.staff(manager), ticket_id=desk["crossed"].pk, group_id=None, assignee_id=agent.pk
    )
    assert desk["crossed"].pk in ids(selectors.ticket_list(agent))


def test_inactive_staff_see_nothing(desk, agent):
    agent.is_active = False
    agent.save()
    assert ids(selectors.ticket_list(agent)) == set()


def test_organization_sharing(customer, other_customer, make_ticket):
    org = Organization.objects.create(name="Shared Co")
    for person in (customer, other_customer):
        person.organization = org
        person.save()
    mine = make_ticket(customer)
    theirs = make_ticket(other_customer)
    assert {t.pk for t in selectors.tickets_of_customer(customer)} == {mine.pk}
    org.shares_tickets = True
    org.save()
    customer.refresh_from_db()
    assert {t.pk for t in selectors.tickets_of_customer(customer)} == {mine.pk, theirs.pk}
    with pytest.raises(NotFound):
        selectors.ticket_for_customer(customer, 999999)


def test_standard_views_and_counts(desk, agent, manager):
    support = desk["support"]
    views = {v.slug: v for v in selectors.views_for(agent)}
    assert set(views) == {"mine", "unassigned", "open", "pending", "solved", "all"}
    assert ids(selectors.ticket_list(agent, view=views["unassigned"])) == {support.pk}
    assert ids(selectors.ticket_list(agent, view=views["mine"])) == set()
    ticket_update(actor=Actor.staff(agent), ticket_id=support.pk, assignee_id=agent.pk)
    assert ids(selectors.ticket_list(agent, view=views["mine"])) == {support.pk}
    ticket_update(actor=Actor.staff(agent), ticket_id=support.pk, status=Status.PENDING)
    assert ids(selectors.ticket_list(agent, view=views["pending"])) == {support.pk}
    ticket_update(actor=Actor.staff(agent), ticket_id=support.pk, status=Status.SOLVED)
    assert ids(selectors.ticket_list(agent, view=views["solved"])) == {support.pk}
    counts = selectors.view_counts(agent)
    assert counts["solved"] == (1, False) and counts["open"] == (0, False)
    # A manager in no group works the whole desk.
    assert selectors.view_counts(manager)["open"] == (2, False)


def test_collaborator_views(collaborator):
    assert [v.slug for v in selectors.views_for(collaborator)] == ["shared"]
    with pytest.raises(NotFound):
        selectors.view_by_slug(collaborator, "all")


def test_capped_count(desk, manager):
    count, capped = selectors.capped_count(selectors.visible_tickets(manager), cap=2)
    assert (count, capped) == (2, True)


def test_filters(desk, agent, manager, customer):
    support = desk["support"]
    ticket_update(
        actor=Actor.staff(agent), ticket_id=support.pk, priority=4, tags=["vip"], assignee_id=agent.pk
    )

    def find(**kwargs):
        return ids(selectors.ticket_list(manager, filters=TicketFilters(**kwargs)))

    assert find(priorities=(4,)) == {support.pk}
    assert find(tags=("vip",)) == {support.pk}
    assert find(tags=("nope",)) == set()
    assert find(assignee_ids=(agent.pk,)) == {support.pk}
    assert find(unassigned=True) == {desk["billing"].pk}
    assert find(requester_id=customer.pk) == {support.pk}
    # Assigning a new ticket opened the crossed one.
    assert find(statuses=(Status.NEW,)) == {desk["billing"].pk}
    assert find(statuses=(Status.OPEN,)) == {desk["crossed"].pk, support.pk}
    assert find(channels=("phone",)) == set()
    assert find(text=f"#{support.pk}") == {support.pk}
    assert find(text="crossed") == {desk["crossed"].pk}


def test_sorts_and_keyset_pages(desk, manager):
    for sort in selectors.SORTS:
        seen, cursor = [], None
        while True:
            page = selectors.ticket_list(manager, sort=sort, cursor=cursor, size=1)
            seen += [t.pk for t in page.items]
            cursor = page.next_cursor
            if not cursor:
                break
        assert sorted(seen) == sorted(t.pk for t in desk.values()), sort


def test_list_query_count_does_not_grow_with_rows(manager, customer, make_ticket, django_assert_num_queries):
    for n in range(3):
        make_ticket(customer, subject=f"t{n}")
    # The page's ids by the sort index, the rows with their relations by id, then the tags.
    with django_assert_num_queries(3) as small:
        list(selectors.ticket_list(manager).items)
    for n in range(12):
        make_ticket(customer, subject=f"u{n}", tags=[])
    ticket = selectors.ticket_list(manager).items[0]
    ticket_update(actor=Actor.staff(manager), ticket_id=ticket.pk, tags=["a", "b"])
    with django_assert_num_queries(len(small.captured_queries)):
        page = selectors.ticket_list(manager)
        for t in page.items:
            _ = (t.requester.name, t.assignee, t.group, t.priority.name, t.status_display, list(t.tags.all()))


def test_conversation_hides_notes_from_customers(agent, customer, make_ticket):
    ticket = make_ticket(customer)
    message_add(actor=Actor.staff(agent), ticket_id=ticket.pk, body="secret", is_public=False)
    assert len(selectors.conversation(ticket, include_notes=True)) == 2
    assert [m.is_public for m in selectors.conversation(ticket, include_notes=False)] == [True]


def test_the_ticket_page_reads_answer_each_viewer_for_themselves(
    desk, agent, billing_agent, billing_group, manager, collaborator, other_customer, make_ticket
):
    """The page's reads are compiled once per shape (core/compiled.py) and then reused with other
    values: viewers of the same kind (two agents, each in one group) must still see only their own."""
    from supportdesk.tickets.models import Ticket

    follow_up = make_ticket(other_customer, subject="Billing follow-up")
    Ticket.objects.filter(pk=follow_up.pk).update(follow_up_of=desk["billing"])
    ticket_update(actor=Actor.system(), ticket_id=follow_up.pk, group_id=billing_group.pk)
    for viewer, visible in [
        (agent, {"support"}),
        (billing_agent, {"billing", "crossed"}),
        (manager, {"support", "billing", "crossed"}),
        (collaborator, set()),
    ]:
        for name, ticket in desk.items():
            if name in visible:
                assert selectors.ticket_for_page(viewer, ticket.pk).subject == ticket.subject
            else:
                with pytest.raises(NotFound):
                    selectors.ticket_for_page(viewer, ticket.pk)
    others = selectors.other_tickets_of_requester(billing_agent, desk["billing"])
    assert {t.subject for t in others} == {"Crossed ticket", "Billing follow-up"}
    assert selectors.other_tickets_of_requester(agent, desk["billing"]) == []
    billing = selectors.ticket_for_page(billing_agent, desk["billing"].pk)
    assert [t.subject for t in selectors.related_to(billing_agent, billing)["follow_ups"]] == [
        "Billing follow-up"
    ]
    assert selectors.related_to(agent, billing)["follow_ups"] == []
    assert (
        selectors.related_to(billing_agent, selectors.ticket_for_page(billing_agent, follow_up.pk))[
            "follow_up_of"
        ]
        == billing
    )
    ticket_share(actor=Actor.staff(manager), ticket_id=desk["billing"].pk, user_id=collaborator.pk)
    assert selectors.ticket_for_page(collaborator, desk["billing"].pk).pk == desk["billing"].pk
    assert [s.user_id for s in selectors.ticket_shares(billing)] == [collaborator.pk]


def test_the_ticket_page_reads_tags_with_the_ticket(agent, customer, make_ticket, django_assert_num_queries):
    ticket = make_ticket(customer, actor=Actor.staff(agent), tags=["vip", "billing", "zebra"])
    other = make_ticket(customer, actor=Actor.staff(agent), tags=["other"])
    for wanted, expected in ((ticket, ["billing", "vip", "zebra"]), (other, ["other"])):
        found = selectors.ticket_for_page(agent, wanted.pk)
        with django_assert_num_queries(0):
            assert [tag.name for tag in found.tags.all()] == expected
