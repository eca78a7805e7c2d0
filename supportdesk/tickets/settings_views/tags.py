"""Tags: a keyset list by name with a prefix search and usage counts, create, rename, delete."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_htmx.middleware import HtmxDetails

from supportdesk.accounts.views.common import confirm_delete, page_of, render_settings
from supportdesk.core.decorators import admin_required
from supportdesk.core.errors import DomainError
from supportdesk.core.forms import apply_domain_error
from supportdesk.core.pagination import SortKey
from supportdesk.tickets.forms_settings import TagForm, TagSearchForm
from supportdesk.tickets.models import Tag, TicketTag
from supportdesk.tickets.services.taxonomy import tag_delete, tag_save

PAGE_SIZE = 50
ORDER = [SortKey("name", descending=False), SortKey("id", descending=False)]


def usage_counts(tag_ids: list[int]) -> dict[int, int]:
    """How many tickets carry each tag, for one page of tags: counted from the (tag, ticket)
    index for these tags only, not aggregated over every tag before paging."""
    rows = TicketTag.objects.filter(tag_id__in=tag_ids).values("tag_id").annotate(n=Count("id")).order_by()
    return {row["tag_id"]: row["n"] for row in rows}


class HtmxRequest(HttpRequest):
    """A request that went through django-htmx's middleware (for type checkers)."""

    htmx: HtmxDetails


@admin_required
def tag_list(request: HtmxRequest) -> HttpResponse:
    search = TagSearchForm(request.GET or None)
    tags = Tag.objects.all()
    if search.is_valid() and (prefix := search.cleaned_data["q"].strip().casefold()):
        # Tags are stored case-folded, so a case-sensitive prefix match uses the name index.
        tags = tags.filter(name__startswith=prefix)
    page = page_of(tags, ORDER, request, PAGE_SIZE)
    counts = usage_counts([tag.pk for tag in page.items])
    rows = [(tag, counts.get(tag.pk, 0)) for tag in page.items]
    context = {"search": search, "page": page, "rows": rows}
    template = "tickets/settings/tags.html"
    htmx = request.htmx
    if htmx and htmx.target == "tag-results" and not htmx.history_restore_request:
        # The search box asks for the results only, while the person types.
        template += "#tag-results"
    return render_settings(request, template, "tags", context)


def _save(request: HttpRequest, tag: Tag | None) -> HttpResponse:
    form = TagForm(request.POST or None, initial={"name": tag.name} if tag else {})
    if request.method == "POST" and form.is_valid():
        try:
            saved = tag_save(actor=request.user, tag=tag, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The tag %(name)s was saved.") % {"name": saved.name})
            return redirect("taxonomy:tags")
    return render_settings(request, "tickets/settings/tag_form.html", "tags", {"form": form, "tag": tag})


@admin_required
def tag_create(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@admin_required
def tag_edit(request: HttpRequest, tag_id: int) -> HttpResponse:
    return _save(request, get_object_or_404(Tag, pk=tag_id))


@admin_required
def tag_remove(request: HttpRequest, tag_id: int) -> HttpResponse:
    tag = get_object_or_404(Tag, pk=tag_id)

    def delete() -> str:
        count = tag_delete(actor=request.user, tag=tag)  # type: ignore[arg-type]
        return ngettext(
            "The tag %(name)s was deleted and taken off %(count)d ticket.",
            "The tag %(name)s was deleted and taken off %(count)d tickets.",
            count,
        ) % {"name": tag.name, "count": count}

    def consequences() -> list[str]:
        count = TicketTag.objects.filter(tag=tag).count()
        return [
            ngettext(
                "%(count)d ticket carries it; the tag will be taken off it.",
                "%(count)d tickets carry it; the tag will be taken off them.",
                count,
            )
            % {"count": count}
        ]

    return confirm_delete(
        request,
        page="tags",
        back="taxonomy:tags",
        title=_("Delete the tag %(name)s?") % {"name": tag.name},
        consequences=consequences,
        delete=delete,
    )
