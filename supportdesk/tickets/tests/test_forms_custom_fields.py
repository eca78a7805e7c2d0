"""Custom field inputs (forms/base.py custom_form_field): made once per definition, language and
requirement, each form showing its own ticket's value."""

from __future__ import annotations

from django.utils.translation import override

from supportdesk.tickets.choices import FieldType
from supportdesk.tickets.forms.base import custom_form_field
from supportdesk.tickets.models import CustomField


def _definition(kind: str, **extra: object) -> CustomField:
    # Not saved: the inputs are made from the definition's values alone.
    return CustomField(key="plan", name="Plan", translations={"pl": "Pakiet"}, field_type=kind, **extra)


def test_each_form_shows_its_own_value_and_changes_stay_in_it():
    plan = _definition(FieldType.DROPDOWN, options=["Basic", "Pro"])
    first = custom_form_field(plan, current="Pro", required=False)
    second = custom_form_field(plan, current=None, required=False)
    assert (first.initial, second.initial) == ("Pro", "")
    assert list(first.choices) == list(second.choices) == [("", "—"), ("Basic", "Basic"), ("Pro", "Pro")]
    first.widget.attrs["class"] = "changed"
    assert "class" not in second.widget.attrs
    assert "class" not in custom_form_field(plan, current="Basic", required=False).widget.attrs
    assert 'value="Pro" selected' in first.widget.render("cf_plan", first.initial)


def test_a_value_whose_option_was_removed_stays_selectable_on_its_ticket_only():
    plan = _definition(FieldType.DROPDOWN, options=["Basic", "Pro"])
    old = custom_form_field(plan, current="Gold", required=False)
    assert ("Gold", "Gold") in list(old.choices)
    assert ("Gold", "Gold") not in list(custom_form_field(plan, current="Pro", required=False).choices)


def test_labels_follow_the_language_and_requirement_is_kept_apart():
    plan = _definition(FieldType.TEXT)
    with override("pl"):
        assert custom_form_field(plan, current="x", required=True).label == "Pakiet"
    optional = custom_form_field(plan, current=None, required=False)
    required = custom_form_field(plan, current=None, required=True)
    assert optional.label == "Plan" and (optional.required, required.required) == (False, True)
    assert optional.initial == "" and custom_form_field(plan, current=12, required=False).initial == "12"


def test_checkboxes_and_numbers_take_their_values():
    callback = _definition(FieldType.CHECKBOX)
    assert custom_form_field(callback, current=True, required=False).initial is True
    assert custom_form_field(callback, current=None, required=False).initial is False
    amount = _definition(FieldType.NUMBER)
    field = custom_form_field(amount, current=12.5, required=False)
    assert field.initial == "12.5" and field.widget.attrs["step"] == "any"
