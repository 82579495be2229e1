"""Plain-value builders for the pure commission tests (no database)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from tandem.commissions.engine import (
    CustomerHistory,
    CustomerResult,
    Line,
    Lookups,
    Order,
    Refund,
    compute_customer,
)
from tandem.commissions.rules import Assignment, Plan, PlanBook, StaffActivity

D = date.fromisoformat

DEFAULT_SPLITS: Mapping[str, Mapping[str, Decimal]] = {
    "standard": {"sales": Decimal("0.70"), "service": Decimal("0.30")},
    "inherited": {"service": Decimal("0.70"), "sales": Decimal("0.30")},
    "referral": {"sales": Decimal("0.70"), "referrer_service": Decimal("0.30")},
}


def plan(
    name: str = "默认协作方案",
    effective_from: str = "1900-01-01",
    pool_rate: str = "0.05",
    category_rates: Mapping[str, str] | None = None,
    splits: Mapping[str, Mapping[str, str | Decimal]] | None = None,
) -> Plan:
    return Plan(
        name=name,
        effective_from=D(effective_from),
        pool_rate=Decimal(pool_rate),
        category_rates={k: Decimal(v) for k, v in (category_rates or {}).items()},
        splits={
            s: {r: Decimal(w) for r, w in weights.items()}
            for s, weights in (splits or DEFAULT_SPLITS).items()
        },
    )


def staff(**people: tuple[str | None, str | None]) -> dict[str, StaffActivity]:
    """staff(S1=("2024-01-01", "2026-03-01"), V1=(None, None))."""
    return {
        sid: StaffActivity(D(h) if h else None, D(left) if left else None)
        for sid, (h, left) in people.items()
    }


def assign(role: str, staff_id: str, valid_from: str, valid_to: str | None = None) -> Assignment:
    return Assignment(role, staff_id, D(valid_from), D(valid_to) if valid_to else None)


def order(order_id: str, day: str, cents: int, category: str | None = None) -> Order:
    return Order(order_id, D(day), cents, category)


def refund(refund_id: str, of: str, day: str, cents: int) -> Refund:
    return Refund(refund_id, of, D(day), cents)


def history(
    customer_id: str = "C1",
    orders: Sequence[Order] = (),
    refunds: Sequence[Refund] = (),
    assignments: Sequence[Assignment] = (),
    acquired_by: str | None = None,
    referred_by: str | None = None,
) -> CustomerHistory:
    return CustomerHistory(
        customer_id, acquired_by, referred_by, list(orders), list(refunds), list(assignments)
    )


def lookups(
    people: Mapping[str, StaffActivity],
    plans: Sequence[Plan] | None = None,
    referrer_service: Mapping[str, Sequence[Assignment]] | None = None,
) -> Lookups:
    return Lookups(
        people, PlanBook(plans if plans is not None else [plan()]), referrer_service or {}
    )


def run(h: CustomerHistory, lk: Lookups) -> CustomerResult:
    return compute_customer(h, lk)


def summary(lines: Sequence[Line]) -> list[tuple[str, str, str, str, str, str, int]]:
    """(period, order, staff, role, scenario, kind, cents) per line, in output order."""
    return [
        (ln.period, ln.order_id, ln.staff_id, ln.role, ln.scenario, ln.kind, ln.amount_cents)
        for ln in lines
    ]


# The spec's worked-example cast: S1 (left 2026-03-01) and S2 sales, V1 and V2 service.
WORKED_STAFF = staff(
    S1=("2024-01-01", "2026-03-01"),
    S2=("2024-06-01", None),
    V1=(None, None),
    V2=(None, None),
)
C1_ASSIGNMENTS = [
    assign("sales", "S1", "2025-01-10", "2026-03-01"),
    assign("service", "V1", "2025-01-10", "2026-03-01"),
    assign("sales", "S2", "2026-03-01"),
    assign("service", "V2", "2026-03-01"),
]
WORKED_LOOKUPS = lookups(
    WORKED_STAFF,
    referrer_service={"C1": [a for a in C1_ASSIGNMENTS if a.role == "service"]},
)
