"""The audit log names every action the code records, and files it under an area."""

from __future__ import annotations


def test_every_audited_action_has_a_label_and_an_area():
    """The audit log page names each action in the reader's language and can filter by its area."""
    import re
    from pathlib import Path

    from supportdesk.accounts.forms import AUDIT_AREAS
    from supportdesk.accounts.views.audit import ACTION_LABELS

    root = Path(__file__).resolve().parents[2]
    name = r'"([a-z_]+\.[a-z_]+)"'
    pattern = re.compile(rf"action={name}|{name} if created else {name}")
    found = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.update(group for group in match.groups() if group)
    assert len(found) >= 20
    assert not found - set(ACTION_LABELS), f"no label for {sorted(found - set(ACTION_LABELS))}"
    areas = [prefix for prefix, _label in AUDIT_AREAS]
    unfiled = sorted(action for action in found if not any(action.startswith(p) for p in areas))
    assert not unfiled, f"no audit area for {unfiled}"
