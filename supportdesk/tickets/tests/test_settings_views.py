"""The administrators' pages for the ticket taxonomy: categories, statuses, priorities, tags and
custom fields."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supportdesk.accounts.models import User
from supportdesk.core.models import AuditEntry
from supportdesk.tickets.choices import FieldType, Status
from supportdesk.tickets.models import Category, CustomField, Priority, StatusLabel, Tag, Ticket
from supportdesk.tickets.services import Actor
from supportdesk.tickets.services.taxonomy import (
    category_save,
    custom_field_save,
    priority_save,
    status_label_save,
    tag_save,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORBIDDEN_ROLES = ["customer", "collaborator", "agent", "manager"]


def assert_escaped(response: Any) -> None:
    html = response.content.decode()
    assert ESCAPED_SCRIPT in html
    assert "<script>alert(1)" not in html


def snapshot() -> tuple[Any, ...]:
    """Everything these pages can change, to prove a refused request changed nothing."""
    return (
        sorted(
            Category.objects.values_list(
                "id", "name", "parent_id", "default_group_id", "position", "is_active", "translations"
            )
        ),
        sorted(
            StatusLabel.objects.values_list("id", "name", "status", "is_default", "is_active", "translations")
        ),
        sorted(Priority.objects.values_list("id", "rank", "name", "color", "is_default", "translations")),
        sorted(Tag.objects.values_list("id", "name")),
        sorted(
            CustomField.objects.values_list(
                "id", "key", "name", "field_type", "options", "required", "is_active", "translations"
            )
        ),
    )


def audit_actions(prefix: str) -> list[str]:
    return list(
        AuditEntry.objects.filter(action__startswith=prefix).order_by("id").values_list("action", flat=True)
    )


@pytest.fixture
def taxonomy(administrator: User) -> dict[str, Any]:
    """One object of each kind, made through the services."""
    hardware = category_save(actor=administrator, name="Hardware")
    return {
        "category": hardware,
        "child": category_save(actor=administrator, name="Printers", parent_id=hardware.pk),
        "label": status_label_save(actor=administrator, name="Waiting for parts", status=Status.ON_HOLD),
        "priority": priority_save(actor=administrator, name="Critical", rank=9, color="#000000"),
        "tag": tag_save(actor=administrator, name="vip"),
        "field": custom_field_save(actor=administrator, name="Order number", key="order_number"),
    }


def taxonomy_urls(objects: dict[str, Any]) -> list[str]:
    urls = []
    for kind, key, plural in (
        ("category", "category", "categories"),
        ("status", "label", "statuses"),
        ("priority", "priority", "priorities"),
        ("tag", "tag", "tags"),
        ("field", "field", "fields"),
    ):
        pk = objects[key].pk
        urls += [
            reverse(f"taxonomy:{plural}"),
            reverse(f"taxonomy:{kind}_create"),
            reverse(f"taxonomy:{kind}_edit", args=[pk]),
            reverse(f"taxonomy:{kind}_delete", args=[pk]),
        ]
    return urls


# -- who may see the pages ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client_for, taxonomy):
    for url in taxonomy_urls(taxonomy):
        response = client_for(None).get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("role", FORBIDDEN_ROLES)
def test_everyone_but_administrators_is_refused(request, client_for, taxonomy, role):
    person = request.getfixturevalue(role)
    client = client_for(person.user if role == "customer" else person)
    before = snapshot()
    for url in taxonomy_urls(taxonomy):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "Changed"}).status_code == 403, url
    assert snapshot() == before


def test_administrators_see_every_page_in_the_settings_layout(client_for, administrator, taxonomy):
    client = client_for(administrator)
    for url in taxonomy_urls(taxonomy):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.context["section"] == "settings"
        assert f'href="{reverse("accounts:audit")}"' in response.content.decode()


# -- categories --------------------------------------------------------------------------------


def category_form(**overrides: Any) -> dict[str, Any]:
    data = {"name": "Billing", "parent": "", "default_group": "", "position": "0", "is_active": "on"}
    data.update(overrides)
    return data


def test_category_tree_is_indented_with_the_fallback_marked(client_for, administrator, taxonomy):
    response = client_for(administrator).get(reverse("taxonomy:categories"))
    tree = [(node.category.name, node.depth) for node in response.context["nodes"]]
    assert tree == [("Hardware", 0), ("Printers", 1), ("Other", 0)]
    html = response.content.decode()
    other = Category.objects.get(is_fallback=True)
    assert "fallback" in html
    assert reverse("taxonomy:category_delete", args=[other.pk]) not in html
    assert reverse("taxonomy:category_delete", args=[taxonomy["child"].pk]) in html


def test_category_create_edit_delete_with_translations_are_audited(
    client_for, administrator, taxonomy, billing_group
):
    client = client_for(administrator)
    response = client.post(
        reverse("taxonomy:category_create"),
        category_form(
            parent=taxonomy["category"].pk,
            default_group=billing_group.pk,
            position="3",
            name_vi="Thanh toán",
            name_zh_hant="帳單",
        ),
    )
    assert response.status_code == 302
    billing = Category.objects.get(name="Billing")
    assert billing.parent == taxonomy["category"] and billing.default_group == billing_group
    assert billing.position == 3 and billing.translations == {"vi": "Thanh toán", "zh-hant": "帳單"}
    edit_url = reverse("taxonomy:category_edit", args=[billing.pk])
    page = client.get(edit_url)
    assert page.context["form"].initial["name_vi"] == "Thanh toán"
    client.post(edit_url, category_form(name="Invoices", name_pl="Faktury"))
    billing.refresh_from_db()
    assert billing.name == "Invoices" and billing.parent is None and not billing.default_group
    assert billing.translations == {"pl": "Faktury"}
    client.post(reverse("taxonomy:category_delete", args=[billing.pk]))
    assert not Category.objects.filter(pk=billing.pk).exists()
    assert audit_actions("category.")[-3:] == ["category.created", "category.updated", "category.deleted"]


def test_the_parent_choices_leave_out_the_category_and_its_descendants(client_for, administrator, taxonomy):
    hardware, printers = taxonomy["category"], taxonomy["child"]
    client = client_for(administrator)
    url = reverse("taxonomy:category_edit", args=[hardware.pk])
    choices = [value for value, _label in client.get(url).context["form"].fields["parent"].choices]
    assert hardware.pk not in choices and printers.pk not in choices
    before = snapshot()
    response = client.post(url, category_form(name="Hardware", parent=printers.pk))
    assert "a category cannot go under itself or its sub-categories" in response.content.decode()
    response = client.post(url, category_form(name="Hardware", parent=hardware.pk))
    assert "a category cannot go under itself or its sub-categories" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "hardware"}, "A category with this name already exists here."),
        ({"name": "x" * 101}, "Ensure this value has at most 100 characters"),
        ({"position": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"default_group": "987654"}, "Select a valid choice."),
        ({"name_vi": "y" * 101}, "Ensure this value has at most 100 characters"),
    ],
)
def test_bad_category_input_changes_nothing(client_for, administrator, taxonomy, overrides, message):
    before = snapshot()
    response = client_for(administrator).post(reverse("taxonomy:category_create"), category_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_categories_in_use_with_children_or_the_fallback_are_not_deleted(
    client_for, administrator, taxonomy, customer, make_ticket
):
    client = client_for(administrator)
    other = Category.objects.get(is_fallback=True)
    make_ticket(customer, category_id=taxonomy["child"].pk)
    before = snapshot()
    for category, message in (
        (other, "The fallback category cannot be deleted."),
        (taxonomy["category"], "Delete or move its sub-categories first."),
        (taxonomy["child"], "Tickets use this category; deactivate it instead."),
    ):
        response = client.post(reverse("taxonomy:category_delete", args=[category.pk]), follow=True)
        assert message in response.content.decode()
    assert snapshot() == before
    assert "category.deleted" not in audit_actions("category.")


def test_the_fallback_can_be_renamed_but_stays_active_at_the_top(client_for, administrator, taxonomy):
    other = Category.objects.get(is_fallback=True)
    client = client_for(administrator)
    url = reverse("taxonomy:category_edit", args=[other.pk])
    assert "This is the fallback category" in client.get(url).content.decode()
    client.post(url, category_form(name="Something else", parent=taxonomy["category"].pk, is_active=""))
    other.refresh_from_db()
    assert other.name == "Something else" and other.parent is None and other.is_active


def test_hostile_category_names_are_escaped(client_for, administrator):
    client = client_for(administrator)
    client.post(reverse("taxonomy:category_create"), category_form(name=SCRIPT))
    category = Category.objects.get(name=SCRIPT)
    assert_escaped(client.get(reverse("taxonomy:categories")))
    assert_escaped(client.get(reverse("taxonomy:category_edit", args=[category.pk])))
    assert_escaped(client.get(reverse("taxonomy:category_delete", args=[category.pk])))


def test_category_list_is_one_query_for_any_tree(
    client_for, administrator, taxonomy, django_assert_num_queries
):
    client = client_for(administrator)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("taxonomy:categories"))
    for index in range(10):
        category_save(actor=administrator, name=f"Child {index}", parent_id=taxonomy["child"].pk)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("taxonomy:categories"))


# -- statuses ----------------------------------------------------------------------------------


def status_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Waiting for the vendor",
        "status": str(Status.PENDING),
        "position": "0",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_statuses_show_the_six_categories_with_their_labels(client_for, administrator, taxonomy):
    response = client_for(administrator).get(reverse("taxonomy:statuses"))
    groups = response.context["groups"]
    assert [group.value for group in groups] == [status.value for status in Status]
    on_hold = next(group for group in groups if group.value == Status.ON_HOLD)
    assert [label.name for label in on_hold.labels] == ["Waiting for parts"]
    assert "On hold" in response.content.decode()


def test_status_label_create_edit_delete_are_audited(client_for, administrator):
    client = client_for(administrator)
    client.post(reverse("taxonomy:status_create"), status_form(is_default="on", name_pl="Czeka na dostawcę"))
    label = StatusLabel.objects.get(name="Waiting for the vendor")
    assert label.status == Status.PENDING and label.is_default
    assert label.translations == {"pl": "Czeka na dostawcę"}
    client.post(
        reverse("taxonomy:status_edit", args=[label.pk]),
        status_form(name="Vendor", status=str(Status.ON_HOLD), position="2"),
    )
    label.refresh_from_db()
    assert (label.name, label.status, label.position, label.is_default) == (
        "Vendor",
        Status.ON_HOLD,
        2,
        False,
    )
    client.post(reverse("taxonomy:status_delete", args=[label.pk]))
    assert not StatusLabel.objects.filter(pk=label.pk).exists()
    assert audit_actions("status_label.") == [
        "status_label.created",
        "status_label.updated",
        "status_label.deleted",
    ]


def test_status_labels_in_use_keep_their_category_and_are_not_deleted(
    client_for, administrator, taxonomy, customer, make_ticket
):
    label = taxonomy["label"]
    ticket = make_ticket(customer)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.ON_HOLD, status_label=label)
    client = client_for(administrator)
    before = snapshot()
    response = client.post(
        reverse("taxonomy:status_edit", args=[label.pk]), status_form(name="Waiting for parts", status="20")
    )
    assert "Tickets use this label, so its status category cannot change." in response.content.decode()
    response = client.post(reverse("taxonomy:status_delete", args=[label.pk]), follow=True)
    assert "Tickets use this label; deactivate it instead." in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "  "}, "This field is required."),
        ({"status": "35"}, "Select a valid choice."),
        ({"status": "open"}, "Select a valid choice."),
    ],
)
def test_bad_status_input_changes_nothing(client_for, administrator, overrides, message):
    before = snapshot()
    response = client_for(administrator).post(reverse("taxonomy:status_create"), status_form(**overrides))
    assert message in response.content.decode()
    assert snapshot() == before


def test_hostile_status_names_are_escaped(client_for, administrator):
    client = client_for(administrator)
    client.post(reverse("taxonomy:status_create"), status_form(name=SCRIPT))
    assert_escaped(client.get(reverse("taxonomy:statuses")))


# -- priorities --------------------------------------------------------------------------------


def priority_form(**overrides: Any) -> dict[str, Any]:
    data = {"rank": "5", "name": "Blocker", "color": "#7c3aed"}
    data.update(overrides)
    return data


def test_priority_list_shows_rank_colour_and_default(client_for, administrator):
    response = client_for(administrator).get(reverse("taxonomy:priorities"))
    assert [priority.rank for priority in response.context["priorities"]] == [4, 3, 2, 1]
    html = response.content.decode()
    assert "background:#dc2626" in html and "default" in html


def test_priority_create_edit_delete_are_audited(client_for, administrator):
    client = client_for(administrator)
    client.post(reverse("taxonomy:priority_create"), priority_form(is_default="on", name_vi="Chặn"))
    blocker = Priority.objects.get(rank=5)
    assert blocker.is_default and blocker.translations == {"vi": "Chặn"}
    assert Priority.objects.filter(is_default=True).count() == 1
    # The rank is fixed: a posted rank is ignored on edit.
    client.post(
        reverse("taxonomy:priority_edit", args=[blocker.pk]),
        priority_form(rank="7", name="Stopper", color="#111111"),
    )
    blocker.refresh_from_db()
    assert (blocker.rank, blocker.name, blocker.color, blocker.is_default) == (5, "Stopper", "#111111", False)
    client.post(reverse("taxonomy:priority_delete", args=[blocker.pk]))
    assert not Priority.objects.filter(rank=5).exists()
    assert audit_actions("priority.") == ["priority.created", "priority.updated", "priority.deleted"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"rank": "2"}, "A priority with this rank already exists."),
        ({"rank": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"rank": "1000"}, "Ensure this value is less than or equal to 999."),
        ({"color": "red"}, "Give a colour as #RRGGBB."),
        ({"color": "#12345g"}, "Give a colour as #RRGGBB."),
    ],
)
def test_bad_priority_input_changes_nothing(client_for, administrator, overrides, message):
    before = snapshot()
    response = client_for(administrator).post(reverse("taxonomy:priority_create"), priority_form(**overrides))
    assert message in response.content.decode()
    assert snapshot() == before


def test_a_used_priority_is_not_deleted(client_for, administrator, customer, make_ticket):
    make_ticket(customer)  # gets the default priority, Normal
    normal = Priority.objects.get(rank=2)
    before = snapshot()
    response = client_for(administrator).post(
        reverse("taxonomy:priority_delete", args=[normal.pk]), follow=True
    )
    assert "Tickets use this priority, so it cannot be deleted." in response.content.decode()
    assert snapshot() == before
    assert audit_actions("priority.") == []


def test_hostile_priority_names_are_escaped(client_for, administrator):
    client = client_for(administrator)
    client.post(reverse("taxonomy:priority_create"), priority_form(name=SCRIPT))
    assert_escaped(client.get(reverse("taxonomy:priorities")))


# -- tags --------------------------------------------------------------------------------------


def tags_in(response: Any) -> list[tuple[str, int]]:
    return [(tag.name, count) for tag, count in response.context["rows"]]


def test_tags_list_usage_counts_and_prefix_search(client_for, administrator, customer, make_ticket):
    staff = Actor.staff(administrator)
    make_ticket(customer, actor=staff, tags=["vip", "refund"])
    make_ticket(customer, actor=staff, tags=["vip"])
    tag_save(actor=administrator, name="unused")
    client = client_for(administrator)
    assert tags_in(client.get(reverse("taxonomy:tags"))) == [("refund", 1), ("unused", 0), ("vip", 2)]
    assert tags_in(client.get(reverse("taxonomy:tags"), {"q": "V"})) == [("vip", 2)]
    assert tags_in(client.get(reverse("taxonomy:tags"), {"q": "zzz"})) == []


def test_the_tag_search_answers_htmx_with_the_results_only(client_for, administrator):
    tag_save(actor=administrator, name="vip")
    response = client_for(administrator).get(
        reverse("taxonomy:tags"), {"q": "v"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tag-results"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="tag-results">')
    assert "vip" in html and "<html" not in html


def test_tags_page_by_keyset(client_for, administrator, monkeypatch):
    from supportdesk.tickets.settings_views import tags as tag_views

    monkeypatch.setattr(tag_views, "PAGE_SIZE", 2)
    for name in ("alpha", "bravo", "charlie"):
        tag_save(actor=administrator, name=name)
    client = client_for(administrator)
    first = client.get(reverse("taxonomy:tags"))
    assert [name for name, _count in tags_in(first)] == ["alpha", "bravo"]
    second = client.get(reverse("taxonomy:tags"), {"cursor": first.context["page"].next_cursor})
    assert [name for name, _count in tags_in(second)] == ["charlie"]


def test_tag_list_query_count_does_not_grow_with_tags(
    client_for, administrator, customer, make_ticket, django_assert_num_queries
):
    staff = Actor.staff(administrator)
    make_ticket(customer, actor=staff, tags=["a1", "a2", "a3"])
    client = client_for(administrator)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("taxonomy:tags"))
    make_ticket(customer, actor=staff, tags=[f"b{index}" for index in range(20)])
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("taxonomy:tags"))
    assert len(response.context["rows"]) == 23


def test_tag_create_rename_delete_are_audited(client_for, administrator, customer, make_ticket):
    client = client_for(administrator)
    client.post(reverse("taxonomy:tag_create"), {"name": "Needs Review"})
    tag = Tag.objects.get(name="needs-review")
    make_ticket(customer, actor=Actor.staff(administrator), tags=["needs-review"])
    client.post(reverse("taxonomy:tag_edit", args=[tag.pk]), {"name": "review"})
    tag.refresh_from_db()
    assert tag.name == "review"
    confirm = client.get(reverse("taxonomy:tag_delete", args=[tag.pk]))
    assert "1 ticket carries it" in confirm.content.decode()
    response = client.post(reverse("taxonomy:tag_delete", args=[tag.pk]), follow=True)
    assert "The tag review was deleted and taken off 1 ticket." in response.content.decode()
    assert not Tag.objects.filter(pk=tag.pk).exists()
    assert audit_actions("tag.") == ["tag.created", "tag.renamed", "tag.deleted"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("vip", "This tag already exists."),
        ("VIP", "This tag already exists."),
        (SCRIPT, "Use letters, digits and - _ . : / only, at most 50 characters."),
        ("x" * 51, "Use letters, digits and - _ . : / only, at most 50 characters."),
    ],
)
def test_bad_tag_names_change_nothing(client_for, administrator, taxonomy, name, message):
    before = snapshot()
    response = client_for(administrator).post(reverse("taxonomy:tag_create"), {"name": name})
    html = response.content.decode()
    assert message in html
    assert "<script>alert(1)" not in html
    assert snapshot() == before


# -- custom fields -----------------------------------------------------------------------------


def field_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Plan",
        "key": "plan",
        "field_type": FieldType.DROPDOWN,
        "options": "Free\nTeam, annual\nEnterprise\n\nFree",
        "position": "1",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_custom_field_create_edit_delete_are_audited(client_for, administrator):
    client = client_for(administrator)
    response = client.post(
        reverse("taxonomy:field_create"),
        field_form(required="on", visible_to_customers="on", editable_by_customers="on", name_zh_hans="套餐"),
    )
    assert response.status_code == 302
    field = CustomField.objects.get(key="plan")
    assert field.options == ["Free", "Team, annual", "Enterprise"]
    assert field.required and field.visible_to_customers and field.editable_by_customers
    assert field.translations == {"zh-hans": "套餐"}
    listing = client.get(reverse("taxonomy:fields")).content.decode()
    assert "3 options" in listing and "customers fill it in" in listing
    # Key and type are fixed once created: posted values are ignored.
    edit_url = reverse("taxonomy:field_edit", args=[field.pk])
    assert client.get(edit_url).context["form"].fields["key"].disabled
    client.post(
        edit_url,
        field_form(name="Subscription plan", key="hacked", field_type=FieldType.TEXT, options="Free"),
    )
    field.refresh_from_db()
    assert (field.name, field.key, field.field_type, field.options) == (
        "Subscription plan",
        "plan",
        FieldType.DROPDOWN,
        ["Free"],
    )
    client.post(reverse("taxonomy:field_delete", args=[field.pk]))
    assert not CustomField.objects.filter(pk=field.pk).exists()
    assert audit_actions("custom_field.") == [
        "custom_field.created",
        "custom_field.updated",
        "custom_field.deleted",
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"options": "\n  \n"}, "A dropdown needs at least one option."),
        ({"key": "order_number"}, "A field with this key already exists."),
        ({"key": "Plan Name"}, "The key must start with a letter and use only a-z, 0-9 and _."),
        ({"key": "1plan"}, "The key must start with a letter and use only a-z, 0-9 and _."),
        ({"field_type": "colour"}, "Select a valid choice."),
        ({"editable_by_customers": "on"}, "A field customers fill in must be visible to them."),
        ({"options": "x" * 101}, "An option can have at most 100 characters."),
    ],
)
def test_bad_custom_field_input_changes_nothing(client_for, administrator, taxonomy, overrides, message):
    before = snapshot()
    response = client_for(administrator).post(reverse("taxonomy:field_create"), field_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_hostile_field_names_and_options_are_escaped(client_for, administrator):
    client = client_for(administrator)
    client.post(reverse("taxonomy:field_create"), field_form(name=SCRIPT, options=SCRIPT))
    field = CustomField.objects.get(key="plan")
    assert field.options == [SCRIPT]
    assert_escaped(client.get(reverse("taxonomy:fields")))
    assert_escaped(client.get(reverse("taxonomy:field_edit", args=[field.pk])))
