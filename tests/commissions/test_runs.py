"""Runs against the database: the worked example, idempotence, incremental
runs, live preview."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings

from tandem.commissions.models import CommissionLine, CommissionRun
from tandem.commissions.runs import run_commissions
from tandem.commissions.selectors import export_rows
from tests.facts import pending

from .test_engine_properties import histories
from .worked import expected_lines, load_worked_example

pytestmark = pytest.mark.django_db

MONTHS = ["2026-02", "2026-03", "2026-04", "2026-05"]


def exported(months=MONTHS) -> list[tuple[str, ...]]:
    rows = []
    for month in months:
        rows.extend(tuple(r[:7]) for r in export_rows(period=month))
    return [r for r in rows if r[6] != "0.00"]


def test_worked_example_exports_equal_expected_lines():
    load_worked_example()
    result = run_commissions()
    assert result.customers == 4
    assert exported() == expected_lines()
    assert not pending()


def test_second_run_changes_nothing():
    load_worked_example()
    run_commissions()
    before = list(CommissionLine.objects.order_by("id").values_list())
    again = run_commissions(full=True)
    assert (again.lines_written, again.lines_deleted) == (0, 0)
    assert list(CommissionLine.objects.order_by("id").values_list()) == before


def test_incremental_run_touches_only_dirty_customers():
    from tandem.core.changes import customers_changed
    from tandem.sales.models import Order

    load_worked_example()
    run_commissions()
    untouched = list(CommissionLine.objects.exclude(customer_id="C3").order_by("id").values_list())
    Order.objects.create(
        order_id="O7", customer_id="C3", order_date=date(2026, 5, 9), amount=Decimal("200.00")
    )
    customers_changed(["C3"])
    result = run_commissions()
    assert result.customers == 1
    # C3 still has S1 (left) on sales: service V1 takes the whole pool of 10.00.
    assert ("2026-05", "O7", "V1", "service", "inherited", "sale", "10.00") in exported()
    assert list(CommissionLine.objects.exclude(customer_id="C3").order_by("id").values_list()) == untouched


def test_marks_keep_the_earliest_day_and_a_mark_without_a_day_wins():
    from tandem.core.changes import customers_changed, orders_changed

    load_worked_example()
    run_commissions()
    orders_changed({"C1": date(2026, 5, 1), "C2": date(2026, 4, 1), "C3": None})
    orders_changed({"C1": date(2026, 3, 1), "C2": date(2026, 6, 1), "C3": date(2026, 1, 1)})
    orders_changed({"C4": date(2026, 2, 1)})
    customers_changed(["C4"])
    assert pending() == {
        "C1": date(2026, 3, 1),
        "C2": date(2026, 4, 1),
        "C3": None,
        "C4": None,
    }


def test_a_mark_with_a_day_compares_only_the_months_from_it():
    from tandem.core.changes import customers_changed, orders_changed
    from tandem.sales.models import Order

    load_worked_example()
    run_commissions()
    # Tamper with a stored April line: a run that compares C1 from May on
    # leaves it, a run that compares C1 whole puts it right.
    april = CommissionLine.objects.filter(customer_id="C1", period="2026-04", kind="sale").order_by("id").first()
    assert april is not None
    right = april.amount_cents
    CommissionLine.objects.filter(pk=april.pk).update(amount_cents=right + 1)
    Order.objects.create(order_id="O9", customer_id="C1", order_date=date(2026, 5, 20), amount=Decimal("100.00"))
    orders_changed({"C1": date(2026, 5, 20)})
    result = run_commissions()
    assert result.customers == 1  # an order of C1 changes no one else's lines
    assert CommissionLine.objects.filter(order_id="O9").count() == 2
    assert CommissionLine.objects.get(pk=april.pk).amount_cents == right + 1
    customers_changed(["C1"])
    run_commissions()
    assert not CommissionLine.objects.filter(pk=april.pk).exists()
    assert CommissionLine.objects.filter(customer_id="C1", period="2026-04", kind="sale", amount_cents=right).exists()


def test_run_is_recorded_with_its_counts():
    load_worked_example()
    result = run_commissions()
    run = CommissionRun.objects.get(pk=result.run_id)
    assert run.mode == "incremental"
    assert run.customers == 4
    assert run.orders == 5
    assert run.lines_written == 10
    assert run.exceptions == {"count": 0, "first": []}


def test_order_with_no_plan_is_an_exception_not_dropped():
    from tandem.commissions.models import Plan

    load_worked_example()
    Plan.objects.all().update(effective_from=date(2026, 4, 1))
    result = run_commissions(full=True)
    assert result.exception_count == 2
    assert {e["order_id"] for e in result.exceptions} == {"O1", "O2"}
    assert not CommissionLine.objects.filter(order_id__in=["O1", "O2"]).exists()


def test_period_option_refreshes_that_month_only_and_keeps_marks():
    load_worked_example()
    result = run_commissions(period="2026-04")
    assert set(CommissionLine.objects.values_list("period", flat=True)) == {"2026-04"}
    assert result.lines_written == 4
    assert len(pending()) == 4


def test_live_preview_of_a_new_order():
    from tandem.commissions.services import customer_preview
    from tandem.sales.models import Order

    load_worked_example()
    run_commissions()
    Order.objects.create(order_id="O8", customer_id="C1", order_date=date(2026, 6, 1), amount=Decimal("100.00"))
    customer_preview(customer_id="C1")
    rows = {(r[2], r[6]) for r in export_rows(period="2026-06")}
    assert rows == {("V2", "3.50"), ("S2", "1.50")}


def line_indexes() -> dict[str, tuple]:
    """The rebuilt line indexes present now: name -> their definition as the
    database describes it (SQLite keeps the CREATE statement's own text, so
    its definition is read back from the index pragmas instead)."""
    from django.db import connection

    from tandem.commissions.linestore import LINE_INDEXES, LINE_TABLE

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [LINE_TABLE])
            found = {name: (definition,) for name, definition in cur.fetchall()}
        else:
            cur.execute(f"PRAGMA index_list({LINE_TABLE})")
            found = {}
            for _seq, name, unique, _origin, partial in cur.fetchall():
                cur.execute(f"PRAGMA index_xinfo({name})")
                found[name] = (unique, partial, tuple(cur.fetchall()))
    return {name: found[name] for name in LINE_INDEXES if name in found}


def indexes_at_each_insert(monkeypatch) -> list[dict[str, tuple]]:
    """The line indexes present whenever a run writes lines (filled as it does)."""
    from tandem.commissions import linestore

    seen: list[dict[str, tuple]] = []
    insert = linestore.insert_lines

    def observed(rows):
        if rows:
            seen.append(line_indexes())
        insert(rows)

    monkeypatch.setattr(linestore, "insert_lines", observed)
    return seen


def test_first_full_run_writes_without_the_line_indexes_and_builds_them_again(monkeypatch):
    from django.db import connection

    from tandem.commissions import parallel

    monkeypatch.setattr(parallel, "PIPELINE_MIN_CUSTOMERS", 1)
    load_worked_example()
    before = line_indexes()
    assert set(before) == {"line_customer", "line_period"}
    seen = indexes_at_each_insert(monkeypatch)
    run_commissions(full=True)
    assert seen
    if connection.vendor == "sqlite":
        assert seen == [{}] * len(seen)
    else:
        # Dropping an index locks the table against every reader (the workers
        # included) until the commit: PostgreSQL keeps them.
        assert seen == [before] * len(seen)
    assert line_indexes() == before
    assert exported() == expected_lines()


def test_a_full_run_over_stored_lines_keeps_the_line_indexes(monkeypatch):
    from tandem.commissions import parallel
    from tandem.sales.models import Order

    monkeypatch.setattr(parallel, "PIPELINE_MIN_CUSTOMERS", 1)
    load_worked_example()
    run_commissions()
    before = line_indexes()
    Order.objects.create(order_id="O9", customer_id="C1", order_date=date(2026, 6, 2), amount=Decimal("10.00"))
    seen = indexes_at_each_insert(monkeypatch)
    result = run_commissions(full=True)
    assert result.lines_written == 2
    assert seen == [before]
    assert line_indexes() == before


def test_a_changed_customer_rewrites_only_its_changed_lines():
    from tandem.core.changes import customers_changed
    from tandem.sales.models import Order

    load_worked_example()
    run_commissions()
    kept = set(CommissionLine.objects.filter(customer_id="C1").values_list("id", flat=True))
    Order.objects.create(order_id="O9", customer_id="C1", order_date=date(2026, 6, 2), amount=Decimal("10.00"))
    customers_changed(["C1"])
    result = run_commissions()
    assert (result.lines_written, result.lines_deleted) == (2, 0)
    assert kept <= set(CommissionLine.objects.filter(customer_id="C1").values_list("id", flat=True))


@settings(max_examples=100, deadline=None)
@given(histories())
def test_rows_made_while_computing_equal_rows_of_the_lines(world):
    # Runs have the engine make storage rows directly (RowMaker.make); they
    # must equal the rows of the Lines an explanation sees.
    from tandem.commissions.compare import RowMaker
    from tandem.commissions.engine import compute_customer, compute_customer_as

    history, lookups = world
    made, _ = compute_customer_as(history, lookups, RowMaker().make)
    of_lines = RowMaker()
    assert made == [of_lines(line) for line in compute_customer(history, lookups).lines]
