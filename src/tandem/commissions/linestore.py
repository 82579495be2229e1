"""The stored commission lines: reading a batch's lines for comparison,
inserting and deleting rows, and the bulk paths of a first full run
(indexes built after the load; on SQLite, workers' staging files copied in
with one INSERT ... SELECT each).

Raw SQL on the line table, with rows as `compare.Row` tuples."""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager

from django.db import connection

from tandem.core.db import table_indexes_rebuilt

from .adjustments import ADJUSTMENT
from .compare import LINE_COLUMNS, Row
from .histories import IN_CHUNK, chunks, date_sql, placeholders
from .models import CommissionLine

LINE_TABLE = CommissionLine._meta.db_table
WRITE_CHUNK = 20_000  # rows per executemany
NAMED_CHUNK = 100  # customers per query when only named orders are read

LINE_INDEXES = {
    # name -> column, as created by the migrations
    "line_customer": "customer_id",
    "line_period": "period",
}


def all_customer_ids() -> list[str]:
    """Every customer, and after them every customer id that only the line
    table still has (removed customers: their lines must go too)."""
    with connection.cursor() as cur:
        cur.execute("SELECT customer_id FROM customers_customer ORDER BY customer_id")
        ids = [r[0] for r in cur.fetchall()]
        cur.execute(f"SELECT DISTINCT customer_id FROM {LINE_TABLE}")
        extra = {r[0] for r in cur.fetchall()} - set(ids)
    return ids + sorted(extra)


def stored_lines(
    ids: Sequence[str],
    windows: Mapping[str, str] | None = None,
    orders: Mapping[str, Collection[str]] | None = None,
) -> dict[str, list[tuple[int, Row]]]:
    """The stored lines of these customers, as (id, row); of a customer with
    a window (`compare.windows_for`), only its lines from that month on,
    adjustments left out, and of those only the lines of its `orders` when
    it has them (`compare.compared_orders`)."""
    stored: dict[str, list[tuple[int, Row]]] = defaultdict(list)
    cols = ", ".join(date_sql(c) if c in ("line_date", "plan_from") else c for c in LINE_COLUMNS)
    windows = windows or {}
    orders = orders or {}
    groups: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for cid in ids:
        first_period = windows.get(cid, "")
        groups[(first_period, bool(first_period) and cid in orders)].append(cid)
    iso = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        for (first_period, named), members in groups.items():
            for chunk in chunks(members, NAMED_CHUNK if named else IN_CHUNK):
                sql = f"SELECT id, {cols} FROM {LINE_TABLE} WHERE customer_id IN ({placeholders(len(chunk))})"
                params = list(chunk)
                if first_period:
                    sql += " AND period >= %s AND kind <> %s"
                    params += [first_period, ADJUSTMENT]
                wanted: set[tuple[str, str]] | None = None
                if named:
                    # An order id names one customer's order, but an order
                    # moved between customers is named for both.
                    wanted = {(cid, oid) for cid in chunk for oid in orders[cid]}
                    order_ids = sorted({oid for _cid, oid in wanted})
                    sql += f" AND order_id IN ({placeholders(len(order_ids))})"
                    params += order_ids
                cur.execute(sql, params)
                if iso:
                    # psycopg returns dates as date objects: compare ISO text.
                    for row in cur.fetchall():
                        line: Row = (*row[1:8], str(row[8]), row[9], _iso(row[10]), *row[11:])  # type: ignore[assignment]
                        if wanted is None or (line[2], line[1]) in wanted:
                            stored[line[2]].append((row[0], line))
                else:
                    # SQLite: dates already come back as text (CAST), amounts as int.
                    for row in cur.fetchall():
                        if wanted is None or (row[3], row[2]) in wanted:
                            stored[row[3]].append((row[0], row[1:]))
    return stored


def _iso(value: object) -> str | None:
    return None if value is None else str(value)


def insert_lines(rows: list[Row]) -> None:
    """Insert these rows (COPY on PostgreSQL, executemany on SQLite)."""
    if not rows:
        return
    cols = ", ".join(LINE_COLUMNS)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {LINE_TABLE} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {LINE_TABLE} ({cols}) VALUES ({placeholders(len(LINE_COLUMNS))})"
            for start in range(0, len(rows), WRITE_CHUNK):
                cur.executemany(sql, rows[start : start + WRITE_CHUNK])


def delete_lines(ids: list[int]) -> None:
    """Delete the lines with these ids."""
    with connection.cursor() as cur:
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start : start + IN_CHUNK]
            cur.execute(f"DELETE FROM {LINE_TABLE} WHERE id IN ({placeholders(len(chunk))})", chunk)


def no_lines() -> bool:
    """Whether the line table is empty."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT 1 FROM {LINE_TABLE} LIMIT 1")
        return cur.fetchone() is None


@contextmanager
def line_indexes_rebuilt(names: Iterable[str]) -> Iterator[None]:
    """For a run that writes the whole table (the first full run), drop
    these line indexes and build them once at the end: one sorted build is
    faster than two million index updates. Inside the run's transaction, so
    a failed run leaves them as they were."""
    with table_indexes_rebuilt(LINE_TABLE, {name: LINE_INDEXES[name] for name in names}):
        yield


# At most this many staging files per run: SQLite attaches at most ten
# databases to a connection, and they stay attached until the commit.
STAGE_FILES = 8
STAGE_TABLE = "line"


def stage_rows(path: str, rows: list[Row]) -> None:
    """Append rows to a staging file (a worker's own SQLite database, no
    journal: it only lives for the run, and a crash discards the run)."""
    import sqlite3

    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute(f"CREATE TABLE IF NOT EXISTS {STAGE_TABLE} ({', '.join(LINE_COLUMNS)})")
        con.execute("BEGIN")
        con.executemany(
            f"INSERT INTO {STAGE_TABLE} VALUES ({', '.join('?' * len(LINE_COLUMNS))})", rows
        )
        con.execute("COMMIT")
    finally:
        con.close()


class StagingFiles:
    """The staging files of one run (SQLite): a temporary folder for the
    workers to write into (`stage_rows`), and the copy of a finished file
    into the line table, inside the run's transaction. The files stay
    attached until `stage` closes, after the commit or rollback; then they
    are detached and the folder removed."""

    def __init__(self, stage: ExitStack) -> None:
        self.folder = stage.enter_context(tempfile.TemporaryDirectory(prefix="tandem-run-"))
        self.attached: list[str] = []
        stage.callback(self._detach)  # runs before the folder is removed (LIFO)

    def path(self, k: int) -> str:
        return os.path.join(self.folder, f"stage{k}.sqlite3")

    def copy_in(self, k: int) -> None:
        """Copy staging file `k` into the line table: one INSERT ... SELECT,
        SQLite's bulk path."""
        alias = f"tandem_stage{k}"
        cols = ", ".join(LINE_COLUMNS)
        with connection.cursor() as cur:
            cur.execute(f"ATTACH DATABASE %s AS {alias}", [self.path(k)])
            self.attached.append(alias)
            cur.execute(f"INSERT INTO {LINE_TABLE} ({cols}) SELECT {cols} FROM {alias}.{STAGE_TABLE}")

    def _detach(self) -> None:
        with connection.cursor() as cur:
            for alias in self.attached:
                cur.execute(f"DETACH DATABASE {alias}")
