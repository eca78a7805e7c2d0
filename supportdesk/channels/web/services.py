"""Writes of the customer portal: sign-up with email confirmation, and the customer's profile.

Sign-up creates an inactive customer account and mails a signed, expiring link. Opening the
link activates the account and attaches it to the customer record that already owns the
address (one made earlier from an email or by an agent), or to a new one. Nothing else in the
portal writes directly: requests and replies go through the tickets services.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import User
from supportdesk.accounts.services import user_activate, user_create, user_set_preferences
from supportdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from supportdesk.core.preferences import clean_preferences
from supportdesk.customers.models import Customer
from supportdesk.customers.services import (
    customer_create,
    customer_for_email,
    customer_link_user,
    customer_update_own_profile,
)

log = logging.getLogger(__name__)

SIGNUP_SALT = "supportdesk.portal.signup"
SIGNUP_LINK_MAX_AGE = timedelta(days=3)


def _account_exists_message() -> str:
    return _("An account with this email address already exists. Sign in or reset your password.")


def _account_exists() -> Conflict:
    message = _account_exists_message()
    return Conflict(message, code="email_taken", details={"email": message})


def _invalid_link() -> ValidationFailed:
    return ValidationFailed(
        _("This confirmation link is not valid. Check that you copied all of it, or ask for a new one."),
        code="signup_link_invalid",
    )


def _is_pending(user: User) -> bool:
    """An account made by sign-up whose address has not been confirmed yet.

    A deactivated customer was active once, so has signed in or has a customer record; the
    checks keep a confirmation link from ever re-activating an account an agent switched off.
    """
    return (
        user.role == Role.CUSTOMER
        and not user.is_active
        and user.last_login is None
        and not Customer.objects.filter(user_id=user.pk).exists()
    )


def _fingerprint(user: User) -> str:
    # Binds the link to this account row and its password: a link mailed for an account that
    # was deleted and re-created under the same id (or whose password changed) stops working.
    return salted_hmac(SIGNUP_SALT, f"{user.pk}:{user.email}:{user.password}").hexdigest()[:20]


def signup_token(user: User) -> str:
    """The signed token of the confirmation link for `user` (valid for SIGNUP_LINK_MAX_AGE)."""
    return signing.dumps({"u": user.pk, "e": user.email, "h": _fingerprint(user)}, salt=SIGNUP_SALT)


def _read_token(token: str) -> dict[str, Any]:
    if not token or len(token) > 500:
        raise _invalid_link()
    try:
        payload = signing.loads(token, salt=SIGNUP_SALT, max_age=SIGNUP_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationFailed(
            _("This confirmation link has expired. Ask for a new one below."), code="signup_link_expired"
        ) from None
    except signing.BadSignature:
        raise _invalid_link() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise _invalid_link()
    return payload


def send_signup_confirmation(user_id: int) -> None:
    """Mail the confirmation link to a pending account, in the language its owner chose.

    Runs after the sign-up commits. A mail server failure is logged, not raised: the account
    exists, and the "check your email" page lets the person ask for the link again.
    """
    user = User.objects.filter(pk=user_id).first()
    if user is None or not _is_pending(user):
        return
    link = settings.SITE_URL + reverse("portal:signup_confirm", kwargs={"token": signup_token(user)})
    context = {"user": user, "link": link, "days": SIGNUP_LINK_MAX_AGE.days, "site_url": settings.SITE_URL}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("portal/email/signup_confirm_subject.txt", context).split())
        body = render_to_string("portal/email/signup_confirm.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:
        log.exception("could not send the sign-up confirmation to user %s", user.pk)


def _queue_confirmation(user: User) -> None:
    user_id = user.pk
    transaction.on_commit(lambda: send_signup_confirmation(user_id))


@transaction.atomic
def portal_signup(*, name: str, email: str, password: str, language: str = "") -> User:
    """Create an inactive customer account and mail it a confirmation link (after commit).

    An address that already has an account, or that belongs to a customer who already has one,
    is a Conflict. Signing up again with an address still waiting for confirmation sends a new
    link and changes nothing else: otherwise anybody could set the password of an account that
    its owner is about to confirm. Raises ValidationFailed for a bad name, address, password or
    language (details name the field)."""
    if not password:
        message = _("Choose a password.")
        raise ValidationFailed(message, details={"password": message})
    address = (email or "").strip().lower()
    existing = User.objects.select_for_update().filter(email=address).first()
    if existing is not None:
        if _is_pending(existing):
            _queue_confirmation(existing)
            return existing
        raise _account_exists()
    owner = customer_for_email(address) if address else None
    if owner is not None and owner.user_id is not None:
        raise _account_exists()
    try:
        # Not active until the address is confirmed: nobody can sign in with an address they
        # do not own, nor see the requests of the customer who owns it.
        user = user_create(
            actor=None,
            email=address,
            name=name,
            role=Role.CUSTOMER,
            password=password,
            language=language,
            is_active=False,
        )
    except Conflict as error:
        if error.code == "email_taken":
            raise _account_exists() from None
        raise
    _queue_confirmation(user)
    return user


@transaction.atomic
def portal_resend_confirmation(*, email: str) -> None:
    """Mail a new confirmation link if `email` has an account waiting for confirmation.

    Says nothing either way, so the form cannot be used to find out who has an account."""
    address = (email or "").strip().lower()
    user = User.objects.filter(email=address).first() if address else None
    if user is not None and _is_pending(user):
        _queue_confirmation(user)


@transaction.atomic
def portal_confirm_signup(*, token: str) -> User:
    """Activate the account a confirmation link was made for and link it to its customer.

    Locks the account, so a link opened twice at once activates once. The customer record that
    owns the address is used (its missing name and language are filled in from the sign-up), or
    a new one is created. Raises ValidationFailed (code signup_link_invalid / signup_link_expired)
    for a bad or old link and Conflict (signup_already_confirmed) for a used one; in every error
    case nothing changes."""
    payload = _read_token(token)
    user = User.objects.select_for_update().filter(pk=payload["u"]).first()
    if user is None or user.email != payload.get("e") or _fingerprint(user) != payload.get("h"):
        raise _invalid_link()
    if user.is_active:
        raise Conflict(
            _("Your email address is already confirmed. Sign in to continue."),
            code="signup_already_confirmed",
        )
    if not _is_pending(user):
        raise _invalid_link()
    customer = customer_for_email(user.email)
    if customer is None:
        customer = customer_create(
            actor=None, name=user.name, emails=[user.email], language=user.language, time_zone=user.time_zone
        )
    elif customer.user_id is not None:
        raise _account_exists()
    customer = customer_link_user(customer=customer, user_id=user.pk)
    if not customer.name or not customer.language:
        customer_update_own_profile(
            customer=customer,
            name=customer.name or user.name,
            language=customer.language or user.language,
            time_zone=customer.time_zone or user.time_zone,
        )
    return user_activate(user=user)


@transaction.atomic
def portal_profile_update(
    *, user: User, customer: Customer, name: str, language: str, time_zone: str
) -> Customer:
    """A customer changes their name, language and time zone: on their account (which the
    pages follow) and on their customer record (which agents and notifications follow).
    Raises ValidationFailed for an unknown language or time zone, changing nothing."""
    if customer.user_id != user.pk:
        raise PermissionDenied(_("You can only change your own profile."))
    language, time_zone = clean_preferences(language, time_zone)
    user_set_preferences(user=user, name=name, language=language, time_zone=time_zone)
    return customer_update_own_profile(customer=customer, name=name, language=language, time_zone=time_zone)
