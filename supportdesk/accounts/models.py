"""People who sign in, the groups agents work in, and API tokens."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.choices import ROLE_RANK, Role
from supportdesk.core.compiled import CompiledQuery


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=(username or "").strip().lower())

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=email.strip().lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.pop("is_staff", None)
        fields.pop("is_superuser", None)
        fields["role"] = Role.ADMINISTRATOR
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser):
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    language = models.CharField(_("language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    signature = models.TextField(_("signature"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(fields=["role", "name"], name="user_role_name")]

    def __str__(self) -> str:
        return self.name or self.email

    # -- role checks, used by permission guards and templates -----------------------------------
    @property
    def rank(self) -> int:
        return ROLE_RANK.get(Role(self.role), 0) if self.is_active else -1

    @property
    def is_staff_member(self) -> bool:
        """Works in the agent interface (collaborators included)."""
        return self.rank >= ROLE_RANK[Role.COLLABORATOR]

    @property
    def is_agent(self) -> bool:
        """Can work tickets: reply, change fields, assign (agents, managers, administrators)."""
        return self.rank >= ROLE_RANK[Role.AGENT]

    @property
    def sees_all_tickets(self) -> bool:
        return self.rank >= ROLE_RANK[Role.MANAGER]

    @property
    def is_administrator(self) -> bool:
        return self.rank >= ROLE_RANK[Role.ADMINISTRATOR]

    @cached_property
    def group_ids(self) -> frozenset[int]:
        """Ids of the groups this person belongs to (read once per request, by a query compiled
        once: every inbox page asks)."""
        return frozenset(_GROUP_IDS(user_id=self.pk))

    # -- what Django's admin site and auth machinery expect --------------------------------------
    @property
    def is_staff(self) -> bool:
        return self.is_administrator

    @property
    def is_superuser(self) -> bool:
        return self.is_administrator

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return self.is_administrator

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_administrator

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class Group(models.Model):
    """A team of agents; tickets belong to a group, and agents see the tickets of their groups."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(
        _("default group"), default=False, help_text=_("New tickets without a group go here.")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    members = models.ManyToManyField(User, through="Membership", related_name="support_groups")

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="group_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="membership_unique")]
        indexes = [models.Index(fields=["group", "user"], name="membership_group_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the token is shown once.

    A token is 32 random bytes, so a fast hash is as safe as a slow one here: nobody can guess
    the input, and checking a token costs one indexed lookup instead of a password hash.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, help_text="The first characters, shown to tell tokens apart.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


_GROUP_IDS: CompiledQuery[int] = CompiledQuery(
    lambda user_id: Membership.objects.filter(user_id=user_id).values_list("group_id", flat=True)
)
