"""Locking and unlocking months (spec §6)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from tandem.core.changes import period_reopened
from tandem.core.errors import TandemError

from .models import CommissionLine, PeriodEvent, PeriodLock, Statement

_PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def parse_period(text: str) -> str:
    if not _PERIOD_RE.match(text or ""):
        raise TandemError(_("期间格式应为 YYYY-MM（如 2026-04），收到：%(value)s") % {"value": text})
    return text


def period_lock(*, period: str, user=None, actor: str = "") -> PeriodLock:
    """Lock a month after bringing it to the truth: an incremental run first,
    so the month is locked holding what the data says today."""
    from .runs import run_commissions

    parse_period(period)
    with transaction.atomic():
        if PeriodLock.objects.filter(period=period).exists():
            raise TandemError(_("%(period)s 已锁账。") % {"period": period})
        run_commissions()
        lock = PeriodLock.objects.create(period=period, locked_by=user)
        PeriodEvent.objects.create(period=period, action="lock", by=user, actor=actor)
    return lock


def _may_unlock(user) -> bool:
    if user is None:
        return False
    if user.is_superuser:
        return True
    staff = getattr(user, "staff", None)
    return staff is not None and staff.role in ("manager", "admin")


def period_unlock(*, period: str, user, reason: str) -> None:
    """Reopen a locked month: a manager's audited action, refused once a
    statement of that month is paid, and refused while a later locked month
    holds adjustments for it (reopening it would count them twice)."""
    parse_period(period)
    if not _may_unlock(user):
        raise TandemError(_("只有经理或管理员可以解锁期间。"))
    if not (reason or "").strip():
        raise TandemError(_("解锁期间必须填写原因。"))
    with transaction.atomic():
        lock = PeriodLock.objects.select_for_update().filter(period=period).first()
        if lock is None:
            raise TandemError(_("%(period)s 未锁账。") % {"period": period})
        if Statement.objects.filter(period=period, status=Statement.Status.PAID).exists():
            raise TandemError(_("%(period)s 已有提成结算单发放，不能解锁。") % {"period": period})
        later_locked = list(
            PeriodLock.objects.filter(period__gt=period).values_list("period", flat=True)
        )
        if CommissionLine.objects.filter(adjusts_period=period, period__in=later_locked).exists():
            raise TandemError(
                _("已锁账的后续期间含有对 %(period)s 的调整，请先解锁这些期间。") % {"period": period}
            )
        lock.delete()
        PeriodEvent.objects.create(
            period=period, action="unlock", by=user, actor=user.get_username(), reason=reason.strip()
        )
        # The month is open again: its customers are recomputed by the next run.
        period_reopened(period)
