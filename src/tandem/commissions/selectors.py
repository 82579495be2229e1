"""Reads of the commissions domain: the month's lines for export, a person's
statement, and an order's lines with their explanations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum

from tandem.core.changes import facts_pending
from tandem.core.money import format_cents, from_cents

from .changes import customers_to_recompute
from .models import CommissionLine, PeriodLock, Statement

# The exchange contract's export columns, in this order; extras follow.
EXPORT_COLUMNS = ("period", "order_id", "staff_id", "role", "scenario", "kind", "amount")
EXPORT_EXTRA_COLUMNS = (
    "staff_name",
    "customer_id",
    "line_date",
    "pool",
    "weight",
    "refund_id",
    "adjusts_period",
)
_ROLE_ORDER = {"sales": 0, "service": 1, "referrer_service": 2, "unassigned": 3}
_KIND_ORDER = {"sale": 0, "clawback": 1, "adjustment": 2}


def staff_names() -> dict[str, str]:
    from tandem.staff.models import Staff

    return dict(Staff.objects.values_list("staff_id", "name"))


def export_rows(*, period: str) -> list[list[str]]:
    """The month's lines as export rows, sorted by order_id, role, kind (then
    staff, date and refund for a stable order)."""
    names = staff_names()
    fields = (
        "period",
        "order_id",
        "staff_id",
        "role",
        "scenario",
        "kind",
        "amount_cents",
        "customer_id",
        "line_date",
        "pool_cents",
        "weight",
        "refund_id",
        "adjusts_period",
    )
    rows = list(CommissionLine.objects.filter(period=period).values_list(*fields))
    rows.sort(
        key=lambda r: (r[1], _ROLE_ORDER.get(r[3], 9), _KIND_ORDER.get(r[5], 9), r[2], str(r[8]), r[11])
    )
    return [
        [
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            format_cents(r[6]),
            names.get(r[2], ""),
            r[7],
            str(r[8]),
            format_cents(r[9]) if r[5] != "adjustment" else "",
            r[10],
            r[11],
            r[12],
        ]
        for r in rows
    ]


def pending_customers() -> int:
    """Customers whose inputs changed since the last run."""
    return len(customers_to_recompute(facts_pending()))


def customer_pending(customer_id: str) -> bool:
    """Whether a change recorded since the last run reaches this customer."""
    return customer_id in customers_to_recompute(facts_pending())


def is_locked(period: str) -> bool:
    return PeriodLock.objects.filter(period=period).exists()


@dataclass
class StatementView:
    staff_id: str
    staff_name: str
    role: str
    team: str
    period: str
    locked: bool
    status: str  # '' (not issued), issued, paid
    lines: list[CommissionLine] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)
    by_scenario: dict[str, int] = field(default_factory=dict)
    by_role: dict[str, int] = field(default_factory=dict)
    total_cents: int = 0
    orders: int = 0
    customers: int = 0


def statement_for(*, staff_id: str, period: str) -> StatementView:
    """A person's month: every line, totals by kind, scenario and role, and
    the figures a payslip needs (net payable, orders, customers)."""
    from tandem.staff.models import Staff

    staff = Staff.objects.select_related("team").filter(staff_id=staff_id).first()
    statement = Statement.objects.filter(staff_id=staff_id, period=period).first()
    lines = list(
        CommissionLine.objects.filter(staff_id=staff_id, period=period).order_by(
            "line_date", "order_id", "role", "kind"
        )
    )
    view = StatementView(
        staff_id=staff_id,
        staff_name=staff.name if staff else "",
        role=staff.get_role_display() if staff else "",
        team=staff.team.name if staff and staff.team else "",
        period=period,
        locked=is_locked(period),
        status=statement.status if statement else "",
        lines=lines,
    )
    by_kind: dict[str, int] = defaultdict(int)
    by_scenario: dict[str, int] = defaultdict(int)
    by_role: dict[str, int] = defaultdict(int)
    for line in lines:
        by_kind[line.kind] += line.amount_cents
        by_scenario[line.scenario] += line.amount_cents
        by_role[line.role] += line.amount_cents
    view.by_kind = dict(by_kind)
    view.by_scenario = dict(by_scenario)
    view.by_role = dict(by_role)
    view.total_cents = sum(by_kind.values())
    view.orders = len({line.order_id for line in lines})
    view.customers = len({line.customer_id for line in lines})
    return view


def period_totals(*, period: str) -> dict[str, int]:
    """Total per person for a month (unassigned under '')."""
    return dict(
        CommissionLine.objects.filter(period=period)
        .values("staff_id")
        .annotate(total=Sum("amount_cents"))
        .values_list("staff_id", "total")
    )


def recent_commission(*, staff_id: str, periods: list[str], limit: int = 10) -> dict:
    """A person's totals for the given months and their latest lines (the
    home page's card). Uses the month index, then filters the person."""
    lines = CommissionLine.objects.filter(period__in=periods, staff_id=staff_id)
    totals = dict(lines.values("period").annotate(total=Sum("amount_cents")).values_list("period", "total"))
    latest = list(lines.order_by("-line_date", "-order_id", "role")[:limit])
    return {
        "months": [{"period": p, "total": from_cents(totals.get(p) or 0)} for p in periods],
        "lines": latest,
    }
