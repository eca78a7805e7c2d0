"""Administrators' writes to the ticket taxonomy: categories, status labels, priorities, tags and
custom fields. Every change is written to the audit log. Things tickets still use are
deactivated rather than deleted, so no ticket changes behind its timeline's back."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from supportdesk.accounts.models import Group, User
from supportdesk.core.audit import audit_record
from supportdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from supportdesk.core.text import single_line
from supportdesk.tickets.choices import FieldType, Status
from supportdesk.tickets.models import Category, CustomField, Priority, StatusLabel, Tag, Ticket, TicketTag
from supportdesk.tickets.tags import InvalidTag, clean_tag

TRANSLATABLE_LANGUAGES = [code for code, _label in settings.LANGUAGES if code != "en"]
MAX_OPTIONS = 200
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _require_admin(actor: User) -> None:
    if not actor.is_administrator:
        raise PermissionDenied(_("Only administrators can do this."))


def _name(raw: str, limit: int = 100) -> str:
    name = single_line(raw)
    if not name or len(name) > limit:
        message = _("A name of up to %(n)d characters is required.") % {"n": limit}
        raise ValidationFailed(message, details={"name": message})
    return name


def clean_translations(raw: Any) -> dict[str, str]:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise ValidationFailed.on("translations", _("Translations must map language codes to names."))
    result: dict[str, str] = {}
    for language, value in raw.items():
        if language not in TRANSLATABLE_LANGUAGES:
            raise ValidationFailed.on("translations", _("Unknown language."))
        text = single_line(str(value or ""))
        if len(text) > 100:
            raise ValidationFailed.on("translations", _("A translation can have at most 100 characters."))
        if text:
            result[language] = text
    return result


def _diff(obj: Model, before: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {f: [before.get(f), getattr(obj, f)] for f in fields if before.get(f) != getattr(obj, f)}


def _snapshot(obj: Model, fields: list[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields} if obj.pk else {}


# -- categories ---------------------------------------------------------------------------------
CATEGORY_FIELDS = ["name", "parent_id", "default_group_id", "position", "is_active", "translations"]


@transaction.atomic
def category_save(
    *,
    actor: User,
    category: Category | None = None,
    name: str,
    parent_id: int | None = None,
    default_group_id: int | None = None,
    position: int = 0,
    is_active: bool = True,
    translations: Any = None,
) -> Category:
    """Create (category None) or change a category. The fallback stays at the top level and
    active; a category cannot move under itself or its descendants."""
    _require_admin(actor)
    category = category or Category()
    before = _snapshot(category, CATEGORY_FIELDS)
    name = _name(name)
    parent = None
    if parent_id is not None:
        parent = Category.objects.filter(pk=parent_id).first()
        if parent is None:
            raise ValidationFailed.on("parent", _("Unknown parent category."))
        node: Category | None = parent
        while node is not None:
            if category.pk and node.pk == category.pk:
                raise ValidationFailed.on("parent", _("A category cannot be placed under itself."))
            node = node.parent
    if category.is_fallback and (parent is not None or not is_active):
        raise Conflict(_("The fallback category stays active at the top level."), code="fallback_protected")
    siblings = Category.objects.filter(parent=parent, name__iexact=name).exclude(pk=category.pk)
    if siblings.exists():
        raise Conflict(_("A category with this name already exists here."), code="name_taken")
    if default_group_id is not None and not Group.objects.filter(pk=default_group_id).exists():
        raise ValidationFailed.on("default_group", _("Unknown group."))
    category.name, category.parent = name, parent
    category.default_group_id = default_group_id
    category.position, category.is_active = max(0, int(position)), is_active
    category.translations = clean_translations(translations)
    created = category.pk is None
    category.save()
    audit_record(
        action="category.created" if created else "category.updated",
        actor=actor,
        target=category,
        changes=_diff(category, before, CATEGORY_FIELDS),
    )
    return category


@transaction.atomic
def category_delete(*, actor: User, category: Category) -> None:
    """Delete an unused category. The fallback, categories with sub-categories and categories
    that tickets use cannot be deleted (deactivate those instead)."""
    _require_admin(actor)
    if category.is_fallback:
        raise Conflict(_("The fallback category cannot be deleted."), code="fallback_protected")
    if category.children.exists():
        raise Conflict(_("Delete or move its sub-categories first."), code="has_children")
    if Ticket.objects.filter(category=category).exists():
        raise Conflict(_("Tickets use this category; deactivate it instead."), code="in_use")
    audit_record(action="category.deleted", actor=actor, target=category)
    category.delete()


# -- status labels ------------------------------------------------------------------------------
LABEL_FIELDS = ["name", "status", "is_default", "position", "is_active", "translations"]


@transaction.atomic
def status_label_save(
    *,
    actor: User,
    label: StatusLabel | None = None,
    name: str,
    status: int,
    is_default: bool = False,
    position: int = 0,
    is_active: bool = True,
    translations: Any = None,
) -> StatusLabel:
    """Create or change a custom status label. A label that tickets use keeps its category."""
    _require_admin(actor)
    label = label or StatusLabel()
    before = _snapshot(label, LABEL_FIELDS)
    if status not in Status.values:
        raise ValidationFailed(_("Unknown status."), details={"status": _("Unknown status.")})
    if label.pk and label.status != status and Ticket.objects.filter(status_label=label).exists():
        raise Conflict(_("Tickets use this label, so its status category cannot change."), code="in_use")
    label.name, label.status = _name(name), status
    label.position, label.is_active = max(0, int(position)), is_active
    label.is_default = is_default and is_active
    label.translations = clean_translations(translations)
    if label.is_default:
        StatusLabel.objects.filter(status=status, is_default=True).exclude(pk=label.pk).update(
            is_default=False
        )
    created = label.pk is None
    label.save()
    audit_record(
        action="status_label.created" if created else "status_label.updated",
        actor=actor,
        target=label,
        changes=_diff(label, before, LABEL_FIELDS),
    )
    return label


@transaction.atomic
def status_label_delete(*, actor: User, label: StatusLabel) -> None:
    _require_admin(actor)
    if Ticket.objects.filter(status_label=label).exists():
        raise Conflict(_("Tickets use this label; deactivate it instead."), code="in_use")
    audit_record(action="status_label.deleted", actor=actor, target=label)
    label.delete()


# -- priorities ---------------------------------------------------------------------------------
PRIORITY_FIELDS = ["name", "color", "is_default", "translations"]


@transaction.atomic
def priority_save(
    *,
    actor: User,
    priority: Priority | None = None,
    name: str,
    rank: int | None = None,
    color: str = "#6b7280",
    is_default: bool = False,
    translations: Any = None,
) -> Priority:
    """Create (with a new rank: higher is more urgent) or rename/recolour a priority. The rank
    of an existing priority never changes, because tickets point at it."""
    _require_admin(actor)
    priority = priority or Priority()
    before = _snapshot(priority, PRIORITY_FIELDS)
    if priority.pk is None:
        if rank is None or not 0 < int(rank) < 1000:
            raise ValidationFailed.on("rank", _("Give a rank from 1 to 999."))
        if Priority.objects.filter(rank=rank).exists():
            raise Conflict(_("A priority with this rank already exists."), code="rank_taken")
        priority.rank = int(rank)
    if not _COLOR.match(color or ""):
        raise ValidationFailed.on("color", _("Give a colour as #RRGGBB."))
    priority.name, priority.color, priority.is_default = _name(name), color, is_default
    priority.translations = clean_translations(translations)
    if is_default:
        Priority.objects.filter(is_default=True).exclude(pk=priority.pk).update(is_default=False)
    created = priority.pk is None
    priority.save()
    audit_record(
        action="priority.created" if created else "priority.updated",
        actor=actor,
        target=priority,
        changes=_diff(priority, before, PRIORITY_FIELDS),
    )
    return priority


@transaction.atomic
def priority_delete(*, actor: User, priority: Priority) -> None:
    _require_admin(actor)
    if Ticket.objects.filter(priority=priority).exists():
        raise Conflict(_("Tickets use this priority, so it cannot be deleted."), code="in_use")
    if Priority.objects.count() <= 1:
        raise Conflict(_("At least one priority must remain."), code="last_priority")
    audit_record(action="priority.deleted", actor=actor, target=priority)
    priority.delete()


# -- tags ---------------------------------------------------------------------------------------
@transaction.atomic
def tag_save(*, actor: User, tag: Tag | None = None, name: str) -> Tag:
    """Create a tag or rename one (every ticket carrying it shows the new name)."""
    _require_admin(actor)
    try:
        clean = clean_tag(name)
    except InvalidTag:
        message = _("Use letters, digits and - _ . : / only, at most 50 characters.")
        raise ValidationFailed(message, details={"name": message}) from None
    clash = Tag.objects.filter(name=clean)
    if tag is not None:
        clash = clash.exclude(pk=tag.pk)
    if clash.exists():
        raise Conflict(_("This tag already exists."), code="name_taken")
    tag = tag or Tag()
    old = tag.name
    tag.name = clean
    created = tag.pk is None
    tag.save()
    audit_record(
        action="tag.created" if created else "tag.renamed",
        actor=actor,
        target=tag,
        changes={} if created else {"name": [old, clean]},
    )
    return tag


@transaction.atomic
def tag_delete(*, actor: User, tag: Tag) -> int:
    """Delete a tag and take it off every ticket; returns how many tickets carried it."""
    _require_admin(actor)
    count = TicketTag.objects.filter(tag=tag).count()
    audit_record(action="tag.deleted", actor=actor, target=tag, changes={"tickets": count})
    tag.delete()
    return count


# -- custom fields ------------------------------------------------------------------------------
FIELD_FIELDS = [
    "name",
    "options",
    "required",
    "visible_to_customers",
    "editable_by_customers",
    "position",
    "is_active",
    "translations",
]


def _clean_options(field_type: str, raw: Any) -> list[str]:
    if field_type != FieldType.DROPDOWN:
        return []
    if isinstance(raw, str):
        raw = raw.splitlines()
    if not isinstance(raw, list | tuple):
        raise ValidationFailed.on("options", _("Options must be a list."))
    options: list[str] = []
    for item in raw:
        text = single_line(str(item))
        if len(text) > 100:
            raise ValidationFailed.on("options", _("An option can have at most 100 characters."))
        if text and text not in options:
            options.append(text)
    if not options:
        raise ValidationFailed.on("options", _("A dropdown needs at least one option."))
    if len(options) > MAX_OPTIONS:
        raise ValidationFailed.on("options", _("Too many options."))
    return options


@transaction.atomic
def custom_field_save(
    *,
    actor: User,
    field: CustomField | None = None,
    name: str,
    key: str = "",
    field_type: str = FieldType.TEXT,
    options: Any = None,
    required: bool = False,
    visible_to_customers: bool = False,
    editable_by_customers: bool = False,
    position: int = 0,
    is_active: bool = True,
    translations: Any = None,
) -> CustomField:
    """Create or change a custom field. Its key and type are fixed once created, since
    tickets store values under the key in the type's form."""
    _require_admin(actor)
    field = field or CustomField()
    before = _snapshot(field, FIELD_FIELDS)
    if field.pk is None:
        if not _KEY.match(key or ""):
            message = _("The key must start with a letter and use only a-z, 0-9 and _.")
            raise ValidationFailed(message, details={"key": message})
        if CustomField.objects.filter(key=key).exists():
            raise Conflict(_("A field with this key already exists."), code="key_taken")
        if field_type not in FieldType.values:
            raise ValidationFailed.on("field_type", _("Unknown field type."))
        field.key, field.field_type = key, field_type
    if editable_by_customers and not visible_to_customers:
        raise ValidationFailed.on(
            "editable_by_customers", _("A field customers fill in must be visible to them.")
        )
    field.name, field.options = _name(name), _clean_options(field.field_type, options)
    field.required, field.position, field.is_active = required, max(0, int(position)), is_active
    field.visible_to_customers, field.editable_by_customers = visible_to_customers, editable_by_customers
    field.translations = clean_translations(translations)
    created = field.pk is None
    field.save()
    audit_record(
        action="custom_field.created" if created else "custom_field.updated",
        actor=actor,
        target=field,
        changes=_diff(field, before, FIELD_FIELDS),
    )
    return field


@transaction.atomic
def custom_field_delete(*, actor: User, field: CustomField) -> None:
    """Delete a field definition. Values already on tickets stay in storage, hidden, and come
    back if a field with the same key is created again."""
    _require_admin(actor)
    audit_record(action="custom_field.deleted", actor=actor, target=field)
    field.delete()
