"""After a large write on PostgreSQL, the tables' statistics and visibility
map are refreshed at once (tandem.core.db): autovacuum may be slow, or
off, and the next incremental run would read orders from the heap. On
SQLite there is nothing to refresh, and nothing is sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from ..commissions.worked import default_plan
from .conftest import BASE, run

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = ("staff_staff", "customers_customer", "customers_assignment", "sales_order", "commissions_commissionline")


def maintenance_counts() -> dict[str, tuple[int, int]]:
    """table -> (vacuum_count, analyze_count): manual VACUUM and ANALYZE,
    each counted by the server as it finishes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, vacuum_count, analyze_count FROM pg_stat_user_tables WHERE relname = ANY(%s)",
            [list(TABLES)],
        )
        return {table: (vacuums, analyzes) for table, vacuums, analyzes in cursor.fetchall()}


def refreshed_since(before: dict[str, tuple[int, int]]) -> set[str]:
    """The tables both vacuumed and analysed since `before`."""
    refreshed = set()
    for table, (vacuums, analyzes) in maintenance_counts().items():
        was_vacuums, was_analyzes = before.get(table, (0, 0))
        if vacuums > was_vacuums and analyzes > was_analyzes:
            refreshed.add(table)
    return refreshed


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement sent inside the block."""
    sent: list[str] = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield sent


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (TANDEM_TEST_DATABASE_URL): SQLite keeps no such statistics")


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's refresh is tested against pg_stat_user_tables")


def test_a_large_import_and_a_large_run_refresh_the_tables(postgresql_only, write, monkeypatch):
    from tandem.commissions import runs
    from tandem.exchange.importers import command as importers

    for name, text in BASE.items():
        write(name, text)
    # The worked example: 4 staff, 4 customers, 8 assignments, 6 orders.
    monkeypatch.setattr(importers, "REFRESH_FROM", 7)
    before = maintenance_counts()
    run(*BASE)
    assert refreshed_since(before) == {"customers_assignment"}

    monkeypatch.setattr(importers, "REFRESH_FROM", 2)
    before = maintenance_counts()
    write("orders.csv", BASE["orders.csv"].replace("80.00", "81.00"))
    run("orders.csv")  # 1 updated: below
    assert maintenance_counts() == before
    write("orders.csv", BASE["orders.csv"].replace("80.00", "82.00").replace("100.00", "101.00"))
    run("orders.csv")
    assert refreshed_since(before) == {"sales_order"}

    default_plan()
    monkeypatch.setattr(runs, "REFRESH_FROM", 1)
    before = maintenance_counts()
    result = runs.run_commissions()
    assert result.lines_written > 0
    assert refreshed_since(before) == {"commissions_commissionline"}


def test_inside_a_transaction_nothing_is_attempted(postgresql_only):
    from django.db import transaction

    from tandem.core.db import refresh_statistics

    before = maintenance_counts()
    with transaction.atomic(), statements() as sent:
        refresh_statistics(["sales_order"])  # VACUUM would fail here
    assert sent == []
    assert maintenance_counts() == before
    # The same call outside a transaction does refresh the table.
    refresh_statistics(["sales_order"])
    assert refreshed_since(before) == {"sales_order"}


def test_on_sqlite_a_large_import_and_run_send_no_vacuum_or_analyze(sqlite_only, write, monkeypatch):
    from tandem.commissions import runs
    from tandem.core.db import refresh_statistics
    from tandem.exchange.importers import command as importers

    for name, text in BASE.items():
        write(name, text)
    monkeypatch.setattr(importers, "REFRESH_FROM", 1)
    monkeypatch.setattr(runs, "REFRESH_FROM", 1)
    default_plan()
    with statements() as sent:
        results = run(*BASE)
        result = runs.run_commissions()
    assert [r.created for r in results] == [4, 4, 8, 6]
    assert result.lines_written > 0
    assert sent  # the import and the run did write through this connection
    assert [sql for sql in sent if "VACUUM" in sql.upper() or "ANALYZE" in sql.upper()] == []
    with statements() as sent:
        refresh_statistics(TABLES)
    assert sent == []
