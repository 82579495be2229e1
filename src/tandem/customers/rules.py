"""The customers domain's rules, as plain functions of values (no
database): customers (tier, self-referral) and the ownership ledger (roles,
periods, overlaps, the reason of a new row). The services, the bulk writers'
callers (the importer) and the admin use these, with the same words."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.core.rules import Violation, check_choice, check_id, check_text

from .choices import OwnerRole, Reason, Tier

MAX_NAME = 200
MAX_NOTE = 200

# Field names, translated only when a message needs one (a row of a
# large file is checked in microseconds).
_CUSTOMER_ID = gettext_lazy("客户编号")
_NAME = gettext_lazy("名称")
_TIER = gettext_lazy("客户等级")
_ACQUIRED_BY = gettext_lazy("开发人")
_REFERRED_BY = gettext_lazy("转介绍客户")
_ROLE = gettext_lazy("角色")
_REASON = gettext_lazy("原因")
_STAFF_ID = gettext_lazy("员工编号")
_NOTE = gettext_lazy("备注")
_TIERS = tuple(Tier.values)
_ROLES = tuple(OwnerRole.values)
_REASONS = tuple(Reason.values)


# --------------------------------------------------------------------------- #
# Messages
# --------------------------------------------------------------------------- #


def unknown_customer(ident: str) -> str:
    return _("未知的客户「%(id)s」") % {"id": ident}


def unknown_tier(value: str, allowed: list[str]) -> str:
    return _("未知的客户等级「%(value)s」（允许：%(allowed)s）") % {
        "value": value,
        "allowed": ", ".join(allowed),
    }


def unknown_role(value: str, allowed: list[str]) -> str:
    return _("未知的角色「%(value)s」（允许：%(allowed)s）") % {
        "value": value,
        "allowed": ", ".join(allowed),
    }


def unknown_reason(value: str, allowed: list[str]) -> str:
    return _("未知的归属原因「%(value)s」（允许：%(allowed)s）") % {
        "value": value,
        "allowed": ", ".join(allowed),
    }


def self_referral() -> str:
    return _("客户不能转介绍自己")


def valid_to_not_after() -> str:
    return _("截止日期必须晚于起始日期")


def span_text(valid_from: dt.date, valid_to: dt.date | None) -> str:
    """A period as ``[from, to)``; an open one as ``[from, …)``."""
    return f"[{valid_from.isoformat()}, {valid_to.isoformat() if valid_to else '…'})"


def overlap_existing(staff: str, span: str) -> str:
    return _("与已有的归属重叠（%(staff)s，%(span)s）") % {"staff": staff, "span": span}


# --------------------------------------------------------------------------- #
# Customers
# --------------------------------------------------------------------------- #


def customer_violations(
    *,
    customer_id: str,
    name: str,
    tier: str,
    acquired_by: str | None,
    referred_by: str | None,
) -> list[Violation]:
    """Every rule a customer row breaks, in the exchange format's column
    order (``acquired_on`` is a date: present and well-formed is the
    caller's, a typed value or a parsed cell)."""
    checks = (
        check_id("customer_id", _CUSTOMER_ID, customer_id),
        check_text("name", _NAME, name, MAX_NAME),
        check_choice("tier", _TIER, tier, _TIERS, unknown_tier),
        check_id("acquired_by", _ACQUIRED_BY, acquired_by or "", required=False),
        check_id("referred_by", _REFERRED_BY, referred_by or "", required=False),
        check_referral(customer_id, referred_by),
    )
    return [v for v in checks if v is not None]


def check_referral(customer_id: str, referred_by: str | None) -> Violation | None:
    if referred_by and referred_by == customer_id:
        return Violation.of("referred_by", self_referral())
    return None


# --------------------------------------------------------------------------- #
# The ownership ledger
# --------------------------------------------------------------------------- #


def check_period(valid_from: dt.date | None, valid_to: dt.date | None) -> Violation | None:
    """``valid_to`` is exclusive: after ``valid_from``."""
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        return Violation(
            "valid_to",
            valid_to_not_after(),
            _("截止日期 %(to)s 必须晚于起始日期 %(from)s")
            % {"to": valid_to.isoformat(), "from": valid_from.isoformat()},
        )
    return None


def check_role(role: str) -> Violation | None:
    return check_choice("role", _ROLE, role, _ROLES, unknown_role)


def check_reason(reason: str) -> Violation | None:
    return check_choice("reason", _REASON, reason, _REASONS, unknown_reason)


def assignment_violations(
    *,
    customer_id: str,
    role: str,
    staff_id: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    note: str = "",
) -> list[Violation]:
    """Every rule one ledger row breaks on its own, in the exchange format's
    column order (overlaps with other rows: `find_overlaps`)."""
    checks = (
        check_id("customer_id", _CUSTOMER_ID, customer_id),
        check_role(role),
        check_id("staff_id", _STAFF_ID, staff_id),
        check_period(valid_from, valid_to),
        check_text("note", _NOTE, note, MAX_NOTE, required=False),
    )
    return [v for v in checks if v is not None]


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


def overlap_violation(new: SpanLike, other: SpanLike, other_staff_id: str) -> Violation:
    """``new`` overlaps ``other``, a row already in the ledger held by
    ``other_staff_id``."""
    old = span_text(other.valid_from, other.valid_to)
    return Violation(
        "valid_from",
        overlap_existing(other_staff_id, old),
        _("客户「%(customer)s」的%(role)s归属 %(new)s 与已有的归属（%(staff)s，%(old)s）重叠")
        % {
            "customer": new.customer_id,
            "role": OwnerRole(new.role).label,
            "new": span_text(new.valid_from, new.valid_to),
            "staff": other_staff_id,
            "old": old,
        },
    )


def same_start_violation(customer_id: str, role: str, valid_from: dt.date, other_staff_id: str) -> Violation:
    """A second row of one customer and role starting on the same day."""
    return Violation.of(
        "valid_from",
        _("客户「%(customer)s」已有 %(date)s 开始的%(role)s归属（%(staff)s）")
        % {
            "customer": customer_id,
            "date": valid_from.isoformat(),
            "role": OwnerRole(role).label,
            "staff": other_staff_id,
        },
    )


def first_overlap(rows: Iterable[S], new: S) -> S | None:
    """The first row of ``rows`` that ``new`` overlaps, if any."""
    for earlier, later in find_overlaps([*rows, new]):
        if later is new:
            return earlier
        if earlier is new:
            return later
    return None


def assignment_reason(
    *,
    role: str,
    staff_id: str,
    valid_from: dt.date,
    previous_staff_left_on: dt.date | None,
    is_first: bool,
    acquired_by: str | None,
) -> str:
    """The reason of a new ledger row that names none: `developed` for the
    customer's first row of the role (for sales: held by the developer),
    `handover` when the previous holder had left by ``valid_from``,
    otherwise `reassignment`."""
    if is_first:
        if role == OwnerRole.SERVICE or staff_id == acquired_by:
            return Reason.DEVELOPED
        return Reason.REASSIGNMENT
    if previous_staff_left_on is not None and previous_staff_left_on <= valid_from:
        return Reason.HANDOVER
    return Reason.REASSIGNMENT


K = TypeVar("K")


def overlaps_resolve(new: dict[K, S], stored: dict[K, S]) -> list[tuple[S, S]]:
    """Check many new ledger rows at once against each other and the stored
    ones: rows of both are keyed by (customer, role, valid_from), a new row
    replaces the stored row of its key. Rejects overlapping new rows until
    none is left, one per customer and role at a time (the next overlap may
    have been with the rejected row); a rejected row that replaced a stored
    one puts it back. Removes the rejected rows from ``new`` and returns
    them as (rejected, the row it overlaps), in the order found."""
    touched = {(span.customer_id, span.role) for span in new.values()}
    groups: dict[tuple[Any, Any], dict[K, S]] = defaultdict(dict)
    for key, span in stored.items():
        where = (span.customer_id, span.role)
        if where in touched:
            groups[where][key] = span
    for key, span in new.items():
        groups[(span.customer_id, span.role)][key] = span
    keys = {id(span): key for key, span in new.items()}
    rejected: list[tuple[S, S]] = []
    check = set(groups)
    while check:
        spans = [span for g in check for span in groups[g].values()]
        check = set()
        for earlier, later in find_overlaps(spans):
            where = (earlier.customer_id, earlier.role)
            if where in check:
                continue  # this group is looked at again in the next round
            if id(later) in keys:
                bad, other = later, earlier
            elif id(earlier) in keys:
                bad, other = earlier, later
            else:
                continue  # both stored already
            key = keys.pop(id(bad))
            del new[key]
            if key in stored:
                groups[where][key] = stored[key]
            else:
                del groups[where][key]
            rejected.append((bad, other))
            check.add(where)
    return rejected
