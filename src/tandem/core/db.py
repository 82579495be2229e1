"""Database helpers: keeping PostgreSQL's picture of a table current after
a large write, and the tools of bulk loads (below).

PostgreSQL plans queries from table statistics and answers a covering
index without visiting the table only for pages its visibility map marks
all-visible; both come from VACUUM (ANALYZE), which autovacuum runs
eventually, or never when it is switched off. After a bulk load, the
documented practice is to run it at once: without it, the next
incremental commission run read a million-order table's rows from the heap
(0.40 s against 0.10 s for 1,060 customers) and planned the line table
blind. On SQLite there is nothing to do."""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.db import connection

log = logging.getLogger(__name__)

# Rows written to a table before it is worth a VACUUM (ANALYZE): the call
# costs about 0.2 s for a million orders and 0.6 s for two million lines.
REFRESH_FROM = 10_000


def refresh_statistics(tables: Iterable[str]) -> None:
    """VACUUM (ANALYZE) these tables on PostgreSQL, outside any transaction
    (VACUUM cannot run inside one; inside a caller's transaction, as in
    tests, autovacuum is left to do it)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")


# --------------------------------------------------------------------------- #
# Bulk loads: the writers of many rows (the domains' `*_write_bulk`, which
# the importer calls) share these. Each works inside the caller's
# transaction.
# --------------------------------------------------------------------------- #

# PostgreSQL advisory lock key of imports: one at a time (SQLite's write
# lock does the same there).
IMPORT_LOCK = 0x7A4D_0001

LOAD_BATCH = 10_000


def import_lock_acquire() -> None:
    """Wait for any other import to finish; held until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


@contextmanager
def sqlite_large_cache() -> Iterator[None]:
    """A 256 MB page cache for this connection while a large load runs (it
    speeds up the index updates of a large import a lot); the default
    again afterwards. Nothing on PostgreSQL."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        if connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -2000")


def load_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert rows of query parameters into ``table``: ``COPY`` on
    PostgreSQL (one stream instead of a statement per row), ``executemany``
    in batches on SQLite, both on the driver's own cursor (Django's wrapper
    costs per row). ``progress`` is told the count every LOAD_BATCH rows."""
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    done = 0
    try:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    done += 1
                    if progress is not None and done % LOAD_BATCH == 0:
                        progress(done)
        else:
            sql = f"INSERT INTO {qn(table)} ({names}) VALUES ({', '.join(['?'] * len(columns))})"
            iterator = iter(rows)
            while batch := list(islice(iterator, LOAD_BATCH)):
                cursor.executemany(sql, batch)
                done += len(batch)
                if progress is not None:
                    progress(done)
    finally:
        cursor.close()
    return done


def update_rows(
    table: str,
    key: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """``UPDATE table SET columns... WHERE key = ...`` for each row of
    parameters (the columns' values, then the key's), in batches."""
    qn = connection.ops.quote_name
    mark = "%s" if connection.vendor == "postgresql" else "?"
    sets = ", ".join(f"{qn(c)} = {mark}" for c in columns)
    sql = f"UPDATE {qn(table)} SET {sets} WHERE {qn(key)} = {mark}"
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    done = 0
    try:
        iterator = iter(rows)
        while batch := list(islice(iterator, LOAD_BATCH)):
            cursor.executemany(sql, batch)
            done += len(batch)
            if progress is not None:
                progress(done)
    finally:
        cursor.close()
    return done


def secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that back no
    constraint: they can be dropped and built again identically."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() AND tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        return list(cursor.fetchall())


def foreign_keys(table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's own foreign keys (PostgreSQL; none
    listed on SQLite, which checks them at commit without triggers)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        return list(cursor.fetchall())


@contextmanager
def load_without_indexes(table: str) -> Iterator[None]:
    """Load many rows into ``table`` without maintaining its secondary
    indexes row by row (and on PostgreSQL without a foreign-key trigger per
    row): drop them, load, and build them again, each in one pass. All of it
    happens inside the caller's transaction: nobody sees them missing, and
    a failure puts everything back."""
    postgres = connection.vendor == "postgresql"
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if postgres:
            # PostgreSQL alters no table with foreign-key checks pending:
            # run the checks queued so far now rather than at commit.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        indexes = secondary_indexes(table)
        keys = foreign_keys(table)
        for name, _definition in keys:
            cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {qn(name)}")
    yield
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)
        log.info("indexes of %s built in %.2fs", table, time.perf_counter() - started)
        for name, definition in keys:
            # Checked in one pass over the table (NOT VALID + VALIDATE
            # would do the same in two statements).
            cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
        log.info("foreign keys of %s checked at %.2fs", table, time.perf_counter() - started)


def serial_ids_reserve(table: str, column: str, count: int) -> list[int]:
    """``count`` fresh values of an auto primary key, taken the way the
    database would take them (the sequence on PostgreSQL; above the table's
    AUTOINCREMENT high-water mark on SQLite, whose write lock the caller's
    transaction holds)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [r[0] for r in cursor.fetchall()]
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({qn(column)}), 0) FROM {qn(table)}")
        high = cursor.fetchone()[0]
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
        if cursor.fetchone() is not None:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            if found is not None and found[0] is not None:
                high = max(high, found[0])
        return list(range(high + 1, high + 1 + count))


# --------------------------------------------------------------------------- #
# Helpers of other bulk writers (the commission run's)
# --------------------------------------------------------------------------- #


def advisory_xact_lock_named(name: str) -> None:
    """Wait for, then hold until the transaction ends, PostgreSQL's advisory
    lock keyed by `name` (its CRC-32), so that two writers of the same kind
    run one after the other. SQLite serialises writers already (IMMEDIATE
    transactions): nothing to do there."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])


@contextmanager
def table_indexes_rebuilt(table: str, indexes: Mapping[str, str]) -> Iterator[None]:
    """Drop these indexes of `table` (name -> indexed columns, as created by
    the migrations) and build them again when the block ends: for a write
    of a large part of the table, one sorted build is faster than an index
    update per row. Unlike `load_without_indexes`, the caller chooses which
    (the commission run keeps the index that its rows arrive in the order
    of). Meant for the caller's transaction, so a failure leaves them as
    they were."""
    quoted = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name in indexes:
            cursor.execute(f"DROP INDEX {quoted(name)}")
    yield
    with connection.cursor() as cursor:
        for name, columns in indexes.items():
            cursor.execute(f"CREATE INDEX {quoted(name)} ON {quoted(table)} ({columns})")
