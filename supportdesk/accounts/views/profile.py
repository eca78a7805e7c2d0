"""Every staff member's own page: name, language, time zone, signature, password, API tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from supportdesk.accounts.forms import ApiTokenForm, ProfileForm
from supportdesk.accounts.models import ApiToken, User
from supportdesk.accounts.selectors import api_tokens_of
from supportdesk.accounts.services import api_token_create, api_token_revoke, user_set_preferences
from supportdesk.core.decorators import staff_required
from supportdesk.core.errors import DomainError
from supportdesk.core.forms import apply_domain_error

# Nobody needs more; the cap keeps the page bounded if a script creates tokens in a loop.
MAX_TOKENS_SHOWN = 100


def _profile_page(request: HttpRequest, form: ProfileForm, token_form: ApiTokenForm) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    tokens = list(api_tokens_of(user)[: MAX_TOKENS_SHOWN + 1])
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "token_form": token_form,
            "tokens": tokens[:MAX_TOKENS_SHOWN],
            "tokens_truncated": len(tokens) > MAX_TOKENS_SHOWN,
        },
    )


@staff_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    initial = {
        "name": user.name,
        "language": user.language,
        "time_zone": user.time_zone,
        "signature": user.signature,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user_set_preferences(user=user, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            # Said in the new language: the next page is rendered in it.
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:profile")
    # Its own ids: the page has two forms with a "name" field.
    return _profile_page(request, form, ApiTokenForm(auto_id="id_token_%s"))


@staff_required
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show its text on this response only.

    The text is never stored (only its digest) nor put in the session, so the page is the
    result of the POST itself, marked not to be cached; reloading it cannot show it again."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = api_token_create(
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
            )
        except DomainError as error:
            apply_domain_error(form, error, aliases={"expires_at": "expires_on"})
        else:
            response = render(request, "accounts/tokens/created.html", {"token": token, "secret": secret})
            add_never_cache_headers(response)
            return response
    return render(request, "accounts/tokens/new.html", {"form": form})


@staff_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    # Only one's own tokens: another person's token is "not found", not "forbidden".
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    if request.method == "POST":
        try:
            api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/settings_confirm_delete.html",
        {
            "title": _("Revoke the token %(name)s?") % {"name": token.name},
            "consequences": [
                _("Scripts and programs that use it stop working at once. This cannot be undone.")
            ],
            "action": reverse("accounts:token_revoke", args=[token.pk]),
            "cancel": reverse("accounts:profile"),
            "confirm_label": _("Revoke"),
            "base_template": "core/desk_base.html",
        },
    )


class StaffPasswordChangeView(PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")
    form_class = PasswordChangeForm

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


# Django's class-based views are typed as returning HttpResponseBase; this one renders pages.
password_change = staff_required(cast("Callable[..., HttpResponse]", StaffPasswordChangeView.as_view()))
