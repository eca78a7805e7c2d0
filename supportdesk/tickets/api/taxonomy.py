"""REST API for the ticket taxonomy: categories, tags, custom field definitions, priorities and
status labels. Every staff member may read them (clients need them to fill in tickets); only
administrators change them, through tickets.services.taxonomy, which writes the audit log.

The lists are short by nature (a desk has tens of categories, not thousands) and hard-bounded.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from supportdesk.core.errors import NotFound
from supportdesk.tickets import selectors
from supportdesk.tickets.api.schemas import (
    ID_MAX,
    CategoryIn,
    CategoryListOut,
    CategoryOut,
    CategoryPatchIn,
    CustomFieldIn,
    CustomFieldListOut,
    CustomFieldOut,
    CustomFieldPatchIn,
    PriorityListOut,
    StatusLabelListOut,
    TagIn,
    TagListOut,
    TagOut,
)
from supportdesk.tickets.api.tickets import caller
from supportdesk.tickets.choices import status_slug
from supportdesk.tickets.models import Category, CustomField, Priority, StatusLabel, Tag
from supportdesk.tickets.services import taxonomy

categories_router = Router(tags=["categories"])
tags_router = Router(tags=["tags"])
custom_fields_router = Router(tags=["custom fields"])
priorities_router = Router(tags=["priorities"])
status_labels_router = Router(tags=["status labels"])

LIST_LIMIT = 1000


def _get(queryset: QuerySet[Any], pk: int, message: str, code: str) -> Any:
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound(message, code=code)
    return obj


def category_out(category: Category) -> dict[str, Any]:
    return {
        "id": category.pk,
        "name": category.name,
        "translations": category.translations,
        "parent_id": category.parent_id,
        "default_group_id": category.default_group_id,
        "position": category.position,
        "is_active": category.is_active,
        "is_fallback": category.is_fallback,
    }


def custom_field_out(field: CustomField) -> dict[str, Any]:
    return {
        "id": field.pk,
        "key": field.key,
        "name": field.name,
        "translations": field.translations,
        "field_type": field.field_type,
        "options": field.options,
        "required": field.required,
        "visible_to_customers": field.visible_to_customers,
        "editable_by_customers": field.editable_by_customers,
        "position": field.position,
        "is_active": field.is_active,
    }


# -- categories ---------------------------------------------------------------------------------


@categories_router.get(
    "", response=CategoryListOut, operation_id="categories_list", summary="All categories (flat)"
)
def categories_list(request: HttpRequest) -> dict[str, Any]:
    """The category tree as a flat list; rebuild the tree from `parent_id`."""
    return {"items": [category_out(c) for c in selectors.category_list()[:LIST_LIMIT]]}


@categories_router.post(
    "", response={201: CategoryOut}, operation_id="categories_create", summary="Create a category (admin)"
)
def categories_create(request: HttpRequest, payload: CategoryIn) -> Status[dict[str, Any]]:
    category = taxonomy.category_save(actor=caller(request), **payload.model_dump())
    return Status(201, category_out(category))


@categories_router.patch(
    "/{int:category_id}",
    response=CategoryOut,
    operation_id="categories_update",
    summary="Change a category (admin)",
)
def categories_update(
    request: HttpRequest, payload: CategoryPatchIn, category_id: int = Path(..., ge=1, le=ID_MAX)
) -> dict[str, Any]:
    category = _get(selectors.category_list(), category_id, _("Category not found."), "category_not_found")
    current = {
        "name": category.name,
        "parent_id": category.parent_id,
        "default_group_id": category.default_group_id,
        "position": category.position,
        "is_active": category.is_active,
        "translations": category.translations,
    }
    saved = taxonomy.category_save(
        actor=caller(request), category=category, **{**current, **payload.changes()}
    )
    return category_out(saved)


@categories_router.delete(
    "/{int:category_id}",
    response={204: None},
    operation_id="categories_delete",
    summary="Delete an unused category (admin)",
)
def categories_delete(request: HttpRequest, category_id: int = Path(..., ge=1, le=ID_MAX)) -> Status[None]:
    category = _get(selectors.category_list(), category_id, _("Category not found."), "category_not_found")
    taxonomy.category_delete(actor=caller(request), category=category)
    return Status(204, None)


# -- tags ---------------------------------------------------------------------------------------


@tags_router.get("", response=TagListOut, operation_id="tags_list", summary="Tags by name")
def tags_list(
    request: HttpRequest,
    q: str = Query("", max_length=100, description="Only tags starting with this text."),
    limit: int = Query(50, ge=1, le=100),
) -> dict[str, Any]:
    return {"items": [{"id": t.pk, "name": t.name} for t in selectors.tag_search(q, limit)]}


@tags_router.post("", response={201: TagOut}, operation_id="tags_create", summary="Create a tag (admin)")
def tags_create(request: HttpRequest, payload: TagIn) -> Status[dict[str, Any]]:
    tag = taxonomy.tag_save(actor=caller(request), name=payload.name)
    return Status(201, {"id": tag.pk, "name": tag.name})


@tags_router.patch(
    "/{int:tag_id}", response=TagOut, operation_id="tags_update", summary="Rename a tag (admin)"
)
def tags_update(
    request: HttpRequest, payload: TagIn, tag_id: int = Path(..., ge=1, le=ID_MAX)
) -> dict[str, Any]:
    tag = _get(Tag.objects.all(), tag_id, _("Tag not found."), "tag_not_found")
    tag = taxonomy.tag_save(actor=caller(request), tag=tag, name=payload.name)
    return {"id": tag.pk, "name": tag.name}


@tags_router.delete(
    "/{int:tag_id}",
    response={204: None},
    operation_id="tags_delete",
    summary="Delete a tag and take it off every ticket (admin)",
)
def tags_delete(request: HttpRequest, tag_id: int = Path(..., ge=1, le=ID_MAX)) -> Status[None]:
    tag = _get(Tag.objects.all(), tag_id, _("Tag not found."), "tag_not_found")
    taxonomy.tag_delete(actor=caller(request), tag=tag)
    return Status(204, None)


# -- custom fields ------------------------------------------------------------------------------


@custom_fields_router.get(
    "", response=CustomFieldListOut, operation_id="custom_fields_list", summary="Custom field definitions"
)
def custom_fields_list(request: HttpRequest) -> dict[str, Any]:
    return {"items": [custom_field_out(f) for f in selectors.custom_field_list()[:LIST_LIMIT]]}


@custom_fields_router.post(
    "", response={201: CustomFieldOut}, operation_id="custom_fields_create", summary="Define a field (admin)"
)
def custom_fields_create(request: HttpRequest, payload: CustomFieldIn) -> Status[dict[str, Any]]:
    field = taxonomy.custom_field_save(actor=caller(request), **payload.model_dump())
    return Status(201, custom_field_out(field))


@custom_fields_router.patch(
    "/{int:field_id}",
    response=CustomFieldOut,
    operation_id="custom_fields_update",
    summary="Change a field definition (admin)",
)
def custom_fields_update(
    request: HttpRequest, payload: CustomFieldPatchIn, field_id: int = Path(..., ge=1, le=ID_MAX)
) -> dict[str, Any]:
    field = _get(
        selectors.custom_field_list(), field_id, _("Custom field not found."), "custom_field_not_found"
    )
    current = {
        "name": field.name,
        "options": field.options,
        "required": field.required,
        "visible_to_customers": field.visible_to_customers,
        "editable_by_customers": field.editable_by_customers,
        "position": field.position,
        "is_active": field.is_active,
        "translations": field.translations,
    }
    saved = taxonomy.custom_field_save(actor=caller(request), field=field, **{**current, **payload.changes()})
    return custom_field_out(saved)


@custom_fields_router.delete(
    "/{int:field_id}",
    response={204: None},
    operation_id="custom_fields_delete",
    summary="Delete a field definition (admin)",
)
def custom_fields_delete(request: HttpRequest, field_id: int = Path(..., ge=1, le=ID_MAX)) -> Status[None]:
    field = _get(
        selectors.custom_field_list(), field_id, _("Custom field not found."), "custom_field_not_found"
    )
    taxonomy.custom_field_delete(actor=caller(request), field=field)
    return Status(204, None)


# -- priorities and status labels (read-only here; administrators edit them in the settings UI) ---


@priorities_router.get("", response=PriorityListOut, operation_id="priorities_list", summary="Priorities")
def priorities_list(request: HttpRequest) -> dict[str, Any]:
    priorities = Priority.objects.order_by("rank")[:LIST_LIMIT]
    return {
        "items": [
            {
                "rank": p.rank,
                "name": p.name,
                "translations": p.translations,
                "color": p.color,
                "is_default": p.is_default,
            }
            for p in priorities
        ]
    }


@status_labels_router.get(
    "", response=StatusLabelListOut, operation_id="status_labels_list", summary="Custom status labels"
)
def status_labels_list(request: HttpRequest) -> dict[str, Any]:
    labels = StatusLabel.objects.order_by("status", "position", "name", "id")[:LIST_LIMIT]
    return {
        "items": [
            {
                "id": label.pk,
                "name": label.name,
                "translations": label.translations,
                "status": status_slug(label.status),
                "is_default": label.is_default,
                "position": label.position,
                "is_active": label.is_active,
            }
            for label in labels
        ]
    }
