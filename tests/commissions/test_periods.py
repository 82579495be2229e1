"""Locking, adjustments for locked months, unlocking, statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from tandem.commissions.models import CommissionLine, PeriodEvent, PeriodLock, Statement
from tandem.commissions.periods import period_lock, period_unlock
from tandem.commissions.runs import run_commissions
from tandem.commissions.selectors import export_rows, statement_for
from tandem.commissions.statements import statements_issue, statements_mark_paid
from tandem.core.changes import customers_changed
from tandem.core.errors import TandemError

from .worked import load_worked_example

pytestmark = pytest.mark.django_db


def lines_of(period):
    return sorted(CommissionLine.objects.filter(period=period).values_list(
        "order_id", "staff_id", "role", "kind", "amount_cents", "adjusts_period"))


def refund(order_id, of, day, amount, customer="C1"):
    from tandem.sales.models import Order

    Order.objects.create(order_id=order_id, customer_id=customer, order_date=day, amount=Decimal(amount), refund_of_id=of)
    customers_changed([customer])


def manager():
    from tandem.staff.models import Staff

    user = get_user_model().objects.create_user("boss", password="x")
    Staff.objects.create(staff_id="M1", name="赵总", role="manager", user=user)
    return user


def test_lock_runs_first_and_records_the_event():
    load_worked_example()
    period_lock(period="2026-04", actor="finance")
    assert PeriodLock.objects.filter(period="2026-04").exists()
    assert lines_of("2026-04")  # the pending changes were computed before locking
    event = PeriodEvent.objects.get()
    assert (event.period, event.action, event.actor) == ("2026-04", "lock", "finance")


def test_locking_twice_is_refused():
    load_worked_example()
    period_lock(period="2026-04")
    with pytest.raises(TandemError, match="2026-04 已锁账"):
        period_lock(period="2026-04")


def test_bad_period_is_refused():
    with pytest.raises(TandemError, match="期间格式应为 YYYY-MM"):
        period_lock(period="2026-13")


def test_rule_6_locked_month_never_changes_and_difference_is_adjusted_in_next_open_month():
    load_worked_example()
    run_commissions()
    period_lock(period="2026-04")
    april = lines_of("2026-04")
    # A refund of 1000.00 against O3 dated inside the locked April:
    # net(1000) = pool 50.00 -> V2 35.00, S2 15.00; clawback V2 -35.00, S2 -15.00 belongs to April.
    refund("R9", "O3", date(2026, 4, 20), "1000.00")
    result = run_commissions()
    assert lines_of("2026-04") == april
    assert result.adjustments == 2
    may = [r for r in export_rows(period="2026-05") if r[5] == "adjustment"]
    assert [(r[1], r[2], r[3], r[4], r[6], r[13]) for r in may] == [
        ("O3", "S2", "sales", "inherited", "-15.00", "2026-04"),
        ("O3", "V2", "service", "inherited", "-35.00", "2026-04"),
    ]
    # O5 (500.00 on 2026-05-03) now takes F from 1000 to 1500: net(1000)=50 -> net(500)=25.
    clawbacks = {(r[2], r[6]) for r in export_rows(period="2026-05") if r[5] == "clawback"}
    assert clawbacks == {("S2", "-7.50"), ("V2", "-17.50")}
    # A second run posts nothing new.
    again = run_commissions(full=True)
    assert (again.lines_written, again.lines_deleted) == (0, 0)


def test_adjustments_skip_locked_months_and_count_held_adjustments():
    load_worked_example()
    run_commissions()
    period_lock(period="2026-04")
    period_lock(period="2026-05")
    refund("R9", "O3", date(2026, 4, 20), "1000.00")
    run_commissions()
    # April and May locked: the April difference lands in June.
    assert [(r[2], r[6], r[13]) for r in export_rows(period="2026-06")] == [
        ("S2", "-15.00", "2026-04"),
        ("V2", "-35.00", "2026-04"),
        # May held clawbacks -7.50/-17.50 for F 0->500; the truth is now F 1000->1500 (same amounts).
    ]
    period_lock(period="2026-06")
    # Nothing changed since: the adjustments held in locked June count, nothing new is posted.
    result = run_commissions(full=True)
    assert result.adjustments == 0
    assert not CommissionLine.objects.filter(period="2026-07").exists()


def test_unlock_needs_a_manager_and_a_reason():
    load_worked_example()
    period_lock(period="2026-04")
    clerk = get_user_model().objects.create_user("clerk", password="x")
    with pytest.raises(TandemError, match="只有经理或管理员可以解锁期间"):
        period_unlock(period="2026-04", user=clerk, reason="更正")
    with pytest.raises(TandemError, match="必须填写原因"):
        period_unlock(period="2026-04", user=manager(), reason=" ")


def test_unlock_is_refused_once_a_statement_is_paid():
    load_worked_example()
    period_lock(period="2026-04")
    statements_issue(period="2026-04")
    statements_mark_paid(period="2026-04", staff_id="V2")
    with pytest.raises(TandemError, match="已有提成结算单发放"):
        period_unlock(period="2026-04", user=manager(), reason="更正")
    assert PeriodLock.objects.filter(period="2026-04").exists()


def test_unlock_reopens_the_month_audited_and_the_next_run_recomputes_it():
    load_worked_example()
    run_commissions()
    period_lock(period="2026-04")
    refund("R9", "O3", date(2026, 4, 20), "1000.00")
    run_commissions()
    boss = manager()
    period_unlock(period="2026-04", user=boss, reason="补录四月退款")
    event = PeriodEvent.objects.filter(action="unlock").get()
    assert (event.by, event.reason) == (boss, "补录四月退款")
    run_commissions()
    assert not CommissionLine.objects.filter(kind="adjustment").exists()
    april = {(r[2], r[5], r[6]) for r in export_rows(period="2026-04") if r[1] == "O3"}
    assert april == {("S2", "sale", "30.00"), ("V2", "sale", "70.00"), ("S2", "clawback", "-15.00"), ("V2", "clawback", "-35.00")}


def test_unlock_refused_while_a_later_locked_month_holds_its_adjustments():
    load_worked_example()
    run_commissions()
    period_lock(period="2026-04")
    refund("R9", "O3", date(2026, 4, 20), "1000.00")
    period_lock(period="2026-05")  # runs first: May now holds the April adjustments
    with pytest.raises(TandemError, match="请先解锁这些期间"):
        period_unlock(period="2026-04", user=manager(), reason="更正")


def test_statements_need_a_locked_month_and_sum_the_lines():
    load_worked_example()
    run_commissions()
    with pytest.raises(TandemError, match="尚未锁账"):
        statements_issue(period="2026-05")
    period_lock(period="2026-05")
    issued = {s.staff_id: s.total_cents for s in statements_issue(period="2026-05")}
    assert issued == {"S2": -750, "V2": -1750}
    view = statement_for(staff_id="V2", period="2026-05")
    assert (view.total_cents, view.by_kind, view.by_scenario, view.orders) == (
        -1750, {"clawback": -1750}, {"inherited": -1750}, 1)
    assert statements_mark_paid(period="2026-05") == 2
    assert set(Statement.objects.values_list("status", flat=True)) == {"paid"}
