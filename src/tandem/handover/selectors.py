"""Reads of departures and handovers: the rows a leaver holds and the
default proposal (the rules are in `rules`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from tandem.core.money import to_cents
from tandem.customers.models import Assignment
from tandem.sales.models import Order
from tandem.staff.models import Role, Staff

from . import rules


def held_rows(leaver_id: str, left_on: dt.date) -> QuerySet[Assignment]:
    """The leaver's rows, either role, begun before the leaving day and
    still open on it (§1), by customer and role."""
    return (
        Assignment.objects.filter(staff_id=leaver_id, valid_from__lt=left_on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=left_on))
        .order_by("customer_id", "role")
    )


def trailing_revenue(customer_ids: list[str], left_on: dt.date) -> dict[str, int]:
    """Cents per customer: sale orders dated in [left_on − 365, left_on)
    minus refunds dated in that window (§2)."""
    start = left_on - dt.timedelta(days=rules.NEW_DAYS)
    window = Order.objects.filter(order_date__gte=start, order_date__lt=left_on)
    out: dict[str, int] = defaultdict(int)
    for first in range(0, len(customer_ids), 500):
        chunk = customer_ids[first : first + 500]
        sums = (
            window.filter(customer_id__in=chunk)
            .values("customer_id")
            .annotate(
                sold=Sum("amount", filter=Q(refund_of__isnull=True)),
                refunded=Sum("amount", filter=Q(refund_of__isnull=False)),
            )
        )
        for row in sums:
            out[row["customer_id"]] = to_cents(Decimal(row["sold"] or 0)) - to_cents(
                Decimal(row["refunded"] or 0)
            )
    return out


def candidates(left_on: dt.date) -> list[rules.Candidate]:
    """Every salesperson and service person, with the customers each holds
    in their role on the leaving day, by tier."""
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    covering = Assignment.objects.filter(valid_from__lte=left_on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=left_on)
    )
    for row in covering.values("staff_id", "role", "customer__tier").annotate(n=Count("id")):
        counts[(row["staff_id"], row["role"])][row["customer__tier"]] = row["n"]
    people = Staff.objects.filter(role__in=[Role.SALES, Role.SERVICE]).select_related("team")
    return [
        rules.Candidate(
            staff_id=s.staff_id,
            role=s.role,
            team=s.team.name if s.team else None,
            hired_on=s.hired_on,
            left_on=s.left_on,
            standard=counts[(s.staff_id, s.role)].get(rules.STANDARD, 0),
            key=counts[(s.staff_id, s.role)].get(rules.KEY, 0),
        )
        for s in people
    ]


def handover_proposal(
    leaver: Staff, left_on: dt.date, caps: rules.Caps | None = None
) -> list[rules.Line]:
    """The default plan for the leaver's held rows (§2)."""
    held = list(
        held_rows(leaver.staff_id, left_on).values_list("customer_id", "role", "customer__tier")
    )
    revenue = trailing_revenue(sorted({cid for cid, _, _ in held}), left_on)
    return rules.propose(
        leaver_id=leaver.staff_id,
        leaver_team=leaver.team.name if leaver.team is not None else None,
        left_on=left_on,
        held=[rules.Held(cid, role, tier, revenue.get(cid, 0)) for cid, role, tier in held],
        candidates=candidates(left_on),
        caps=caps or rules.Caps(),
    )
