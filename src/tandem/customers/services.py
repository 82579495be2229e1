"""Writes of the customers domain, one at a time: customers and the
ownership ledger (the bulk variants, for the importer, are in `bulk`).

Assignment rows are appended and closed, never overwritten; rows of one
customer and role never overlap (``rules.find_overlaps`` is the one check,
used here and by the importer). Every write records what it changed
(`tandem.core.changes`) inside its transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tandem.core.changes import customers_changed, ownership_changed
from tandem.core.rules import RuleError, Violation, raise_first
from tandem.staff.models import Staff
from tandem.staff.rules import unknown_staff

from .models import Assignment, Customer, EndReason
from .rules import (
    assignment_violations,
    check_period,
    check_reason,
    check_role,
    customer_violations,
    find_overlaps,
    first_overlap,
    overlap_violation,
    same_start_violation,
    span_text,
    unknown_customer,
)

__all__ = [
    "assignment_close",
    "assignment_delete",
    "assignment_open",
    "assignment_record",
    "customer_delete",
    "customer_upsert",
    "find_overlaps",
    "span_text",
]


def _key(value: Any) -> str | None:
    """A referenced record's id: the instance's key, the id itself, or None."""
    if value is None or value == "":
        return None
    return str(value.pk) if hasattr(value, "pk") else str(value)


def customer_upsert(
    *,
    customer_id: str,
    name: str,
    tier: str,
    acquired_on: dt.date,
    acquired_by: Staff | str | None = None,
    referred_by: Customer | str | None = None,
) -> tuple[Customer, bool]:
    """Create or update a customer by id; returns (customer, changed).
    A new customer, or a change of its developer or referrer, is recorded
    as a change fact. Raises RuleError for a row the rules refuse or a
    reference to nobody."""
    staff_id, referrer_id = _key(acquired_by), _key(referred_by)
    raise_first(
        customer_violations(
            customer_id=customer_id, name=name, tier=tier, acquired_by=staff_id, referred_by=referrer_id
        )
    )
    if staff_id is not None and not Staff.objects.filter(pk=staff_id).exists():
        raise RuleError(Violation.of("acquired_by", unknown_staff(staff_id)))
    if referrer_id is not None and not Customer.objects.filter(pk=referrer_id).exists():
        raise RuleError(Violation.of("referred_by", unknown_customer(referrer_id)))
    content = (name, tier, acquired_on, staff_id, referrer_id)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
        if customer is None:
            customer = Customer.objects.create(
                customer_id=customer_id,
                name=name,
                tier=tier,
                acquired_on=acquired_on,
                acquired_by_id=staff_id,
                referred_by_id=referrer_id,
            )
            customers_changed([customer_id])
            return customer, True
        old = (customer.name, customer.tier, customer.acquired_on, customer.acquired_by_id, customer.referred_by_id)
        if old == content:
            return customer, False
        customer.name, customer.tier, customer.acquired_on = name, tier, acquired_on
        customer.acquired_by_id, customer.referred_by_id = staff_id, referrer_id
        customer.save(update_fields=["name", "tier", "acquired_on", "acquired_by", "referred_by"])
        # Commission depends on who developed and who referred, not on the rest.
        if old[3:] != content[3:]:
            customers_changed([customer_id])
    return customer, True


def assignment_open(
    *,
    customer: Customer,
    role: str,
    staff: Any,
    valid_from: dt.date,
    reason: str,
    note: str = "",
    valid_to: dt.date | None = None,
    end_reason: str = "",
) -> Assignment:
    """Give ``staff`` the ``role`` on ``customer`` from ``valid_from`` on.

    The role's open row, if it started before ``valid_from``, is closed on
    ``valid_from``; the new row is appended, open-ended unless ``valid_to``
    (with ``end_reason``) is given. Refuses a row that would overlap another
    (e.g. one starting after ``valid_from``, when the new row is open)."""
    raise_first([check_role(role), check_reason(reason)])
    if valid_to is not None:
        raise_first([check_period(valid_from, valid_to)])
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
            valid_to=valid_to,
            reason=reason,
            end_reason=end_reason if valid_to is not None else "",
            note=note,
        )
        for row in rows:
            if row.valid_from == valid_from:
                raise RuleError(same_start_violation(customer.pk, role, valid_from, row.staff_id))
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
        conflict = first_overlap(others, new)
        if conflict is not None:
            raise RuleError(overlap_violation(new, conflict, conflict.staff_id))
        if to_close is not None:
            to_close.valid_to = valid_from
            to_close.end_reason = reason if reason in EndReason.values else EndReason.REASSIGNMENT
            to_close.save(update_fields=["valid_to", "end_reason"])
        new.save()
        ownership_changed([(customer.pk, role, valid_from)])
    return new


def assignment_close(*, assignment: Assignment, valid_to: dt.date, end_reason: str = "") -> Assignment:
    """End an assignment row on ``valid_to`` (exclusive: the holder's last
    day is the day before), saying why (``EndReason``, or empty)."""
    raise_first([check_period(assignment.valid_from, valid_to)])
    with transaction.atomic():
        row = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if row.valid_to == valid_to and row.end_reason == end_reason:
            return row
        others = list(
            Assignment.objects.select_for_update()
            .filter(customer_id=row.customer_id, role=row.role)
            .exclude(pk=row.pk)
        )
        before = row.valid_to
        row.valid_to = valid_to
        conflict = first_overlap(others, row)
        if conflict is not None:
            raise RuleError(overlap_violation(row, conflict, conflict.staff_id))
        row.end_reason = end_reason
        row.save(update_fields=["valid_to", "end_reason"])
        # Ownership differs from the earlier of the old and new end on.
        ownership_changed([(row.customer_id, row.role, valid_to if before is None else min(before, valid_to))])
    assignment.valid_to, assignment.end_reason = valid_to, end_reason
    return row


def assignment_record(
    *,
    assignment: Assignment | None = None,
    customer: Customer | str,
    role: str,
    staff: Staff | str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    reason: str,
    note: str = "",
) -> Assignment:
    """Add a ledger row (``assignment`` None) or change one, as a form edits
    it: every field at once. Refuses a row that breaks the rules or overlaps
    another row of the customer and role. Records the ownership of the old
    and the new customer and role as changed from the earlier start."""
    customer_id, staff_id = _key(customer) or "", _key(staff) or ""
    raise_first(
        [
            *assignment_violations(
                customer_id=customer_id,
                role=role,
                staff_id=staff_id,
                valid_from=valid_from,
                valid_to=valid_to,
                note=note,
            ),
            check_reason(reason),
        ]
    )
    if not Customer.objects.filter(pk=customer_id).exists():
        raise RuleError(Violation.of("customer_id", unknown_customer(customer_id)))
    if not Staff.objects.filter(pk=staff_id).exists():
        raise RuleError(Violation.of("staff_id", unknown_staff(staff_id)))
    with transaction.atomic():
        if assignment is None:
            row = Assignment()
            facts = [(customer_id, role, valid_from)]
        else:
            row = Assignment.objects.select_for_update().get(pk=assignment.pk)
            first = min(valid_from, row.valid_from)
            facts = [(customer_id, role, first), (row.customer_id, row.role, first)]
        others = list(
            Assignment.objects.select_for_update().filter(customer_id=customer_id, role=role).exclude(pk=row.pk)
        )
        for other in others:
            if other.valid_from == valid_from:
                raise RuleError(same_start_violation(customer_id, role, valid_from, other.staff_id))
        row.customer_id, row.role, row.staff_id = customer_id, role, staff_id
        row.valid_from, row.valid_to, row.reason, row.note = valid_from, valid_to, reason, note
        conflict = first_overlap(others, row)
        if conflict is not None:
            raise RuleError(overlap_violation(row, conflict, conflict.staff_id))
        row.save()
        ownership_changed(facts)
    return row


def assignment_delete(*, assignment: Assignment) -> None:
    """Remove a ledger row; its customer's ownership of the role changes
    from the row's start."""
    with transaction.atomic():
        customer_id, role, valid_from = assignment.customer_id, assignment.role, assignment.valid_from
        assignment.delete()
        ownership_changed([(customer_id, role, valid_from)])


def customer_delete(*, customer: Customer) -> None:
    """Remove a customer (the database refuses while orders or ledger rows
    refer to it: ProtectedError)."""
    with transaction.atomic():
        customer_id = customer.pk
        customer.delete()
        customers_changed([customer_id])
