"""`supportdesk refresh_statistics [--full] [--check]`: bring the query planner's statistics up
to date now instead of at the worker's daily run, e.g. right after a large import.

On SQLite it analyzes the tables whose statistics are missing or stale (core.maintenance);
`--full` analyzes every table; `--check` only lists the stale ones. On PostgreSQL autovacuum
keeps statistics current, so only `--full` does anything (a plain ANALYZE of the database).
Output is in English, as for the other operator commands (mail, compile_translations).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from supportdesk.core.maintenance import refresh_planner_statistics, stale_sqlite_tables


class Command(BaseCommand):
    help = "Refresh the query planner's statistics where they are missing or stale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="Analyze every table.")
        parser.add_argument("--check", action="store_true", help="Only list the tables that need it.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            if connection.vendor != "sqlite":
                self.stdout.write("PostgreSQL keeps its statistics current itself (autovacuum).")
                return
            stale = stale_sqlite_tables()
            for table, reason in stale:
                self.stdout.write(f"  {table}: {reason}")
            self.stdout.write(f"{len(stale)} table(s) need fresh statistics.")
            return
        result = refresh_planner_statistics(full=options["full"])
        for table, reason in result.analyzed:
            self.stdout.write(f"  {table}: {reason}")
        if not result.analyzed:
            self.stdout.write("The statistics are current; nothing to analyze.")
            return
        self.stdout.write(f"Analyzed {len(result.analyzed)} table(s) in {result.seconds:.1f} s.")
