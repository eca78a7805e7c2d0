"""Helpers shared by the settings pages of every app (accounts here, the taxonomy in tickets)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from supportdesk.core.errors import DomainError, ValidationFailed
from supportdesk.core.pagination import Page, SortKey, paginate

M = TypeVar("M", bound=Model)


def render_settings(
    request: HttpRequest, template: str, page: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """Render a settings page: the top bar shows "Settings" and the sidebar marks `page`."""
    return render(
        request, template, {"section": "settings", "settings_page": page, **(context or {})}, status=status
    )


def confirm_delete(
    request: HttpRequest,
    *,
    page: str,
    back: str,
    title: str,
    consequences: Callable[[], list[str]],
    delete: Callable[[], str],
) -> HttpResponse:
    """The delete flow of every settings area. GET asks, with `title` and what deleting will do
    (`consequences`, computed only then: some count rows); POST deletes through the service
    (`delete` returns the message to show) and goes back to the list `back`, showing the
    service's reason when it refuses."""
    if request.method == "POST":
        try:
            messages.success(request, delete())
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(back)
    context = {
        "title": title,
        "consequences": consequences(),
        "action": request.path,
        "cancel": reverse(back),
    }
    return render_settings(request, "accounts/settings_confirm_delete.html", page, context)


def page_of(queryset: QuerySet[M], keys: Sequence[SortKey], request: HttpRequest, size: int) -> Page[M]:
    """One keyset page; a damaged or stale cursor in the address starts again at the top
    instead of failing, since it comes from a link the person may have edited."""
    try:
        return paginate(queryset, keys, request.GET.get("cursor") or None, size)
    except ValidationFailed:
        return paginate(queryset, keys, None, size)
