"""Pages of the customer portal: home, sign-up, requests, profile.

Thin function views: a form, one service call, POST/redirect/GET. Which tickets a customer
sees is decided by the tickets selectors; a request the customer may not see is a 404 whatever
the reason. Staff have the agent desk at /desk/ and are sent there from every portal page.
Everything works without JavaScript; with htmx the request list swaps its table in place.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import PasswordChangeView, redirect_to_login
from django.contrib.messages.views import SuccessMessageMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from supportdesk.accounts.models import User
from supportdesk.channels.web import selectors
from supportdesk.channels.web.forms import ProfileForm, ReplyForm, RequestForm, ResendForm, SignupForm
from supportdesk.channels.web.services import (
    SIGNUP_LINK_MAX_AGE,
    portal_confirm_signup,
    portal_profile_update,
    portal_resend_confirmation,
    portal_signup,
)
from supportdesk.core.errors import DomainError, NotFound, ValidationFailed
from supportdesk.core.forms import apply_domain_error
from supportdesk.customers.models import Customer
from supportdesk.tickets.choices import Channel, Status
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.selectors import conversation, customer_ticket_list, ticket_for_customer
from supportdesk.tickets.services import Actor, message_add, ticket_create, ticket_update
from supportdesk.tickets.services.common import MAX_SUBJECT

STAFF_HOME = "/desk/"
PAGE_SIZE = 20
HOME_LIMIT = 10
# The address typed at sign-up, kept in the visitor's session for the "check your email" page.
SIGNUP_EMAIL_SESSION_KEY = "portal_signup_email"

CustomerView = Callable[..., HttpResponse]


class PortalRequest(HttpRequest):
    """A request to a customer page: the decorator below has made sure a customer is signed in."""

    user: User
    htmx: HtmxDetails


def _no_customer(request: HttpRequest) -> HttpResponse:
    # A customer login without a customer record cannot see any request; say so instead of
    # showing an empty portal that looks broken.
    return render(request, "portal/no_customer.html", status=403)


def customer_required(view: CustomerView) -> Callable[..., HttpResponse]:
    """Visitors go to the sign-in page, staff to the desk; customers get their record passed
    in as the view's second argument."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.is_staff_member:
            return redirect(STAFF_HOME)
        customer = selectors.portal_customer(request.user)
        if customer is None:
            return _no_customer(request)
        return view(request, customer, *args, **kwargs)

    return wrapped


def _actor(request: PortalRequest, customer: Customer) -> Actor:
    return Actor.of_customer(customer, request.user)


def _ticket_or_404(customer: Customer, ticket_id: int) -> Ticket:
    try:
        return ticket_for_customer(customer, ticket_id)
    except NotFound:
        raise Http404 from None


# -- home ---------------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Visitors get a welcome; customers their open requests; staff go to the desk (the shared
    sign-in page sends everybody here)."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "portal/home.html")
    if user.is_staff_member:
        return redirect(STAFF_HOME)
    customer = selectors.portal_customer(user)
    if customer is None:
        return _no_customer(request)
    page = customer_ticket_list(customer, scope="mine", open_only=True, size=HOME_LIMIT)
    return render(
        request,
        "portal/home.html",
        {"customer": customer, "open_requests": page.items, "more_open": page.has_next},
    )


# -- sign-up ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            portal_signup(
                name=data["name"], email=data["email"], password=data["password"], language=data["language"]
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            request.session[SIGNUP_EMAIL_SESSION_KEY] = data["email"]
            return redirect("portal:signup_sent")
    return render(request, "portal/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def signup_sent(request: HttpRequest) -> HttpResponse:
    """The "check your email" page, with a form to have the link sent again."""
    email = request.session.get(SIGNUP_EMAIL_SESSION_KEY, "")
    if request.method == "POST":
        form = ResendForm(request.POST)
        if form.is_valid():
            portal_resend_confirmation(email=form.cleaned_data["email"])
            request.session[SIGNUP_EMAIL_SESSION_KEY] = form.cleaned_data["email"]
            # The same words whether or not the address has an account waiting.
            messages.info(
                request,
                _("If an account at %(email)s is waiting for confirmation, we have sent a new link.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("portal:signup_sent")
    else:
        form = ResendForm(initial={"email": email})
    return render(
        request, "portal/signup_sent.html", {"form": form, "email": email, "days": SIGNUP_LINK_MAX_AGE.days}
    )


@require_GET
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the confirmation email: activate, sign in, go home."""
    try:
        user = portal_confirm_signup(token=token)
    except DomainError as error:
        already = error.code == "signup_already_confirmed"
        return render(
            request,
            "portal/signup_confirm_failed.html",
            {"error": error, "already_confirmed": already, "form": ResendForm()},
            status=200 if already else 400,
        )
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    request.session.pop(SIGNUP_EMAIL_SESSION_KEY, None)
    messages.success(request, _("Welcome, %(name)s! Your email address is confirmed.") % {"name": user.name})
    return redirect("portal:home")


# -- requests -----------------------------------------------------------------------------------


@require_GET
@customer_required
def request_list(request: PortalRequest, customer: Customer) -> HttpResponse:
    """My requests, or my organization's when it shares tickets; all or open only; by keyset."""
    shares = selectors.shares_organization_tickets(customer)
    scope = "organization" if shares and request.GET.get("scope") == "organization" else "mine"
    show = "open" if request.GET.get("show") == "open" else "all"
    cursor = request.GET.get("cursor") or None
    list_error = ""
    try:
        page = customer_ticket_list(
            customer, scope=scope, open_only=show == "open", cursor=cursor, size=PAGE_SIZE
        )
    except ValidationFailed as error:
        # A damaged "next page" link: start from the top and say why.
        list_error = error.message
        page = customer_ticket_list(customer, scope=scope, open_only=show == "open", size=PAGE_SIZE)
    context = {
        "page": page,
        "scope": scope,
        "show": show,
        "shares": shares,
        "is_first_page": not cursor or bool(list_error),
        "list_error": list_error,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "portal/requests.html#request-list" if partial else "portal/requests.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET", "POST"])
@customer_required
def request_new(request: PortalRequest, customer: Customer) -> HttpResponse:
    """A new request. `?follow_up=<id>` starts one about a closed request the customer sees."""
    categories = selectors.category_choices()
    custom_fields = selectors.customer_fillable_fields()
    follow_up = None
    if request.method == "POST":
        form = RequestForm(request.POST, request.FILES, categories=categories, custom_fields=custom_fields)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = ticket_create(
                    actor=_actor(request, customer),
                    requester=customer,
                    subject=data["subject"],
                    body=data["body"],
                    category_id=data["category"],
                    custom_fields=form.custom_field_values(),
                    attachments=data["attachments"],
                    channel=Channel.WEB,
                    language=get_language() or "",
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("We received your request #%(id)s.") % {"id": ticket.pk})
                return redirect("portal:request_detail", ticket_id=ticket.pk)
    else:
        follow_up = _follow_up_source(customer, request.GET.get("follow_up", ""))
        initial: dict[str, Any] = {}
        if follow_up is not None:
            subject = _("Follow-up: %(subject)s") % {"subject": follow_up.subject}
            initial = {
                "subject": subject[:MAX_SUBJECT],
                "body": _("This follows up on my request #%(id)s.") % {"id": follow_up.pk} + "\n\n",
            }
        form = RequestForm(initial=initial, categories=categories, custom_fields=custom_fields)
    return render(request, "portal/request_new.html", {"form": form, "follow_up": follow_up})


def _follow_up_source(customer: Customer, raw: str) -> Ticket | None:
    if not raw.isdigit() or len(raw) > 18:
        return None
    try:
        return ticket_for_customer(customer, int(raw))
    except NotFound:
        return None


def _render_detail(
    request: PortalRequest, customer: Customer, ticket: Ticket, reply_form: ReplyForm
) -> HttpResponse:
    merged = bool(ticket.merged_into_id)
    context = {
        "ticket": ticket,
        "conversation": conversation(ticket, include_notes=False),
        "field_values": selectors.customer_visible_field_values(ticket),
        "merged_into": selectors.visible_merge_target(customer, ticket),
        "is_merged": merged,
        "is_own": ticket.requester_id == customer.pk,
        "reply_form": reply_form,
        "can_reply": not ticket.is_closed and not merged,
        "can_solve": ticket.is_open and not merged,
        "is_solved": ticket.status == Status.SOLVED,
    }
    return render(request, "portal/request_detail.html", context)


@require_GET
@customer_required
def request_detail(request: PortalRequest, customer: Customer, ticket_id: int) -> HttpResponse:
    ticket = _ticket_or_404(customer, ticket_id)
    return _render_detail(request, customer, ticket, ReplyForm())


@require_POST
@customer_required
def request_reply(request: PortalRequest, customer: Customer, ticket_id: int) -> HttpResponse:
    """A public reply; the service reopens a pending or solved request and refuses closed ones."""
    ticket = _ticket_or_404(customer, ticket_id)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message_add(
                actor=_actor(request, customer),
                ticket_id=ticket.pk,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                channel=Channel.WEB,
            )
        except ValidationFailed as error:
            apply_domain_error(form, error)
        except DomainError as error:
            # Closed or merged meanwhile: the page no longer offers a reply form to show it on.
            messages.error(request, error.message)
            return redirect("portal:request_detail", ticket_id=ticket.pk)
        else:
            messages.success(request, _("Your reply was added."))
            return redirect(reverse("portal:request_detail", args=[ticket.pk]) + "#latest")
    return _render_detail(request, customer, ticket, form)


@require_POST
@customer_required
def request_solve(request: PortalRequest, customer: Customer, ticket_id: int) -> HttpResponse:
    ticket = _ticket_or_404(customer, ticket_id)
    try:
        ticket_update(actor=_actor(request, customer), ticket_id=ticket.pk, status=Status.SOLVED)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you. Request #%(id)s is marked as solved.") % {"id": ticket.pk})
    return redirect("portal:request_detail", ticket_id=ticket.pk)


# -- profile ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@customer_required
def profile(request: PortalRequest, customer: Customer) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, current_time_zone=user.time_zone)
        if form.is_valid():
            data = form.cleaned_data
            try:
                portal_profile_update(
                    user=user,
                    customer=customer,
                    name=data["name"],
                    language=data["language"],
                    time_zone=data["time_zone"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Your profile was saved."))
                response = redirect("portal:profile")
                if data["language"]:
                    # Keep the language after signing out too (visitors' pages follow the cookie).
                    response.set_cookie(
                        settings.LANGUAGE_COOKIE_NAME,
                        data["language"],
                        max_age=settings.LANGUAGE_COOKIE_AGE,
                        samesite="Lax",
                    )
                return response
    else:
        form = ProfileForm(
            initial={"name": user.name, "language": user.language, "time_zone": user.time_zone},
            current_time_zone=user.time_zone,
        )
    return render(request, "portal/profile.html", {"form": form, "customer": customer})


class PortalPasswordChangeView(SuccessMessageMixin, PasswordChangeView):
    """Django's password change (it keeps the session signed in) with the portal's page."""

    template_name = "portal/password_change.html"
    success_url = reverse_lazy("portal:profile")
    success_message = gettext_lazy("Your password was changed.")


_password_change = PortalPasswordChangeView.as_view()


def password_change(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    """Customers' password change; staff have theirs in the desk (anonymous visitors are sent
    to sign in by the view itself)."""
    if request.user.is_authenticated and request.user.is_staff_member:
        return redirect(STAFF_HOME)
    return _password_change(request, *args, **kwargs)
