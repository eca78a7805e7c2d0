"""`seed_bench`: the whole bench load, from the checks to the statistics."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TextIO

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils.translation import gettext as _

from supportdesk.accounts.models import Group, Membership, User
from supportdesk.core.conf import product_settings
from supportdesk.customers.models import Customer, CustomerEmail, Organization, OrganizationDomain
from supportdesk.demo.seed.columns import (
    CUSTOMER_SEARCH,
    TABLES,
    TICKET_SEARCH,
    UnknownColumns,
    check_columns,
)
from supportdesk.demo.seed.desk import ADMIN_EMAIL, next_id, set_up_desk
from supportdesk.demo.seed.files import sample_files, store_sample_files
from supportdesk.demo.seed.names import AGENT_DOMAIN
from supportdesk.demo.seed.people import CustomerBook
from supportdesk.demo.seed.pipeline import batches
from supportdesk.demo.seed.plan import Clock, sizes_for
from supportdesk.demo.seed.progress import ProgressBar
from supportdesk.demo.seed.stories import BLOCK, Generator, IdCounters
from supportdesk.demo.seed.writers import writer_for
from supportdesk.tickets.models import Attachment, Message, Ticket, TicketEvent, TicketShare, TicketTag

# Tickets per batch (a multiple of stories.BLOCK): about 20,000 rows, a few megabytes of text.
BATCH = 2 * BLOCK
MAX_TICKETS = 10_000_000


class SeedRefused(Exception):
    """The database is not one a bench data set may be loaded into."""


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)  # table → rows written
    seconds: float = 0.0
    database_bytes: int = 0
    file_bytes: int = 0
    files: int = 0
    admin_email: str = ADMIN_EMAIL
    token: str = ""
    first_agent: str = ""
    last_agent: str = ""

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def hour_now() -> datetime:
    """Now, to the hour: loads within the same hour give identical data for a seed."""
    return datetime.now(tz=UTC).replace(minute=0, second=0, microsecond=0)


def check_empty() -> None:
    if Ticket.objects.exists():
        raise SeedRefused(
            _(
                "This database already holds tickets. The bench data set is only loaded into a database "
                "without tickets: point SUPPORTDESK_DATA_DIR (or DATABASE_URL) at a new database, run "
                "`supportdesk migrate`, then `supportdesk bench seed` again."
            )
        )
    if User.objects.filter(email=ADMIN_EMAIL).exists():
        raise SeedRefused(
            _("The account %(email)s already exists: a bench data set was loaded here before.")
            % {"email": ADMIN_EMAIL}
        )


def seed_bench(
    *,
    tickets: int,
    seed: int = 1,
    months: int = 24,
    password: str,
    now: datetime | None = None,
    progress: TextIO | None = None,
    background: bool = True,
) -> SeedResult:
    """Load the bench data set: `tickets` tickets over the last `months` months with their team,
    customers, conversations, attachments, timelines and search index, in one transaction.

    Refuses (SeedRefused) a database that holds tickets. Deterministic for a seed and `now`.
    With `background`, rows are built in a second process while this one writes them.
    """
    if not 0 <= tickets <= MAX_TICKETS:
        raise SeedRefused(_("--tickets must be between 0 and %(max)d.") % {"max": MAX_TICKETS})
    if months < 1:
        raise SeedRefused(_("--months must be at least 1."))
    try:
        check_columns()
    except UnknownColumns as error:
        raise SeedRefused(
            _(
                "The bench generator does not know the current database schema (%(problem)s): "
                "update supportdesk/demo/seed."
            )
            % {"problem": error}
        ) from None
    check_empty()
    started = time.monotonic()
    sizes = sizes_for(tickets)
    clock = Clock(now=now or hour_now(), months=months, tickets=tickets)
    result = SeedResult()
    # The files first: rows never point at a missing file, and a failed load leaves at most
    # these few content-named files behind, which the next load reuses.
    result.file_bytes = store_sample_files(default_storage)
    result.files = len(sample_files())
    writer = writer_for(connection)
    writer.prepare()
    bar = ProgressBar(tickets, progress, _("tickets"))
    try:
        with transaction.atomic():
            setup = set_up_desk(seed=seed, sizes=sizes, password=password, start=clock.start)
            result.token = setup.token
            book = CustomerBook(
                first_id=next_id(Customer),
                organizations=list(zip(setup.organization_ids, setup.organizations, strict=True)),
            )
            ids = IdCounters(
                ticket=next_id(Ticket),
                message=next_id(Message),
                event=next_id(TicketEvent),
                attachment=next_id(Attachment),
                ticket_tag=next_id(TicketTag),
                share=next_id(TicketShare),
                customer_email=next_id(CustomerEmail),
            )
            generator = Generator(
                seed=seed,
                sizes=sizes,
                clock=clock,
                desk=setup.desk,
                customers=book,
                ids=ids,
                time_text=writer.time_text,
                close_after_days=product_settings().auto_close_after_days,
            )
            counts = dict.fromkeys([table.name for table in TABLES] + [TICKET_SEARCH, CUSTOMER_SEARCH], 0)
            for rows in batches(generator, tickets, BATCH, background=background):
                writer.write(rows)
                for table in TABLES:
                    counts[table.name] += len(getattr(rows, table.key))
                counts[TICKET_SEARCH] += len(rows.ticket_documents)
                counts[CUSTOMER_SEARCH] += len(rows.customer_documents)
                bar.advance(len(rows.tickets))
            writer.finish()
            desk = setup.desk
            result.counts = {
                User._meta.db_table: 1 + len(desk.agents) + len(desk.managers) + len(desk.collaborators),
                Group._meta.db_table: len(desk.groups),
                Membership._meta.db_table: sum(len(agent.group_ids) for agent in desk.agents),
                Organization._meta.db_table: len(setup.organizations),
                OrganizationDomain._meta.db_table: len(setup.organizations),
                **counts,
            }
    finally:
        bar.finish()
        writer.restore()
    writer.analyze()
    result.first_agent = f"agent{1:04d}@{AGENT_DOMAIN}"
    result.last_agent = f"agent{sizes.agents:04d}@{AGENT_DOMAIN}"
    result.database_bytes = writer.size()
    result.seconds = time.monotonic() - started
    return result
