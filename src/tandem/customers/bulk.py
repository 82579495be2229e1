"""Writes of many customers and ledger rows at once (the importer's): the
bulk variants of `services.customer_upsert` and of editing the ledger, for
rows already checked by `rules` (the ledger's overlaps with
`rules.overlaps_resolve`, against `assignments_stored`).

Only real changes are written, with their history rows; what changed is
recorded as change facts in the same transaction: the caller's (one of
their own when there is none), without a savepoint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import transaction

from tandem.core.changes import customers_changed, ownership_changed
from tandem.core.history import insert_with_history, update_with_history
from tandem.staff.models import Staff

from .models import Assignment, Customer
from .rules import assignment_reason

# Rows per `IN (...)` list: well under every database's limit of parameters.
CHUNK = 500


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


# --------------------------------------------------------------------------- #
# Customers
# --------------------------------------------------------------------------- #


class CustomerRow(NamedTuple):
    name: str
    tier: str
    acquired_on: dt.date
    acquired_by: str | None
    referred_by: str | None


_CUSTOMER_FIELDS = ("name", "tier", "acquired_on", "acquired_by_id", "referred_by_id")


def customer_ids() -> set[str]:
    """The ids of every customer (for references to them)."""
    return set(Customer.objects.values_list("customer_id", flat=True))


def customers_write_bulk(rows: Mapping[str, CustomerRow], *, change_reason: str = "") -> tuple[int, int]:
    """Create or update customers by id (their references exist: staff,
    and customers stored or among ``rows``). A new customer, or a changed
    developer or referrer, is recorded as a change fact. Returns (created,
    updated)."""
    with transaction.atomic(savepoint=False):
        stored = {
            customer_id: CustomerRow(*values)
            for customer_id, *values in Customer.objects.values_list("customer_id", *_CUSTOMER_FIELDS)
        }
        creates: list[dict[str, Any]] = []
        changed: dict[str, CustomerRow] = {}
        facts: set[str] = set()
        for customer_id, row in rows.items():
            old = stored.get(customer_id)
            if old is None:
                creates.append({"customer_id": customer_id, **dict(zip(_CUSTOMER_FIELDS, row, strict=True))})
                facts.add(customer_id)
            elif old != row:
                changed[customer_id] = row
                # Commission depends on who developed and who referred, not on the rest.
                if (old.acquired_by, old.referred_by) != (row.acquired_by, row.referred_by):
                    facts.add(customer_id)
        # New customers first: a changed one may now be referred by one of them.
        insert_with_history(Customer, creates, change_reason=change_reason)
        updates: list[Customer] = []
        for chunk in _chunks(list(changed)):
            for customer in Customer.objects.filter(pk__in=chunk):
                for name, value in zip(_CUSTOMER_FIELDS, changed[customer.pk], strict=True):
                    setattr(customer, name, value)
                updates.append(customer)
        update_with_history(
            updates, Customer, ["name", "tier", "acquired_on", "acquired_by", "referred_by"], change_reason=change_reason
        )
        customers_changed(facts)
    return len(creates), len(updates)


# --------------------------------------------------------------------------- #
# The ownership ledger
# --------------------------------------------------------------------------- #


@dataclass(slots=True, eq=False)
class LedgerRow:
    """One ledger row to write, or one stored (``pk`` set). ``tag`` is the
    caller's (the importer keeps the row's line there)."""

    customer_id: str
    role: str
    valid_from: dt.date
    valid_to: dt.date | None
    staff_id: str
    pk: int | None = None
    tag: Any = None


LedgerKey = tuple[str, str, dt.date]  # customer, role, valid_from


def assignments_stored(customer_ids: Iterable[str]) -> dict[LedgerKey, LedgerRow]:
    """The stored ledger rows of these customers, by key."""
    rows: dict[LedgerKey, LedgerRow] = {}
    for chunk in _chunks(sorted(set(customer_ids))):
        for pk, c, r, s, f, t in Assignment.objects.filter(customer_id__in=chunk).values_list(
            "pk", "customer_id", "role", "staff_id", "valid_from", "valid_to"
        ):
            rows[(c, r, f)] = LedgerRow(c, r, f, t, s, pk)
    return rows


def assignments_write_bulk(
    rows: Mapping[LedgerKey, LedgerRow],
    stored: Mapping[LedgerKey, LedgerRow],
    *,
    change_reason: str = "",
) -> tuple[int, int]:
    """Write ledger rows by key: a new key adds a row, whose reason follows
    `rules.assignment_reason`; a stored key gets its holder and end. The
    rows overlap neither each other nor the stored rows they leave
    (`rules.overlaps_resolve`), and ``stored`` holds every stored row of
    their customers (`assignments_stored`). Records from which day each
    customer's ownership of each role changed. Returns (created, updated)."""
    with transaction.atomic(savepoint=False):
        touched = {(row.customer_id, row.role) for row in rows.values()}
        customers = sorted({c for c, _r in touched})
        acquired_by: dict[str, str | None] = {}
        for chunk in _chunks(customers):
            acquired_by.update(
                Customer.objects.filter(customer_id__in=chunk).values_list("customer_id", "acquired_by_id")
            )
        left_on = dict(Staff.objects.values_list("staff_id", "left_on"))
        # The ledger as it will be, by customer and role; in key order, so
        # that new rows reach the table's indexes in their order.
        groups: dict[tuple[str, str], dict[dt.date, LedgerRow]] = {g: {} for g in sorted(touched)}
        for (c, r, f), row in stored.items():
            if (c, r) in groups:
                groups[(c, r)][f] = row
        for (c, r, f), row in rows.items():
            groups[(c, r)][f] = row
        creates: list[dict[str, Any]] = []
        shrinks: dict[int, LedgerRow] = {}
        extends: dict[int, LedgerRow] = {}
        # (customer, role) -> the first day its ownership differs
        changes: dict[tuple[str, str], dt.date] = {}

        def changed(key: tuple[str, str], day: dt.date) -> None:
            known = changes.get(key)
            if known is None or day < known:
                changes[key] = day

        for group_key, group in groups.items():
            previous: LedgerRow | None = None
            for valid_from in sorted(group):
                row = group[valid_from]
                if row.pk is None:
                    old = stored.get((row.customer_id, row.role, valid_from))
                    if old is None:
                        reason = assignment_reason(
                            role=row.role,
                            staff_id=row.staff_id,
                            valid_from=valid_from,
                            previous_staff_left_on=None if previous is None else left_on.get(previous.staff_id),
                            is_first=previous is None,
                            acquired_by=acquired_by.get(row.customer_id),
                        )
                        creates.append(
                            {
                                "customer_id": row.customer_id,
                                "role": row.role,
                                "staff_id": row.staff_id,
                                "valid_from": valid_from,
                                "valid_to": row.valid_to,
                                "reason": reason,
                                "note": "",
                            }
                        )
                        changed(group_key, valid_from)
                    elif (old.staff_id, old.valid_to) != (row.staff_id, row.valid_to):
                        assert old.pk is not None
                        shrinking = row.valid_to is not None and (old.valid_to is None or row.valid_to < old.valid_to)
                        (shrinks if shrinking else extends)[old.pk] = row
                        if old.staff_id != row.staff_id:
                            changed(group_key, valid_from)
                        else:
                            changed(group_key, min(d for d in (old.valid_to, row.valid_to) if d is not None))
                previous = row
        # Shrink first, then extend, then add: the ledger never overlaps on
        # the way (PostgreSQL checks it row by row).
        for batch in (shrinks, extends):
            if not batch:
                continue
            objects = Assignment.objects.in_bulk(list(batch))
            for pk, row in batch.items():
                objects[pk].staff_id = row.staff_id
                objects[pk].valid_to = row.valid_to
            update_with_history(list(objects.values()), Assignment, ["staff", "valid_to"], change_reason=change_reason)
        insert_with_history(Assignment, creates, change_reason=change_reason)
        if changes:
            ownership_changed((cid, role, day) for (cid, role), day in changes.items())
    return len(creates), len(shrinks) + len(extends)
