"""core/links.py: the links reverse() gives, filled in from one reversal per URL."""

from __future__ import annotations

import uuid

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from supportdesk.core.links import link


@pytest.mark.parametrize("key", [1, 7, 96211, 2**62, 0])
def test_an_id_link_is_what_reverse_gives(key):
    assert link("tickets:detail", key) == reverse("tickets:detail", args=[key])


def test_a_uuid_link_is_what_reverse_gives():
    for _ in range(5):
        token = uuid.uuid4()
        assert link("files:attachment", token) == reverse("files:attachment", args=[token])
        assert link("files:inline", token) == reverse("files:inline", args=[token])


def test_other_arguments_are_reversed_as_django_does():
    assert link("tickets:detail", "12") == reverse("tickets:detail", args=["12"])  # type: ignore[arg-type]
    with pytest.raises(NoReverseMatch):
        link("tickets:detail", -1)
    with pytest.raises(NoReverseMatch):
        link("tickets:detail", "<script>")  # type: ignore[arg-type]


def test_a_script_prefix_gives_its_own_links():
    plain = link("tickets:detail", 5)
    set_script_prefix("/helpdesk/")
    try:
        assert link("tickets:detail", 5) == "/helpdesk" + plain == reverse("tickets:detail", args=[5])
    finally:
        clear_script_prefix()
    assert link("tickets:detail", 5) == plain
