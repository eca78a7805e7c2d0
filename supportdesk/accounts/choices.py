from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person may do. Staff roles include the powers of the roles before them:
    a manager works tickets like an agent; an administrator can do everything a manager can.
    A staff member who also writes in as a customer is linked to a customer record as well."""

    CUSTOMER = "customer", _("Customer")
    COLLABORATOR = "collaborator", _("Collaborator")
    AGENT = "agent", _("Agent")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")


ROLE_RANK = {
    Role.CUSTOMER: 0,
    Role.COLLABORATOR: 10,
    Role.AGENT: 20,
    Role.MANAGER: 30,
    Role.ADMINISTRATOR: 40,
}
STAFF_ROLES = [Role.COLLABORATOR, Role.AGENT, Role.MANAGER, Role.ADMINISTRATOR]
# Those who can own tickets.
ASSIGNABLE_ROLES = [Role.AGENT, Role.MANAGER, Role.ADMINISTRATOR]
