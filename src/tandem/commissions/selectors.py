"""Reads of the commissions domain: the month's lines for export, a person's
statement, and an order's lines with their explanations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum

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


# --------------------------------------------------------------------------- #
# Reads of the pages (home per role, customer page)
# --------------------------------------------------------------------------- #


def _visible(lines, staff_ids: set[str] | None):
    return lines if staff_ids is None else lines.filter(staff_id__in=staff_ids)


def customer_lines(*, customer_id: str, staff_ids: set[str] | None, limit: int) -> list[CommissionLine]:
    """A customer's latest lines of the people whose commission the reader
    may see (`permissions.visible_staff_ids`; None: everyone's)."""
    lines = _visible(CommissionLine.objects.filter(customer_id=customer_id), staff_ids)
    return list(lines.order_by("-line_date", "-order_id", "role", "kind")[:limit])


def month_totals(*, period: str, staff_ids: set[str] | None) -> dict[str, int]:
    """Each person's total for the month in cents (unassigned lines under '')."""
    lines = _visible(CommissionLine.objects.filter(period=period), staff_ids)
    return dict(lines.values("staff_id").annotate(total=Sum("amount_cents")).values_list("staff_id", "total"))


def unassigned_cents(*, period: str, customer_ids=None) -> int:
    """The month's commission that no one holds (the pool's share of orders
    of customers with nobody in a role), of all customers or `customer_ids`."""
    lines = CommissionLine.objects.filter(period=period, role="unassigned")
    if customer_ids is not None:
        lines = lines.filter(customer_id__in=customer_ids)
    return lines.aggregate(total=Sum("amount_cents"))["total"] or 0


def person_months(*, staff_id: str, periods: list[str], limit: int) -> dict:
    """A person's months (the home page's card): per month the commission
    total and the revenue credited to them (the orders on which they hold a
    sale line, less the refunds clawed back from them; each order once), and
    their latest `limit` lines. One read of the months' lines (the month
    index), then the orders and the shown lines by primary key."""
    from tandem.sales.models import Order
    from tandem.sales.selectors import Cents

    rows = list(
        CommissionLine.objects.filter(period__in=periods, staff_id=staff_id).values_list(
            "id", "period", "kind", "order_id", "refund_id", "amount_cents", "line_date"
        )
    )
    totals: dict[str, int] = defaultdict(int)
    credited_keys: set[tuple[str, str, str]] = set()
    for _id, period, kind, order_id, refund_id, cents, _day in rows:
        totals[period] += cents
        if kind == "sale":
            credited_keys.add((period, "sale", order_id))
        elif kind == "clawback" and refund_id:
            credited_keys.add((period, "clawback", refund_id))
    amounts: dict[str, int] = {}
    ids = sorted({key[2] for key in credited_keys})
    for start in range(0, len(ids), 5000):
        amounts.update(
            Order.objects.filter(order_id__in=ids[start : start + 5000])
            .annotate(cents=Cents("amount"))
            .values_list("order_id", "cents")
        )
    credited: dict[str, int] = defaultdict(int)
    for period, kind, order_id in credited_keys:
        cents = amounts.get(order_id, 0)
        credited[period] += cents if kind == "sale" else -cents
    latest = sorted(rows, key=lambda r: (r[6], r[3]), reverse=True)[:limit]
    shown = {line.pk: line for line in CommissionLine.objects.filter(pk__in=[r[0] for r in latest])}
    return {
        "months": [
            {"period": p, "total": from_cents(totals.get(p, 0)), "credited": from_cents(credited.get(p, 0))}
            for p in periods
        ],
        "lines": [shown[r[0]] for r in latest if r[0] in shown],
    }


def credited_revenue_by_role(*, periods: list[str]) -> dict[str, dict[str, int]]:
    """Per month, the revenue of the orders credited to sales and to service
    (an order counts for each role that holds a sale line on it)."""
    from django.db import connection

    from tandem.sales.models import Order

    if not periods:
        return {}
    cents = (
        "CAST(o.amount * 100 AS BIGINT)"
        if connection.vendor == "postgresql"
        else "CAST(ROUND(o.amount * 100) AS INTEGER)"
    )
    marks = ", ".join(["%s"] * len(periods))
    sql = (
        f"SELECT l.period, l.role, SUM({cents}) FROM {CommissionLine._meta.db_table} l "
        f"JOIN {Order._meta.db_table} o ON o.order_id = l.order_id "
        f"WHERE l.kind = 'sale' AND l.role IN ('sales', 'service') AND l.period IN ({marks}) "
        "GROUP BY l.period, l.role"
    )
    out: dict[str, dict[str, int]] = {"sales": {}, "service": {}}
    with connection.cursor() as cursor:
        cursor.execute(sql, periods)
        for period, role, total in cursor.fetchall():
            out[role][period] = int(total or 0)
    return out


def commission_by_role(*, periods: list[str]) -> dict[str, dict[str, int]]:
    """Per month, the commission of sales and of service (every kind of
    line: sales, clawbacks, adjustments), in cents. The referrer's service
    owner counts for service."""
    out: dict[str, dict[str, int]] = {"sales": {}, "service": {}}
    rows = (
        CommissionLine.objects.filter(period__in=periods, role__in=["sales", "service", "referrer_service"])
        .values("period", "role")
        .annotate(total=Sum("amount_cents"))
    )
    for row in rows:
        role = "service" if row["role"] == "referrer_service" else row["role"]
        out[role][row["period"]] = out[role].get(row["period"], 0) + (row["total"] or 0)
    return out


@dataclass
class StatementGroup:
    period: str
    status: str
    count: int
    total_cents: int

    @property
    def total(self):
        return from_cents(self.total_cents)


def statements_by_status() -> list[StatementGroup]:
    """Statements per month and status, newest month first (finance's home)."""
    rows = (
        Statement.objects.values("period", "status")
        .annotate(count=Count("id"), total=Sum("total_cents"))
        .order_by("-period", "status")
    )
    return [StatementGroup(r["period"], r["status"], r["count"], r["total"] or 0) for r in rows]
