"""What each role's home page shows. Each function returns the template
context of one kind of home (see `access.home_kind`); they read through the
domains' selectors and permissions only."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache

from tandem.commissions import selectors as commission_reads
from tandem.commissions.models import CommissionRun, Statement
from tandem.commissions.permissions import visible_staff_ids
from tandem.core.money import from_cents
from tandem.customers import selectors as customer_reads
from tandem.customers.permissions import visible_customers
from tandem.handover.models import Handover
from tandem.handover.selectors import held_rows
from tandem.staff.models import Staff

HOME_LIST_SIZE = 20
CHART_MONTHS = 12
CHART_CACHE_S = 600


def month(day: dt.date) -> str:
    return day.strftime("%Y-%m")


def previous_months(day: dt.date, n: int) -> list[str]:
    """The n months up to and including day's, oldest first."""
    year, mon = day.year, day.month
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{mon:02d}")
        mon -= 1
        if mon == 0:
            year, mon = year - 1, 12
    return out[::-1]


def _customers_card(user, today: dt.date, customers=None) -> dict:
    customers = visible_customers(user, today=today) if customers is None else customers
    page = customer_reads.customer_page(customers, today=today, sort="id", offset=0, limit=HOME_LIST_SIZE)
    return {"rows": page.rows, "customer_count": customers.count()}


def _my_commission(staff: Staff, today: dt.date) -> dict:
    this_month = month(today)
    last_month = month(today.replace(day=1) - dt.timedelta(days=1))
    return commission_reads.person_months(
        staff_id=staff.pk, periods=[this_month, last_month], limit=HOME_LIST_SIZE
    )


def sales_home(user, staff: Staff, today: dt.date) -> dict:
    return {"commission": _my_commission(staff, today), **_customers_card(user, today)}


def service_home(user, staff: Staff, today: dt.date) -> dict:
    customers = visible_customers(user, today=today)
    inherited = customer_reads.inherited_customers(customers, today=today)
    inherited_page = customer_reads.customer_page(
        inherited, today=today, sort="id", offset=0, limit=HOME_LIST_SIZE
    )
    commission = _my_commission(staff, today)
    return {
        "commission": commission,
        "credited": [{"period": m["period"], "amount": m["credited"]} for m in commission["months"]],
        "inherited_rows": inherited_page.rows,
        "inherited_count": inherited.count(),
        "customer_count": customers.count(),
    }


def _team_figures(staff_ids: set[str] | None, period: str, members: list[Staff]) -> list[dict]:
    totals = commission_reads.month_totals(period=period, staff_ids=staff_ids)
    return [
        {"staff": m, "total": from_cents(totals.get(m.pk, 0))}
        for m in members
    ]


def awaiting_handover(staff_rows, today: dt.date) -> list[dict]:
    """People of `staff_rows` who have left and still hold customers no
    handover was confirmed for (the manager must hand them over)."""
    leavers = list(
        staff_rows.filter(left_on__isnull=False, left_on__lte=today).order_by("left_on", "staff_id")
    )
    if not leavers:
        return []
    done = set(
        Handover.objects.filter(leaver__in=leavers).values_list("leaver_id", "left_on")
    )
    out = []
    for leaver in leavers:
        if (leaver.pk, leaver.left_on) in done:
            continue
        held = held_rows(leaver.pk, leaver.left_on).values("customer_id").distinct().count()
        if held:
            out.append({"staff": leaver, "customers": held})
    return out


def manager_home(user, staff: Staff, today: dt.date) -> dict:
    period = month(today)
    assert staff.team_id is not None  # a team manager's home
    members = list(Staff.objects.filter(team_id=staff.team_id).exclude(pk=staff.pk).order_by("staff_id"))
    customers = visible_customers(user, today=today)
    figures = _team_figures(visible_staff_ids(user), period, members)
    pool = customer_reads.customers_filtered(customers, today=today, without_sales=True)
    return {
        "period": period,
        "handovers": awaiting_handover(Staff.objects.filter(team_id=staff.team_id), today),
        "figures": figures,
        "team_total": sum((f["total"] for f in figures), from_cents(0)),
        "customer_count": customers.count(),
        "pool_count": pool.count(),
        "unassigned": from_cents(
            commission_reads.unassigned_cents(period=period, customer_ids=customers.values("pk"))
        ),
    }


def revenue_chart(today: dt.date) -> dict:
    """Credited revenue of sales and service per month (cached until the
    next commission run or for ten minutes: it reads a year of lines)."""
    periods = previous_months(today, CHART_MONTHS)
    latest_run = CommissionRun.objects.order_by("-pk").values_list("pk", flat=True).first()
    key = f"tandem:revenue-chart:{latest_run}:{periods[-1]}"
    chart = cache.get(key)
    if chart is None:
        by_role = commission_reads.credited_revenue_by_role(periods=periods)
        cost = commission_reads.commission_by_role(periods=periods)
        chart = {
            "months": periods,
            # ECharts draws numbers: yuan as exact decimal strings, parsed there.
            "sales": [str(from_cents(by_role["sales"].get(p, 0))) for p in periods],
            "service": [str(from_cents(by_role["service"].get(p, 0))) for p in periods],
            "sales_cost": [str(from_cents(cost["sales"].get(p, 0))) for p in periods],
            "service_cost": [str(from_cents(cost["service"].get(p, 0))) for p in periods],
        }
        cache.set(key, chart, CHART_CACHE_S)
    return chart


def _rate(cost: str, revenue: str) -> Decimal | None:
    """Commission as a percentage of credited revenue, to 0.01 % (shown only)."""
    if Decimal(revenue) == 0:
        return None
    return (Decimal(cost) * 100 / Decimal(revenue)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def gm_home(user, staff: Staff | None, today: dt.date) -> dict:
    period = month(today)
    customers = visible_customers(user, today=today)
    totals = commission_reads.month_totals(period=period, staff_ids=None)
    teams: dict[str, dict] = {}
    for member in Staff.objects.select_related("team").filter(team__isnull=False).order_by("team__name"):
        assert member.team is not None
        row = teams.setdefault(member.team.name, {"team": member.team.name, "people": 0, "total": 0})
        row["people"] += 1
        row["total"] += totals.get(member.pk, 0)
    chart = revenue_chart(today)
    return {
        "period": period,
        "handovers": awaiting_handover(Staff.objects.all(), today),
        "chart": chart,
        "chart_rows": [
            {
                "month": m,
                "sales": Decimal(sales),
                "service": Decimal(service),
                "sales_cost": Decimal(sales_cost),
                "service_cost": Decimal(service_cost),
                "sales_rate": _rate(sales_cost, sales),
                "service_rate": _rate(service_cost, service),
            }
            for m, sales, service, sales_cost, service_cost in zip(
                chart["months"], chart["sales"], chart["service"], chart["sales_cost"], chart["service_cost"],
                strict=True,
            )
        ],
        "teams": [{**t, "total": from_cents(t["total"])} for t in teams.values()],
        "company_total": from_cents(sum(v for k, v in totals.items() if k)),
        "customer_count": customers.count(),
        "pool_count": customer_reads.customers_filtered(customers, today=today, without_sales=True).count(),
        "unassigned": from_cents(commission_reads.unassigned_cents(period=period)),
    }


def finance_home(user, staff: Staff | None, today: dt.date) -> dict:
    groups = commission_reads.statements_by_status()
    return {
        "to_pay": [g for g in groups if g.status == Statement.Status.ISSUED],
        "paid": [g for g in groups if g.status == Statement.Status.PAID][:6],
        "period": month(today),
        "company_total": from_cents(
            sum(v for k, v in commission_reads.month_totals(period=month(today), staff_ids=None).items() if k)
        ),
    }


BUILDERS = {
    "sales": sales_home,
    "service": service_home,
    "manager": manager_home,
    "gm": gm_home,
    "finance": finance_home,
    "admin": finance_home,
}
