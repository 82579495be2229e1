"""Every writer's change is picked up by the next incremental run.

Each test starts from the worked example with its lines computed, changes
one thing through one real writer (a domain service, the importer, the plan
loader, the period services), runs the incremental run and checks that it
brought commission to the truth: a full run afterwards has nothing left to
write. Each change is chosen so that it moves commission (the lines differ
from before), so a writer that forgot its change fact fails its test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tandem.commissions.models import CommissionLine
from tandem.commissions.runs import run_commissions

from .worked import load_worked_example

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(CommissionLine.objects.values_list(
        "period", "order_id", "staff_id", "role", "scenario", "kind", "amount_cents", "adjusts_period"))


@pytest.fixture
def company():
    load_worked_example()
    run_commissions(full=True)
    return snapshot()


def assert_picked_up(before):
    incremental = run_commissions()
    assert incremental.customers > 0
    after = snapshot()
    assert after != before, "the change should have moved commission"
    full = run_commissions(full=True)
    assert (full.lines_written, full.lines_deleted) == (0, 0)
    assert snapshot() == after


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def imported(tmp_path: Path, name: str, text: str) -> None:
    from tandem.exchange.importers import import_files

    import_files([write(tmp_path, name, text)])


# --- services ----------------------------------------------------------------


def test_order_record_new_order(company):
    from tandem.sales.services import order_record

    order_record(order_id="O7", customer="C3", order_date=date(2026, 4, 20), amount="200")
    assert_picked_up(company)


def test_order_record_moves_an_order_to_another_customer(company):
    from tandem.sales.services import order_record

    order_record(order_id="O4", customer="C4", order_date=date(2026, 4, 5), amount="100")
    assert_picked_up(company)


def test_refund_record(company):
    from tandem.sales.services import refund_record

    refund_record(refund_id="R9", order="O1", refund_date=date(2026, 3, 1), amount="100")
    assert_picked_up(company)


def test_assignment_open(company):
    from tandem.customers.models import Customer
    from tandem.customers.services import assignment_open
    from tandem.staff.models import Staff

    assignment_open(customer=Customer.objects.get(pk="C3"), role="sales", staff=Staff.objects.get(pk="S2"),
                    valid_from=date(2026, 4, 1), reason="handover")
    assert_picked_up(company)


def test_assignment_close_of_a_referrers_service_row(company):
    """C2 was referred by C1: ending C1's service row before C2's first
    order changes C2's referral line, which only the fan-out reaches."""
    from tandem.customers.models import Assignment
    from tandem.customers.services import assignment_close

    row = Assignment.objects.get(customer_id="C1", role="service", staff_id="V1")
    assignment_close(assignment=row, valid_to=date(2026, 2, 15))
    assert_picked_up(company)


def test_staff_upsert_departure_of_a_referrers_service_owner(company):
    from tandem.staff.services import staff_upsert

    staff_upsert(staff_id="V1", name="王芳", role="service", left_on=date(2026, 2, 15))
    assert_picked_up(company)


def test_customer_upsert_new_developer(company):
    """C4 gets a developer who has left: its order becomes an inherited one."""
    from tandem.customers.services import customer_upsert

    customer_upsert(customer_id="C4", name="常州新星", tier="standard", acquired_on=date(2026, 1, 5), acquired_by="S1")
    assert_picked_up(company)


def test_assignment_record_edits_a_referrers_service_row(company):
    from tandem.customers.models import Assignment
    from tandem.customers.services import assignment_record

    row = Assignment.objects.get(customer_id="C1", role="service", staff_id="V1")
    assignment_record(assignment=row, customer="C1", role="service", staff="V1",
                      valid_from=row.valid_from, valid_to=date(2026, 2, 15), reason=row.reason)
    assert_picked_up(company)


def test_assignment_delete(company):
    from tandem.customers.models import Assignment
    from tandem.customers.services import assignment_delete

    assignment_delete(assignment=Assignment.objects.get(customer_id="C3", role="service"))
    assert_picked_up(company)


def test_order_delete(company):
    from tandem.sales.models import Order
    from tandem.sales.services import order_delete

    order_delete(order=Order.objects.get(pk="O4"))
    assert_picked_up(company)


def test_plans_load(company):
    from tandem.exchange.plans import plans_load_text

    plans_load_text(
        """
[[plans]]
name = "2026 年 4 月起"
effective_from = 2026-04-01
pool_rate = "0.08"

[plans.splits]
standard  = { sales = "0.70", service = "0.30" }
inherited = { service = "0.70", sales = "0.30" }
referral  = { sales = "0.70", referrer_service = "0.30" }
""",
        path="plans.toml",
    )
    assert_picked_up(company)


def test_period_unlock(company):
    """Locked April gets a late order as an adjustment in May; unlocking
    April moves it back into April at the next run."""
    from tandem.commissions.periods import period_lock, period_unlock
    from tandem.sales.services import order_record
    from tandem.staff.models import Staff

    period_lock(period="2026-04")
    order_record(order_id="O8", customer="C3", order_date=date(2026, 4, 20), amount="300")
    run_commissions()
    assert CommissionLine.objects.filter(adjusts_period="2026-04").exists()
    locked = snapshot()
    user = get_user_model().objects.create_user("boss", password="x")
    Staff.objects.create(staff_id="M1", name="赵总", role="manager", user=user)
    period_unlock(period="2026-04", user=user, reason="补录订单")
    assert_picked_up(locked)
    assert not CommissionLine.objects.filter(adjusts_period="2026-04").exists()
    assert CommissionLine.objects.filter(order_id="O8", period="2026-04").exists()


# --- the importer ------------------------------------------------------------


def test_import_orders(company, tmp_path):
    imported(tmp_path, "orders.csv", "order_id,customer_id,order_date,amount,refund_of\n"
             "O7,C4,2026-01-20,50.00,\nR7,C1,2026-04-10,100.00,O3\n")
    assert_picked_up(company)


def test_import_staff_departure(company, tmp_path):
    imported(tmp_path, "staff.csv", "staff_id,name,role,hired_on,left_on\nV1,王芳,service,,2026-02-15\n")
    assert_picked_up(company)


def test_import_customer_record(company, tmp_path):
    """C4 gets a developer who has left: its order becomes an inherited one."""
    imported(tmp_path, "customers.csv", "customer_id,name,tier,acquired_on,acquired_by,referred_by\n"
             "C4,常州新星,standard,2026-01-05,S1,\n")
    assert_picked_up(company)


def test_import_assignments(company, tmp_path):
    imported(tmp_path, "assignments.csv", "customer_id,role,staff_id,valid_from,valid_to\n"
             "C4,sales,S2,2026-01-05,\n")
    assert_picked_up(company)


def test_import_assignments_new_service_owner_of_a_referrer(company, tmp_path):
    imported(tmp_path, "assignments.csv", "customer_id,role,staff_id,valid_from,valid_to\n"
             "C1,service,V1,2025-01-10,2026-02-15\nC1,service,V2,2026-03-01,\n")
    assert_picked_up(company)


def test_a_preview_leaves_the_facts_for_the_next_run(company):
    from tandem.commissions.services import order_record_previewed

    order_record_previewed(order_id="O7", customer="C3", order_date=date(2026, 4, 20), amount=Decimal("200"))
    previewed = snapshot()
    assert previewed != company
    result = run_commissions()
    assert result.customers == 1 and (result.lines_written, result.lines_deleted) == (0, 0)
    assert snapshot() == previewed
