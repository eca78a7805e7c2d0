"""A full-text index of documents keyed by an integer id, on SQLite FTS5 or PostgreSQL.

The index is a side table that the owning app keeps current through its services. Queries
return a SQL subquery of matching ids to combine with ordinary ORM filters (`id__in=RawSQL(...)`),
so permission rules and other filters apply to search results exactly as to any list.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from supportdesk.core.search.normalize import is_cjk_term, normalize, parse_query

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# A ticket's document grows with every message; beyond this many characters later text is not
# indexed. It keeps indexing cheap and bounded for very long threads.
MAX_DOCUMENT_CHARS = 200_000

# PostgreSQL: a query matching at least COMMON_MATCHES of the newest PROBE_WINDOW documents (1 %)
# is "common" and searched by walking the list newest first (see matching_ids): a page of 25
# then needs ~2,500 rows checked at most, while fetching all matches through the index would
# cost ~1 % of the table. Rarer queries go through the GIN index.
PROBE_WINDOW = 1000
COMMON_MATCHES = 10
# The probe's answer for a query is remembered this long (seconds), for at most PROBE_MEMORY
# queries per process: a word's frequency among the newest tickets changes slowly, and a wrong
# guess only costs speed. Paging through results and the same searches by colleagues then skip
# the probe (1.7 ms of a 9 ms search on PostgreSQL at 10^5 tickets).
PROBE_TTL = 600.0
PROBE_MEMORY = 1024


class SearchIndex:
    """`newest_first`: the owner lists search results newest first by id (the ticket inbox), so
    on PostgreSQL a common query is searched by walking the list in that order (see
    matching_ids). Leave it off for lists in another order (customers by name): walking those
    would check documents in an order unrelated to the ids, often all of them."""

    def __init__(self, table: str, *, newest_first: bool = False):
        if not _IDENTIFIER.match(table):
            raise ValueError(f"bad table name {table!r}")
        self.table = table
        self.newest_first = newest_first

    # -- schema ---------------------------------------------------------------------------------
    def create(self, conn: BaseDatabaseWrapper) -> None:
        with conn.cursor() as cursor:
            if conn.vendor == "postgresql":
                cursor.execute(
                    f"CREATE TABLE {self.table} (id bigint PRIMARY KEY, document tsvector NOT NULL)"
                )
                cursor.execute(f"CREATE INDEX {self.table}_gin ON {self.table} USING gin (document)")
            else:
                cursor.execute(
                    f"CREATE VIRTUAL TABLE {self.table} USING fts5("
                    "document, tokenize = 'unicode61 remove_diacritics 0')"
                )

    def set_statistics_target(self, conn: BaseDatabaseWrapper, target: int | None) -> None:
        """PostgreSQL: how many lexemes ANALYZE keeps frequencies of (10 times target; None: the
        server's default_statistics_target, 100). No-op on SQLite.

        The planner estimates a prefix term ("reproduce:*") that matches none of the kept
        lexemes at half the rarest kept frequency, but never above 0.5 %. With the default
        1,000 lexemes the rarest one is still in ~2 % of tickets, so every rare prefix query is
        expected to match 0.5 % of the table (500 rows at 10⁵), and the planner walks the whole
        index newest first instead of asking the GIN index (74 ms instead of 0.1 ms). With up
        to 10,000 lexemes rare terms are estimated near their real counts.
        """
        if conn.vendor != "postgresql":
            return
        value = -1 if target is None else int(target)
        with conn.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {self.table} ALTER COLUMN document SET STATISTICS {value}")

    def drop(self, conn: BaseDatabaseWrapper) -> None:
        with conn.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    # -- writes ---------------------------------------------------------------------------------
    def replace(self, doc_id: int, text: str) -> None:
        """Index `text` as the whole document of `doc_id`."""
        self.replace_many([(doc_id, text)])

    def replace_many(self, rows: Iterable[tuple[int, str]]) -> None:
        prepared = [(doc_id, normalize(text)[:MAX_DOCUMENT_CHARS]) for doc_id, text in rows]
        if not prepared:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.executemany(
                    f"INSERT INTO {self.table} (id, document) VALUES (%s, to_tsvector('simple', %s)) "
                    "ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document",
                    prepared,
                )
            else:
                # FTS5 honours OR REPLACE on the rowid: the old document leaves the index.
                cursor.executemany(
                    f"INSERT OR REPLACE INTO {self.table} (rowid, document) VALUES (%s, %s)", prepared
                )

    def append(self, doc_id: int, text: str) -> None:
        """Add `text` to the end of the document of `doc_id` (creating it if missing)."""
        if connection.vendor == "postgresql":
            self.append_many([(doc_id, text)])
            return
        addition = normalize(text)
        if not addition:
            return
        with connection.cursor() as cursor:
            # One statement when the document exists (the common case: a reply), FTS5 updates
            # its index in place; substr counts characters, as the slice below does.
            cursor.execute(
                f"UPDATE {self.table} SET document = substr(document || ' ' || %s, 1, {MAX_DOCUMENT_CHARS}) "
                "WHERE rowid = %s",
                [addition, doc_id],
            )
            if cursor.rowcount == 0:
                cursor.execute(
                    f"INSERT INTO {self.table} (rowid, document) VALUES (%s, %s)",
                    [doc_id, addition[:MAX_DOCUMENT_CHARS]],
                )

    def append_many(self, rows: Iterable[tuple[int, str]]) -> None:
        """`append` for many documents (each id at most once) in two or three statements."""
        additions = {doc_id: normalize(text) for doc_id, text in rows}
        additions = {doc_id: text for doc_id, text in additions.items() if text}
        if not additions:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.executemany(
                    f"INSERT INTO {self.table} AS t (id, document) VALUES (%s, to_tsvector('simple', %s)) "
                    "ON CONFLICT (id) DO UPDATE SET document = "
                    "CASE WHEN length(t.document) < 100000 THEN t.document || EXCLUDED.document "
                    "ELSE t.document END",
                    list(additions.items()),
                )
                return
            marks = ", ".join(["%s"] * len(additions))
            cursor.execute(f"SELECT rowid FROM {self.table} WHERE rowid IN ({marks})", list(additions))
            present = {row[0] for row in cursor.fetchall()}
            cursor.executemany(
                f"UPDATE {self.table} SET document = substr(document || ' ' || %s, 1, {MAX_DOCUMENT_CHARS}) "
                "WHERE rowid = %s",
                [(text, doc_id) for doc_id, text in additions.items() if doc_id in present],
            )
            cursor.executemany(
                f"INSERT INTO {self.table} (rowid, document) VALUES (%s, %s)",
                [(i, text[:MAX_DOCUMENT_CHARS]) for i, text in additions.items() if i not in present],
            )

    def delete(self, doc_id: int) -> None:
        with connection.cursor() as cursor:
            column = "id" if connection.vendor == "postgresql" else "rowid"
            cursor.execute(f"DELETE FROM {self.table} WHERE {column} = %s", [doc_id])

    # -- reads ----------------------------------------------------------------------------------
    def matching_ids(self, query: str) -> tuple[str, list[str]] | None:
        """SQL and parameters selecting the ids whose documents match `query`.

        None when the query holds no searchable term (only punctuation, say); callers then
        skip the text filter instead of matching nothing or everything by accident.
        """
        terms = parse_query(query)
        if not terms:
            return None
        if connection.vendor == "postgresql":
            parts = []
            for term in terms:
                quoted = [_pg_quote(token) for token in term]
                parts.append("(" + " <-> ".join(quoted) + ")" if is_cjk_term(term) else f"{quoted[0]}:*")
            tsquery = " & ".join(parts)
            if self.newest_first and self._common_among_recent(tsquery):
                # The owner lists results newest first, a page at a time. For a common query
                # the best plan walks the list in its order and checks each document until the
                # page is full (a few hundred rows, whatever the table size); fetching every
                # match through the GIN index costs as many rows as there are matches (~20,000
                # at 10⁶ tickets). The planner picks the walk only if it expects many matches,
                # and it underestimates exactly these queries: it multiplies the frequencies of
                # "mat" and "khau", or "密" and "码", as if words of a phrase were independent.
                # ts_match_vq is the @@ operator as a function: the planner cannot use the GIN
                # index for it and assumes a third of the rows match, so it walks.
                return (
                    f"SELECT id FROM {self.table} WHERE ts_match_vq(document, to_tsquery('simple', %s))",
                    [tsquery],
                )
            # The query goes into the SQL as a literal, not as a parameter: statements are
            # prepared per connection (config/settings.py), and PostgreSQL then settles on one
            # plan for every value of a parameter. Planned for rarer words, "khuyến mãi"
            # ("mãi" expands to every "mail…") took 420 ms instead of 40; as a literal, each
            # query gets its own plan.
            literal = _sql_literal(tsquery)
            return (f"SELECT id FROM {self.table} WHERE document @@ to_tsquery('simple', {literal})", [])
        expression = " ".join(
            _fts5_quote(" ".join(term)) if is_cjk_term(term) else _fts5_quote(term[0]) + "*" for term in terms
        )
        return f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s", [expression]

    def _common_among_recent(self, tsquery: str) -> bool:
        """Whether at least COMMON_MATCHES of the newest PROBE_WINDOW documents match: one
        backward scan of the primary key, ~1 ms whatever the table size; remembered a while."""
        key = (self.table, tsquery)
        known = _probes.get(key)
        if known is not None:
            return known
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT document FROM {self.table} ORDER BY id DESC LIMIT %s) recent "
                "WHERE document @@ to_tsquery('simple', %s)",
                [PROBE_WINDOW, tsquery],
            )
            row = cursor.fetchone()
        common = bool(row) and row[0] >= COMMON_MATCHES
        _probes.put(key, common)
        return common


class _ProbeMemory:
    """The probe's recent answers: a small LRU whose entries expire after PROBE_TTL seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: OrderedDict[tuple[str, str], tuple[float, bool]] = OrderedDict()

    def get(self, key: tuple[str, str]) -> bool | None:
        with self._lock:
            entry = self._answers.get(key)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self._answers[key]
                return None
            self._answers.move_to_end(key)
            return entry[1]

    def put(self, key: tuple[str, str], common: bool) -> None:
        with self._lock:
            self._answers[key] = (time.monotonic() + PROBE_TTL, common)
            self._answers.move_to_end(key)
            while len(self._answers) > PROBE_MEMORY:
                self._answers.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


_probes = _ProbeMemory()


def _fts5_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _sql_literal(text: str) -> str:
    """`text` as an SQL string literal (standard_conforming_strings, on since PostgreSQL 9.1:
    only quotes are doubled), with % doubled for the driver's placeholder syntax."""
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def _pg_quote(token: str) -> str:
    return "'" + token.replace("'", "''").replace("\\", "\\\\") + "'"
