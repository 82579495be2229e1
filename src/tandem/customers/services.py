"""Writes of the customers domain: the ownership ledger.

Assignment rows are appended and closed, never overwritten; rows of one
customer and role never overlap (``find_overlaps`` is the one check, used here
and by the importer). Every write marks the affected customers dirty for the
next commission run, inside the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from tandem.core.changes import ownership_changed
from tandem.core.errors import InvalidInput

from .models import Assignment, Customer, OwnerRole, Reason


class SpanLike(Protocol):
    customer_id: Any
    role: Any
    valid_from: dt.date
    valid_to: dt.date | None


S = TypeVar("S", bound=SpanLike)


def find_overlaps(rows: Iterable[S]) -> list[tuple[S, S]]:
    """Pairs of rows of one customer and role whose periods overlap.

    A row covers ``valid_from <= d < valid_to`` (open when ``valid_to`` is
    None). Rows may be model instances or any objects with ``customer_id``,
    ``role``, ``valid_from`` and ``valid_to``. Each overlapping row is reported
    once, as ``(earlier, later)``: ``later`` starts inside ``earlier``."""
    groups: dict[tuple[Any, Any], list[S]] = defaultdict(list)
    for row in rows:
        groups[(row.customer_id, row.role)].append(row)
    pairs: list[tuple[S, S]] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda r: (r.valid_from, r.valid_to is None, r.valid_to or r.valid_from))
        holder = group[0]
        for row in group[1:]:
            if holder.valid_to is None or row.valid_from < holder.valid_to:
                pairs.append((holder, row))
            if holder.valid_to is not None and (row.valid_to is None or row.valid_to > holder.valid_to):
                holder = row
    return pairs


def span_text(valid_from: dt.date, valid_to: dt.date | None) -> str:
    """A period as ``[from, to)``; an open one as ``[from, …)``."""
    return f"[{valid_from.isoformat()}, {valid_to.isoformat() if valid_to else '…'})"


def _overlap_error(new: Assignment, other: Assignment) -> InvalidInput:
    return InvalidInput(
        _("客户「%(customer)s」的%(role)s归属 %(new)s 与已有的归属（%(staff)s，%(old)s）重叠")
        % {
            "customer": new.customer_id,
            "role": OwnerRole(new.role).label,
            "new": span_text(new.valid_from, new.valid_to),
            "staff": other.staff_id,
            "old": span_text(other.valid_from, other.valid_to),
        }
    )


def _check_role(role: str) -> None:
    if role not in OwnerRole.values:
        raise InvalidInput(
            _("未知的角色「%(value)s」（允许：%(allowed)s）")
            % {"value": role, "allowed": ", ".join(OwnerRole.values)}
        )


def _first_overlap(rows: Sequence[Assignment], new: Assignment) -> Assignment | None:
    for earlier, later in find_overlaps([*rows, new]):
        if later is new:
            return earlier
        if earlier is new:
            return later
    return None


def assignment_open(
    *,
    customer: Customer,
    role: str,
    staff: Any,
    valid_from: dt.date,
    reason: str,
    note: str = "",
) -> Assignment:
    """Give ``staff`` the ``role`` on ``customer`` from ``valid_from`` on.

    The role's open row, if it started before ``valid_from``, is closed on
    ``valid_from``; the new row is appended, open-ended. Refuses a row that
    would overlap another (e.g. one starting after ``valid_from``)."""
    _check_role(role)
    if reason not in Reason.values:
        raise InvalidInput(
            _("未知的归属原因「%(value)s」（允许：%(allowed)s）")
            % {"value": reason, "allowed": ", ".join(Reason.values)}
        )
    with transaction.atomic():
        rows = list(
            Assignment.objects.select_for_update()
            .filter(customer_id=customer.pk, role=role)
            .order_by("valid_from")
        )
        new = Assignment(
            customer_id=customer.pk,
            role=role,
            staff_id=staff.pk,
            valid_from=valid_from,
            valid_to=None,
            reason=reason,
            note=note,
        )
        for row in rows:
            if row.valid_from == valid_from:
                raise InvalidInput(
                    _("客户「%(customer)s」已有 %(date)s 开始的%(role)s归属（%(staff)s）")
                    % {
                        "customer": customer.pk,
                        "date": valid_from.isoformat(),
                        "role": OwnerRole(role).label,
                        "staff": row.staff_id,
                    }
                )
        to_close = next(
            (r for r in rows if r.valid_to is None and r.valid_from < valid_from), None
        )
        others = [r for r in rows if r is not to_close]
        if to_close is not None:
            closed = Assignment(
                customer_id=to_close.customer_id,
                role=role,
                staff_id=to_close.staff_id,
                valid_from=to_close.valid_from,
                valid_to=valid_from,
            )
            others.append(closed)
        conflict = _first_overlap(others, new)
        if conflict is not None:
            raise _overlap_error(new, conflict)
        if to_close is not None:
            to_close.valid_to = valid_from
            to_close.save(update_fields=["valid_to"])
        new.save()
        ownership_changed([(customer.pk, role, valid_from)])
    return new


def assignment_close(*, assignment: Assignment, valid_to: dt.date) -> Assignment:
    """End an assignment row on ``valid_to`` (exclusive: the holder's last
    day is the day before)."""
    if valid_to <= assignment.valid_from:
        raise InvalidInput(
            _("截止日期 %(to)s 必须晚于起始日期 %(from)s")
            % {"to": valid_to.isoformat(), "from": assignment.valid_from.isoformat()}
        )
    with transaction.atomic():
        row = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if row.valid_to == valid_to:
            return row
        others = list(
            Assignment.objects.select_for_update()
            .filter(customer_id=row.customer_id, role=row.role)
            .exclude(pk=row.pk)
        )
        before = row.valid_to
        row.valid_to = valid_to
        conflict = _first_overlap(others, row)
        if conflict is not None:
            raise _overlap_error(row, conflict)
        row.save(update_fields=["valid_to"])
        # Ownership differs from the earlier of the old and new end on.
        ownership_changed([(row.customer_id, row.role, valid_to if before is None else min(before, valid_to))])
    assignment.valid_to = valid_to
    return row
