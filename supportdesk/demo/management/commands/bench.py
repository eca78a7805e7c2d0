"""`supportdesk bench`: tools for benchmarking a desk.

supportdesk bench seed --tickets N [--seed 1] [--months 24] [--password PASSWORD]
    Fill a database without tickets with a large realistic data set, fast (bulk inserts): a
    team in groups, customers in organizations, N tickets over the last months with their
    conversations, attachments, timelines and search index. A progress bar goes to stderr; a
    summary (rows per table, time, size) and the sign-ins for the benchmark clients to stdout.
"""

from __future__ import annotations

from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from supportdesk.demo.seed.loader import SeedRefused, SeedResult, seed_bench

DEFAULT_PASSWORD = "bench-password-2026"  # noqa: S105 - printed for benchmark clients on a throwaway desk


class Command(BaseCommand):
    help = "Benchmark tools: `seed` builds a large realistic data set in an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{seed}")
        seeding = actions.add_parser("seed", help="build a realistic data set of N tickets, fast")
        seeding.add_argument("--tickets", type=int, required=True, help="how many tickets")
        seeding.add_argument(
            "--seed", type=int, default=1, help="the same seed gives the same data (default 1)"
        )
        seeding.add_argument(
            "--months", type=int, default=24, help="the tickets spread over this many months (default 24)"
        )
        seeding.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"the password of the bench administrator and staff (default {DEFAULT_PASSWORD})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seed":
            self.seed(options)

    def seed(self, options: dict[str, Any]) -> None:
        self.stdout.write(
            _("Building a bench data set of %(tickets)s tickets (seed %(seed)d, %(months)d months)…")
            % {"tickets": f"{options['tickets']:,}", "seed": options["seed"], "months": options["months"]}
        )
        try:
            result = seed_bench(
                tickets=options["tickets"],
                seed=options["seed"],
                months=options["months"],
                password=options["password"],
                # The bar draws its own line ends ("\r" on a terminal): it writes to the stream
                # itself, not through OutputWrapper, which would end every write with a newline.
                progress=cast(TextIO, self.stderr._out) if options["verbosity"] > 0 else None,
            )
        except SeedRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(summary(result, password=options["password"]))


def summary(result: SeedResult, *, password: str) -> str:
    """What the load wrote, how fast, how big, and the sign-ins for the benchmark clients."""
    width = max(len(name) for name in result.counts)
    lines = [
        _("Loaded %(rows)s rows in %(seconds).1f s (%(rate)s rows/s):")
        % {
            "rows": f"{result.rows:,}",
            "seconds": result.seconds,
            "rate": f"{result.rows / max(result.seconds, 1e-6):,.0f}",
        }
    ]
    lines += [f"  {name:<{width}}  {count:>12,}" for name, count in result.counts.items()]
    where = (
        _("the database file and its WAL")
        if connection.vendor == "sqlite"
        else _("pg_database_size of %(name)s") % {"name": connection.settings_dict["NAME"]}
    )
    lines.append(
        ngettext(
            "Size on disk: %(size)s (%(where)s); attachment files: %(files)d shared file, %(file_size)s.",
            "Size on disk: %(size)s (%(where)s); attachment files: %(files)d shared files, %(file_size)s.",
            result.files,
        )
        % {
            "size": filesizeformat(result.database_bytes),
            "where": where,
            "files": result.files,
            "file_size": filesizeformat(result.file_bytes),
        }
    )
    lines.append(
        _(
            "Sign in as %(email)s with the password %(password)s (every bench staff account, "
            "%(first)s to %(last)s, uses it too)."
        )
        % {
            "email": result.admin_email,
            "password": password,
            "first": result.first_agent,
            "last": result.last_agent,
        }
    )
    lines.append(
        _("API token of %(email)s: %(token)s") % {"email": result.admin_email, "token": result.token}
    )
    return "\n".join(lines)
