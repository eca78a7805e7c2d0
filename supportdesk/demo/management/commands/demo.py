"""`supportdesk demo`: fill an empty desk with a realistic multilingual demo (for trying the product)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supportdesk.channels.email.conf import email_settings
from supportdesk.demo.credentials import DEMO_MAILBOX, logins_table
from supportdesk.demo.loader import demo_loaded, desk_in_use, load_demo
from supportdesk.tickets.choices import Status

MAX_TICKETS = 50_000


def mail_line() -> str:
    """How to send the demo desk an email, when the built-in SMTP receiver runs."""
    receiver = email_settings()
    if not receiver.receiver_enabled:
        return ""
    return (
        f"\nMail for {DEMO_MAILBOX} delivered by SMTP to {receiver.receiver_host}:{receiver.receiver_port}"
        " becomes a ticket.\nWithout EMAIL_HOST, the desk's outgoing mail is printed by the worker."
    )


class Command(BaseCommand):
    help = (
        "Load a demo desk: a team, customers in five languages and tickets with their conversations "
        "over the last 90 days. Only for an empty database; the demo passwords are public."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=500, help="how many tickets (default 500)")
        parser.add_argument(
            "--seed", type=int, default=7, help="the same seed gives the same desk (default 7)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="load only when the desk has no tickets and no staff, else do nothing (used by `start`)",
        )
        parser.add_argument(
            "--logins",
            action="store_true",
            help="print the demo sign-ins if the demo is loaded; load nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins"]:
            if demo_loaded():
                self.stdout.write("Demo sign-ins (demo data only, the passwords are public):")
                self.stdout.write(logins_table())
                self.stdout.write(mail_line())
            return
        tickets = options["tickets"]
        if not 0 <= tickets <= MAX_TICKETS:
            raise CommandError(f"--tickets must be between 0 and {MAX_TICKETS}.")
        if demo_loaded():
            if options["if_empty"]:
                return
            raise CommandError(
                "The demo data is already loaded in this database (the demo sign-ins exist), so it is "
                "not loaded twice. To start over, point SUPPORTDESK_DATA_DIR (or DATABASE_URL) at a new, "
                "empty database and run `supportdesk demo` again."
            )
        if desk_in_use():
            if options["if_empty"]:
                return
            raise CommandError(
                "This database already holds a desk (tickets or staff accounts). The demo is only loaded "
                "into an empty database, so that its public passwords never end up beside real data."
            )
        self.stdout.write(f"Loading the demo desk ({tickets} tickets, seed {options['seed']})…")
        result = load_demo(tickets=tickets, seed=options["seed"])
        statuses = ", ".join(
            f"{count} {Status(status).name.lower().replace('_', ' ')}"
            for status, count in sorted(result.statuses.items())
        )
        languages = ", ".join(f"{count} {code}" for code, count in sorted(result.languages.items()))
        self.stdout.write(
            f"Loaded in {result.seconds:.1f} s: {result.staff} staff, {result.organizations} organizations, "
            f"{result.customers} customers, {result.tickets} tickets, {result.messages} messages.\n"
            f"  statuses: {statuses}\n  languages: {languages}"
        )
        # `start --if-empty` prints the sign-ins itself, once the product is up.
        if options["verbosity"] > 0 and not options["if_empty"]:
            self.stdout.write("Demo sign-ins (the passwords are public: never keep these on a real desk):")
            self.stdout.write(logins_table())
