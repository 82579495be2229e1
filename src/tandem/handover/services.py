"""Writes of departures and handovers (handover spec §1, §3).

`staff_leave` records the leaving day. `handover_confirm` applies a plan in
one transaction: every problem is listed and nothing is written, or each
held row is closed on the leaving day and its receiver's row opened,
through the ledger's own services (`assignment_close`, `assignment_open`),
which record the ownership change facts the next commission run reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tandem.core.changes import staff_changed
from tandem.core.errors import InvalidInput, TandemError
from tandem.core.rules import RuleError, raise_first
from tandem.customers.models import Assignment, EndReason, OwnerRole, Reason
from tandem.customers.services import assignment_close, assignment_open
from tandem.service.services import open_work_hand_over
from tandem.staff.models import Staff
from tandem.staff.rules import check_dates, unknown_staff

from . import rules
from .models import Handover, HandoverLine
from .permissions import may_hand_over
from .selectors import handover_proposal, held_rows

__all__ = ["PlanLine", "handover_confirm", "proposal_source", "staff_leave"]


@dataclass(frozen=True, slots=True)
class PlanLine:
    """A line of a plan as confirmed: its line in the file, the held row
    (customer, role) and the receiver (None: none given)."""

    line: int
    customer_id: str
    role: str
    to_staff_id: str | None


class NotPermitted(TandemError):
    exit_code = 3


def proposal_source() -> str:
    """How problems name the default proposal when no file is given: its
    lines are numbered as in `tandem handover propose`'s CSV (header first)."""
    return _("建议方案")


def _leaver(staff_id: str, *, lock: bool = False) -> Staff:
    query = Staff.objects.select_related("team")
    if lock:
        query = query.select_for_update(of=("self",))
    leaver = query.filter(pk=staff_id).first()
    if leaver is None:
        raise InvalidInput(unknown_staff(staff_id))
    return leaver


def _user(username: str | None):
    if username is None:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise InvalidInput(_("--user：没有名为「%(user)s」的登录账号") % {"user": username})
    return user


def _check_permitted(user, leaver: Staff) -> None:
    if user is not None and not may_hand_over(user, leaver):
        raise NotPermitted(
            _("账号「%(user)s」无权处理员工 %(id)s 的离职交接")
            % {"user": user.get_username(), "id": leaver.staff_id}
        )


def staff_leave(
    *, staff_id: str, left_on: dt.date, username: str | None = None
) -> tuple[Staff, bool]:
    """Record that ``staff_id`` no longer works from ``left_on`` on; returns
    (staff, changed). The rows they hold stay until a handover is confirmed.
    Refused once a handover of the departure is confirmed (its rows were
    closed on that day)."""
    user = _user(username)
    with transaction.atomic():
        staff = _leaver(staff_id, lock=True)
        _check_permitted(user, staff)
        raise_first([check_dates(staff.hired_on, left_on)])
        if staff.left_on == left_on:
            return staff, False
        if (
            staff.left_on is not None
            and Handover.objects.filter(leaver=staff, left_on=staff.left_on).exists()
        ):
            raise InvalidInput(
                _("员工 %(id)s 已于 %(day)s 离职并完成交接，不能更改离职日期")
                % {"id": staff_id, "day": staff.left_on.isoformat()}
            )
        staff.left_on = left_on
        staff.save(update_fields=["left_on"])
        staff_changed([staff_id])
    return staff, True


def handover_confirm(
    *,
    staff_id: str,
    plan: Sequence[PlanLine] | None = None,
    source: str | None = None,
    username: str | None = None,
) -> Handover:
    """Apply ``plan`` (None: the default proposal) to the leaver's held rows
    in one transaction (§3). Raises InvalidInput listing every bad line as
    `source:line: column: reason`, writing nothing."""
    user = _user(username)
    try:
        with transaction.atomic():
            return _confirm(staff_id, plan, source, user)
    except IntegrityError as exc:
        # The other of two simultaneous confirmations committed first.
        raise InvalidInput(_already(staff_id)) from exc


def _already(staff_id: str) -> str:
    return _("员工 %(id)s 的客户已交接，不能再次确认") % {"id": staff_id}


def _confirm(staff_id: str, plan: Sequence[PlanLine] | None, source: str | None, user) -> Handover:
    # The leaver's row is the lock two confirmations queue on; the second
    # then sees the first's record and is refused.
    leaver = _leaver(staff_id, lock=True)
    _check_permitted(user, leaver)
    left_on = leaver.left_on
    if left_on is None:
        raise InvalidInput(
            _("员工 %(id)s 没有离职日期，请先登记离职（tandem staff leave）") % {"id": staff_id}
        )
    if Handover.objects.filter(leaver=leaver, left_on=left_on).exists():
        raise InvalidInput(_already(staff_id))
    held = {(a.customer_id, a.role): a for a in held_rows(staff_id, left_on).select_for_update()}
    if plan is None:
        plan = [
            PlanLine(n, p.customer_id, p.role, p.to_staff_id)
            for n, p in enumerate(handover_proposal(leaver, left_on), start=2)
        ]
    name = source or proposal_source()
    problems = _plan_problems(name, plan, held, left_on, staff_id)
    if problems:
        raise InvalidInput(
            _("离职交接未确认：方案有 %(n)d 处问题，未写入任何内容") % {"n": len(problems)},
            problems,
        )
    record = Handover.objects.create(
        leaver=leaver, left_on=left_on, confirmed_by=user, source=source or ""
    )
    receivers = Staff.objects.in_bulk({p.to_staff_id for p in plan if p.to_staff_id})
    lines = []
    for p in plan:
        row = held[(p.customer_id, p.role)]
        ended, end_reason = row.valid_to, row.end_reason
        try:
            assignment_close(assignment=row, valid_to=left_on, end_reason=EndReason.HANDOVER)
            if p.to_staff_id:
                assignment_open(
                    customer=row.customer,
                    role=p.role,
                    staff=receivers[p.to_staff_id],
                    valid_from=left_on,
                    reason=Reason.HANDOVER,
                    valid_to=ended,
                    end_reason=end_reason,
                )
        except RuleError as exc:
            # A row of another holder begins inside the handed-over span.
            raise InvalidInput(
                _("离职交接未确认：方案有 %(n)d 处问题，未写入任何内容") % {"n": 1},
                [f"{name}:{p.line}: {exc.violation.field}: {exc.violation.reason}"],
            ) from exc
        lines.append(
            HandoverLine(
                handover=record,
                line=p.line,
                customer_id=p.customer_id,
                role=p.role,
                to_staff_id=p.to_staff_id,
            )
        )
    HandoverLine.objects.bulk_create(lines)
    # The leaver's open service work goes with the customers: to the service
    # receiver where the leaver served, else to the sales receiver.
    takers: dict[str, str] = {}
    for p in sorted(plan, key=lambda p: p.role == OwnerRole.SERVICE):
        if p.to_staff_id:
            takers[p.customer_id] = p.to_staff_id
    open_work_hand_over(leaver=leaver, receivers=takers, on=left_on)
    return record


def _plan_problems(
    name: str,
    plan: Sequence[PlanLine],
    held: dict[tuple[str, str], Assignment],
    left_on: dt.date,
    leaver_id: str,
) -> list[str]:
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    receivers = Staff.objects.in_bulk({p.to_staff_id for p in plan if p.to_staff_id})
    roles = dict(OwnerRole.choices)
    day = left_on.isoformat()
    for p in plan:
        where = f"{name}:{p.line}"
        key = (p.customer_id, p.role)
        if p.role not in roles:
            problems.append(
                f"{where}: role: "
                + _("角色「%(role)s」无效，应为 sales 或 service") % {"role": p.role}
            )
            continue
        if key not in held:
            problems.append(
                f"{where}: customer_id: "
                + _("客户 %(customer)s 的%(role)s归属在 %(day)s 不由员工 %(id)s 持有")
                % {"customer": p.customer_id, "role": roles[p.role], "day": day, "id": leaver_id}
            )
        elif key in seen:
            problems.append(
                f"{where}: customer_id: "
                + _("客户 %(customer)s 的%(role)s归属重复（第 %(first)d 行已有）")
                % {"customer": p.customer_id, "role": roles[p.role], "first": seen[key]}
            )
        else:
            seen[key] = p.line
        if not p.to_staff_id:
            if p.role == rules.SERVICE:
                problems.append(f"{where}: to_staff_id: " + _("客服归属必须指定接收人"))
            continue
        receiver = receivers.get(p.to_staff_id)
        if receiver is None:
            problems.append(f"{where}: to_staff_id: " + unknown_staff(p.to_staff_id))
        elif receiver.role != p.role:
            problems.append(
                f"{where}: to_staff_id: "
                + _("员工 %(id)s 不是%(role)s人员") % {"id": p.to_staff_id, "role": roles[p.role]}
            )
        elif not receiver.is_active_on(left_on):
            problems.append(
                f"{where}: to_staff_id: "
                + _("员工 %(id)s 在 %(day)s 不在职") % {"id": p.to_staff_id, "day": day}
            )
    for customer_id, role in sorted(set(held) - set(seen)):
        problems.append(
            f"{name}: customer_id: "
            + _("方案缺少客户 %(customer)s 的%(role)s归属")
            % {"customer": customer_id, "role": roles[role]}
        )
    return problems
