"""Statements: a person's commission for a month, issued once the month is
locked and marked paid when payroll has paid it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.errors import TandemError

from .models import CommissionLine, PeriodLock, Statement
from .periods import parse_period


def statements_issue(*, period: str) -> list[Statement]:
    """One statement per person with lines in a locked month (figures frozen
    with the lock); re-issuing refreshes only unpaid statements' totals."""
    parse_period(period)
    if not PeriodLock.objects.filter(period=period).exists():
        raise TandemError(_("%(period)s 尚未锁账，锁账后才能出具结算单。") % {"period": period})
    totals = (
        CommissionLine.objects.filter(period=period)
        .exclude(staff_id="")
        .values("staff_id")
        .annotate(total=Sum("amount_cents"))
        .order_by("staff_id")
    )
    issued = []
    with transaction.atomic():
        for row in totals:
            statement, created = Statement.objects.get_or_create(
                staff_id=row["staff_id"], period=period, defaults={"total_cents": row["total"]}
            )
            if not created and statement.status == Statement.Status.ISSUED and statement.total_cents != row["total"]:
                statement.total_cents = row["total"]
                statement.save(update_fields=["total_cents"])
            issued.append(statement)
    return issued


def statements_mark_paid(*, period: str, staff_id: str | None = None) -> int:
    parse_period(period)
    qs = Statement.objects.filter(period=period, status=Statement.Status.ISSUED)
    if staff_id:
        qs = qs.filter(staff_id=staff_id)
    if not Statement.objects.filter(period=period).exists():
        raise TandemError(_("%(period)s 尚未出具结算单。") % {"period": period})
    return qs.update(status=Statement.Status.PAID, paid_at=timezone.now())
