"""Customers (the people who write in), their contact identities, and organizations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from supportdesk.core.models import TimeStampedModel


class Organization(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    shares_tickets = models.BooleanField(
        _("members see each other's tickets"),
        default=False,
        help_text=_("Customers of this organization see all of its tickets in the portal."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [models.UniqueConstraint(Lower("name"), name="organization_name_unique")]
        indexes = [models.Index(fields=["name", "id"], name="organization_name")]

    def __str__(self) -> str:
        return self.name


class OrganizationDomain(models.Model):
    """An email domain; new customers whose address is at this domain join the organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class Customer(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, blank=True)
    # Copy of the primary address, kept by the services, so lists need no join.
    primary_email = models.CharField(_("email"), max_length=254, blank=True, db_index=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="customer"
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["name", "id"], name="customer_name"),
            models.Index(fields=["organization", "name", "id"], name="customer_org_name"),
        ]

    def __str__(self) -> str:
        return self.name or self.primary_email or f"#{self.pk}"

    @property
    def display_name(self) -> str:
        return self.name or self.primary_email


class CustomerEmail(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    email = models.CharField(_("email"), max_length=254, unique=True)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=models.Q(is_primary=True), name="customer_one_primary_email"
            )
        ]

    def __str__(self) -> str:
        return self.email


class CustomerPhone(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    # E.164, e.g. +48221234567: one spelling per number, so lookups by caller id are exact.
    number = models.CharField(_("phone number"), max_length=20, db_index=True)
    label = models.CharField(_("label"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["customer", "number"], name="customer_phone_unique")]

    def __str__(self) -> str:
        return self.number
