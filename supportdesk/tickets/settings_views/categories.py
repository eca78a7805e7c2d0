"""The category tree: list (indented), create, edit, delete."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from supportdesk.accounts.views.common import confirm_delete, render_settings
from supportdesk.core.decorators import admin_required
from supportdesk.core.errors import DomainError
from supportdesk.core.forms import apply_domain_error
from supportdesk.tickets.forms_settings import CategoryForm
from supportdesk.tickets.models import Category
from supportdesk.tickets.services.taxonomy import category_delete, category_save

# A category tree is a few hundred nodes at most; the cap bounds the page all the same.
MAX_CATEGORIES = 2000


@dataclass(frozen=True)
class Node:
    category: Category
    depth: int

    @property
    def indent(self) -> str:
        return f"{self.depth * 1.5}rem"


def category_tree() -> list[Node]:
    """Every category in tree order (parents before children, siblings by position and name),
    read in one query and arranged in memory."""
    categories = list(
        Category.objects.select_related("default_group").order_by("position", "name", "id")[:MAX_CATEGORIES]
    )
    children: dict[int | None, list[Category]] = defaultdict(list)
    for category in categories:
        children[category.parent_id].append(category)
    nodes: list[Node] = []
    stack = [(category, 0) for category in reversed(children[None])]
    while stack:
        category, depth = stack.pop()
        nodes.append(Node(category, depth))
        stack.extend((child, depth + 1) for child in reversed(children[category.pk]))
    return nodes


def _descendants(nodes: list[Node], root: Category) -> set[int]:
    """Ids of `root` and everything under it (contiguous after it in tree order)."""
    ids: set[int] = set()
    inside_depth: int | None = None
    for node in nodes:
        if node.category.pk == root.pk:
            inside_depth = node.depth
            ids.add(root.pk)
        elif inside_depth is not None:
            if node.depth <= inside_depth:
                break
            ids.add(node.category.pk)
    return ids


def _parent_choices(nodes: list[Node], editing: Category | None) -> list[tuple[int, str]]:
    excluded = _descendants(nodes, editing) if editing is not None else set()
    return [
        (node.category.pk, "— " * node.depth + node.category.name)
        for node in nodes
        if node.category.pk not in excluded
    ]


@admin_required
def category_list(request: HttpRequest) -> HttpResponse:
    return render_settings(
        request, "tickets/settings/categories.html", "categories", {"nodes": category_tree()}
    )


def _save(request: HttpRequest, category: Category | None) -> HttpResponse:
    nodes = category_tree()
    initial = {}
    if category is not None:
        initial = {
            "name": category.name,
            "parent": category.parent_id,
            "default_group": category.default_group_id,
            "position": category.position,
            "is_active": category.is_active,
            **CategoryForm.initial_translations(category),
        }
    elif parent := request.GET.get("parent", ""):
        initial = {"parent": parent}
    form = CategoryForm(
        request.POST or None,
        initial=initial,
        parent_choices=_parent_choices(nodes, category),
    )
    if category is not None and category.is_fallback:
        # The fallback stays at the top level and active; say so instead of failing on save.
        for name in ("parent", "is_active"):
            form.fields[name].disabled = True
            form.fields[name].help_text = _("The fallback category stays active at the top level.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = category_save(
                actor=request.user,  # type: ignore[arg-type]
                category=category,
                name=data["name"],
                parent_id=data["parent"],
                default_group_id=data["default_group"].pk if data["default_group"] else None,
                position=data["position"],
                is_active=data["is_active"],
                translations=form.translations(),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The category %(name)s was saved.") % {"name": saved.name})
            return redirect("taxonomy:categories")
    return render_settings(
        request, "tickets/settings/category_form.html", "categories", {"form": form, "category": category}
    )


@admin_required
def category_create(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@admin_required
def category_edit(request: HttpRequest, category_id: int) -> HttpResponse:
    return _save(request, get_object_or_404(Category, pk=category_id))


@admin_required
def category_remove(request: HttpRequest, category_id: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=category_id)

    def delete() -> str:
        category_delete(actor=request.user, category=category)  # type: ignore[arg-type]
        return _("The category %(name)s was deleted.") % {"name": category.name}

    return confirm_delete(
        request,
        page="categories",
        back="taxonomy:categories",
        title=_("Delete the category %(name)s?") % {"name": category.name},
        consequences=lambda: [
            _("Only a category that no ticket uses and that has no sub-categories can be deleted."),
            _("To retire a category that is in use, deactivate it instead."),
        ],
        delete=delete,
    )
