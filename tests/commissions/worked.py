"""The spec's worked example, loaded straight through the ORM, for tests of
runs that should not depend on the importer."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

from ..fixtures import WORKED

DEFAULT_SPLITS = {
    "standard": {"sales": "0.70", "service": "0.30"},
    "inherited": {"service": "0.70", "sales": "0.30"},
    "referral": {"sales": "0.70", "referrer_service": "0.30"},
}


def _rows(name: str) -> list[dict[str, str]]:
    with (WORKED / name).open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _d(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def default_plan():
    """The worked example's plan: the shipped default plan, which every new
    database has. A transactional test starts from the database the one
    before it flushed, without it: then it is loaded."""
    from tandem.commissions.models import Plan
    from tandem.exchange.plans import plans_ensure_default

    plans_ensure_default()
    plan = Plan.objects.get(effective_from=date(1900, 1, 1))
    assert (plan.pool_rate, plan.splits, plan.category_rates) == (Decimal("0.05"), DEFAULT_SPLITS, {})
    return plan


def load_worked_example() -> None:
    from tandem.core.changes import customers_changed
    from tandem.customers.models import Assignment, Customer
    from tandem.sales.models import Order
    from tandem.staff.models import Staff

    default_plan()
    for r in _rows("staff.csv"):
        Staff.objects.create(
            staff_id=r["staff_id"], name=r["name"], role=r["role"], hired_on=_d(r["hired_on"]), left_on=_d(r["left_on"])
        )
    customers = _rows("customers.csv")
    for r in customers:
        Customer.objects.create(
            customer_id=r["customer_id"],
            name=r["name"],
            tier=r["tier"],
            acquired_on=_d(r["acquired_on"]),
            acquired_by_id=r["acquired_by"] or None,
        )
    for r in customers:
        if r["referred_by"]:
            Customer.objects.filter(customer_id=r["customer_id"]).update(referred_by_id=r["referred_by"])
    for r in _rows("assignments.csv"):
        Assignment.objects.create(
            customer_id=r["customer_id"],
            role=r["role"],
            staff_id=r["staff_id"],
            valid_from=_d(r["valid_from"]),
            valid_to=_d(r["valid_to"]),
        )
    for r in _rows("orders.csv"):
        Order.objects.create(
            order_id=r["order_id"],
            customer_id=r["customer_id"],
            order_date=_d(r["order_date"]),
            amount=Decimal(r["amount"]),
            category=r["category"],
            refund_of_id=r["refund_of"] or None,
        )
    customers_changed([r["customer_id"] for r in customers])


def expected_lines() -> list[tuple[str, ...]]:
    return [tuple(r.values()) for r in _rows("expected-lines.csv")]
