"""After a large write on PostgreSQL, the tables' statistics and visibility
map are refreshed at once (tandem.core.db): autovacuum may be slow, or
off, and the next incremental run would read orders from the heap."""

from __future__ import annotations

import pytest
from django.db import connection

from ..commissions.worked import default_plan
from .conftest import BASE, run

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = ("staff_staff", "customers_customer", "customers_assignment", "sales_order", "commissions_commissionline")


def vacuum_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, vacuum_count FROM pg_stat_user_tables WHERE relname = ANY(%s)", [list(TABLES)]
        )
        return dict(cursor.fetchall())


def vacuumed_since(before: dict[str, int]) -> set[str]:
    return {table for table, n in vacuum_counts().items() if n > before.get(table, 0)}


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite keeps no such statistics")


def test_a_large_import_and_a_large_run_refresh_the_tables(postgresql_only, write, monkeypatch):
    from tandem.commissions import runs
    from tandem.exchange import importers

    for name, text in BASE.items():
        write(name, text)
    # The worked example: 4 staff, 4 customers, 8 assignments, 6 orders.
    monkeypatch.setattr(importers, "REFRESH_FROM", 7)
    before = vacuum_counts()
    run(*BASE)
    assert vacuumed_since(before) == {"customers_assignment"}

    monkeypatch.setattr(importers, "REFRESH_FROM", 2)
    before = vacuum_counts()
    write("orders.csv", BASE["orders.csv"].replace("80.00", "81.00"))
    run("orders.csv")  # 1 updated: below
    assert vacuumed_since(before) == set()
    write("orders.csv", BASE["orders.csv"].replace("80.00", "82.00").replace("100.00", "101.00"))
    run("orders.csv")
    assert vacuumed_since(before) == {"sales_order"}

    default_plan()
    monkeypatch.setattr(runs, "REFRESH_FROM", 1)
    before = vacuum_counts()
    result = runs.run_commissions()
    assert result.lines_written > 0
    assert vacuumed_since(before) == {"commissions_commissionline"}


def test_inside_a_transaction_nothing_is_attempted():
    from django.db import transaction

    from tandem.core.db import refresh_statistics

    with transaction.atomic():
        refresh_statistics(["sales_order"])  # VACUUM would fail here
