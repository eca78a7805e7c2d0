"""The demo sign-ins: the one place that knows them.

The demo command creates these accounts and `supportdesk start` prints them. They are for trying the
product on a laptop; the passwords are public, so a real installation must not keep these accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.accounts.choices import Role

# A reserved name under the .test top-level domain (RFC 2606): mail to it can never reach anyone.
DEMO_DOMAIN = "demo.supportdesk.test"
# The demo desk's mailbox: mail sent to it through the built-in SMTP receiver becomes a ticket.
DEMO_MAILBOX = f"support@{DEMO_DOMAIN}"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    email: str
    password: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(Role.ADMINISTRATOR, "Olivia Bennett", f"admin@{DEMO_DOMAIN}", "demo-admin-2026"),
    DemoLogin(Role.MANAGER, "Phạm Hoàng Nam", f"manager@{DEMO_DOMAIN}", "demo-manager-2026"),
    DemoLogin(Role.AGENT, "Daniel Brooks", f"agent@{DEMO_DOMAIN}", "demo-agent-2026"),
    DemoLogin(Role.COLLABORATOR, "Joanna Kaczmarek", f"collaborator@{DEMO_DOMAIN}", "demo-collaborator-2026"),
    DemoLogin(Role.CUSTOMER, "Emma Walsh", f"customer@{DEMO_DOMAIN}", "demo-customer-2026"),
)
DEMO_EMAILS = frozenset(login.email for login in DEMO_LOGINS)


def demo_login(role: str) -> DemoLogin:
    """The demo sign-in of `role` (one per role)."""
    return next(login for login in DEMO_LOGINS if login.role == role)


def logins_table(indent: str = "  ") -> str:
    """The demo sign-ins as an aligned plain-text table, for terminals."""
    rows = [("role", "email", "password")] + [(str(x.role), x.email, x.password) for x in DEMO_LOGINS]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    return "\n".join(
        f"{indent}{role:<{widths[0]}}  {email:<{widths[1]}}  {password}" for role, email, password in rows
    )
