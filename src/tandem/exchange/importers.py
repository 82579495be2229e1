"""Importing exchange files (spec/exchange-format.md).

``import_files`` reads every file's header first, sorts the files by their
dependencies (staff → customers → assignments → orders) and imports them in
one transaction. Each importer validates all its rows and collects every
problem as ``file:line: column: reason``; by default any problem rolls the
whole command back (InvalidInput lists them all). With ``skip_invalid`` the
valid rows are imported, rows depending on a rejected row are rejected too,
and the rejected rows are written beside their input with a ``reason``
column.

Rows are upserted by id and only real changes are written, so importing the
same files twice writes nothing. Staff, customers and assignments keep
history: changed rows go through django-simple-history's
``bulk_update_with_history``; new rows are written with their creation
history rows by ``bulk.insert_with_history`` (the same rows as
``bulk_create_with_history``, several times faster). Orders, which can be
millions, are validated with plain sets and dicts and written with raw
``executemany`` (``COPY`` on PostgreSQL); a large load rebuilds the table's
indexes once instead of updating them row by row.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Protocol, cast

from django.db import connection, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from tandem.core.changes import customers_changed, orders_changed, ownership_changed, staff_changed
from tandem.core.db import REFRESH_FROM, refresh_statistics
from tandem.core.errors import InvalidInput
from tandem.core.money import format_cents
from tandem.customers.models import Assignment, Customer, OwnerRole, Reason, Tier
from tandem.customers.services import find_overlaps, span_text
from tandem.sales.models import Order
from tandem.staff.models import Role, Staff

from . import messages as m
from .bulk import insert_with_history
from .readers import (
    ASSIGNMENTS,
    CUSTOMERS,
    DEPENDENCY_ORDER,
    ORDERS,
    STAFF,
    FileProblem,
    Source,
    kind_label,
    open_source,
    write_rejects,
)

log = logging.getLogger(__name__)

MAX_ID = 64
BATCH = 10_000
ORM_BATCH = 500
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_AMOUNT_MATCH = re.compile(r"\d{1,12}(?:\.\d{1,2})?").fullmatch


class Progress(Protocol):
    """What the importer tells a progress bar (the CLI draws one on a TTY)."""

    def start(self, description: str, total: int) -> None: ...

    def update(self, completed: int) -> None: ...

    def finish(self) -> None: ...


PROGRESS_MIN_BYTES = 4_000_000


@dataclass
class FileResult:
    """What importing one file did."""

    path: str
    kind: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects_path: str | None = None

    def summary(self) -> str:
        return _(
            "%(file)s：%(kind)s，读取 %(read)d 行，新增 %(created)d，更新 %(updated)d，"
            "未变 %(unchanged)d，拒绝 %(rejected)d"
        ) % {
            "file": self.path,
            "kind": kind_label(self.kind),
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


class Problems:
    """The problems of one file, by line."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.by_line: dict[int, list[tuple[str, str]]] = {}

    def add(self, line: int, column: str, reason: str) -> None:
        self.by_line.setdefault(line, []).append((column, reason))

    def __bool__(self) -> bool:
        return bool(self.by_line)

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_line.values())

    def lines(self) -> list[str]:
        return [
            m.problem(self.path, line, column, reason)
            for line in sorted(self.by_line)
            for column, reason in self.by_line[line]
        ]

    def reasons(self) -> dict[int, list[str]]:
        return {
            line: [f"{column}: {reason}" for column, reason in items]
            for line, items in self.by_line.items()
        }


@dataclass
class Context:
    """State shared by the importers of one command."""

    skip_invalid: bool = False
    progress: Progress | None = None
    # Ids whose rows were rejected by an earlier file of this command and that
    # are not in the database: kind -> id -> "file:line".
    rejected: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    problem_count: int = 0

    def reference_problem(self, kind: str, ident: str) -> str:
        """Why a reference to ``ident`` of ``kind`` cannot be resolved."""
        where = self.rejected[kind].get(ident)
        if kind == STAFF:
            return m.rejected_staff(ident, where) if where else m.unknown_staff(ident)
        return m.rejected_customer(ident, where) if where else m.unknown_customer(ident)


# --------------------------------------------------------------------------- #
# Field checks shared by the importers
# --------------------------------------------------------------------------- #

_date_cache: dict[str, dt.date | None] = {}


def parse_date(text: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` date, or None when malformed."""
    try:
        return _date_cache[text]
    except KeyError:
        pass
    value: dt.date | None = None
    if _DATE_RE.fullmatch(text):
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            value = None
    if len(_date_cache) < 100_000:
        _date_cache[text] = value
    return value


def parse_amount(text: str) -> int | None:
    """An amount as cents, or None when malformed (sign checked by caller)."""
    if not _AMOUNT_MATCH(text):
        return None
    whole, _sep, frac = text.partition(".")
    if not frac:
        return int(whole) * 100
    return int(whole) * 100 + int(frac) * (10 if len(frac) == 1 else 1)


class RowErrors:
    """Collects the problems of one row."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, column: str, reason: str) -> None:
        self.items.append((column, reason))

    def ident(self, column: str, value: str, *, required: bool = True) -> None:
        if not value:
            if required:
                self.add(column, m.empty())
        elif len(value) > MAX_ID:
            self.add(column, m.too_long(MAX_ID))

    def text(self, column: str, value: str, limit: int, *, required: bool = True) -> None:
        if not value:
            if required:
                self.add(column, m.empty())
        elif len(value) > limit:
            self.add(column, m.too_long(limit))

    def date(self, column: str, value: str, *, required: bool = True) -> dt.date | None:
        if not value:
            if required:
                self.add(column, m.empty())
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.add(column, m.bad_date(value))
        return parsed

    def choice(self, column: str, value: str, allowed: list[str], message: Callable) -> None:
        if not value:
            self.add(column, m.empty())
        elif value not in allowed:
            self.add(column, message(value, allowed))

    def extra(self, count: int) -> None:
        if count:
            self.add("*", m.extra_cells(count))


class Deduper:
    """Rows by id: identical repeats are fine, different ones are a problem."""

    def __init__(self) -> None:
        self.first: dict[Any, tuple[Any, int]] = {}
        self.conflicts: dict[Any, list[int]] = {}
        # key -> [line of the first row, lines of identical repeats]
        self.repeats: dict[Any, list[int]] = {}

    def add(self, key: Any, content: Any, line: int) -> None:
        prev = self.first.get(key)
        if prev is None:
            self.first[key] = (content, line)
        elif prev[0] == content:
            self.repeats.setdefault(key, [prev[1]]).append(line)
        else:
            self.conflicts.setdefault(key, [prev[1]]).append(line)

    def resolve(self, problems: Problems, column: str, message: Callable[[Any, list[int]], str]) -> dict[Any, int]:
        """Reject every row of a conflicting id; returns id -> first line."""
        rejected = {}
        for key, lines in self.conflicts.items():
            reason = message(key, lines)
            for line in lines:
                problems.add(line, column, reason)
            del self.first[key]
            rejected[key] = lines[0]
        return rejected


def reject_repeats(repeats: dict[Any, list[int]], accepted: Any, problems: Problems) -> None:
    """Identical repeats of a rejected row are rejected for the same reasons."""
    for key, lines in repeats.items():
        if key in accepted:
            continue
        reasons = problems.by_line.get(lines[0], [])
        for line in lines[1:]:
            if line not in problems.by_line:
                problems.by_line[line] = list(reasons)


def _change_reason(path: str) -> str:
    return f"import {Path(path).name}"[:100]


def _rows_with_progress(source: Source, ctx: Context) -> Iterator[tuple[int, tuple[str, ...], int]]:
    """The source's rows, drawing progress for a large file."""
    progress = ctx.progress
    if progress is None or source.size < PROGRESS_MIN_BYTES or source.is_xlsx:
        return source.rows()
    return _with_progress(source, progress)


def _with_progress(source: Source, progress: Progress) -> Iterator[tuple[int, tuple[str, ...], int]]:
    progress.start(_("读取 %(file)s") % {"file": source.path}, source.size)
    count = 0
    for row in source.rows():
        yield row
        count += 1
        if count % 20_000 == 0:
            progress.update(source.progress_position())
    progress.update(source.size)
    progress.finish()


# --------------------------------------------------------------------------- #
# Staff
# --------------------------------------------------------------------------- #


def import_staff(source: Source, ctx: Context, result: FileResult, problems: Problems) -> None:
    roles = list(Role.values)
    rows = Deduper()
    rejected_ids: dict[str, int] = {}
    for line, values, extra in _rows_with_progress(source, ctx):
        result.read += 1
        staff_id, name, role, hired, left = values
        errors = RowErrors()
        errors.extra(extra)
        errors.ident("staff_id", staff_id)
        errors.text("name", name, 100)
        errors.choice("role", role, roles, m.unknown_role)
        hired_on = errors.date("hired_on", hired, required=False)
        left_on = errors.date("left_on", left, required=False)
        if hired_on and left_on and left_on <= hired_on:
            errors.add("left_on", m.left_not_after_hired())
        if errors.items:
            for column, reason in errors.items:
                problems.add(line, column, reason)
            if staff_id:
                rejected_ids.setdefault(staff_id, line)
            continue
        rows.add(staff_id, (name, role, hired_on, left_on), line)
    rejected_ids.update(rows.resolve(problems, "staff_id", m.duplicate_id))
    reject_repeats(rows.repeats, rows.first, problems)

    existing = {s.staff_id: s for s in Staff.objects.all()}
    creates: list[dict[str, Any]] = []
    updates: list[Staff] = []
    dates_changed: list[str] = []
    for staff_id, (content, _line) in rows.first.items():
        name, role, hired_on, left_on = content
        staff = existing.get(staff_id)
        if staff is None:
            creates.append(
                {
                    "staff_id": staff_id,
                    "name": name,
                    "role": role,
                    "hired_on": hired_on,
                    "left_on": left_on,
                    "team_id": None,
                    "user_id": None,
                }
            )
        elif (staff.name, staff.role, staff.hired_on, staff.left_on) != content:
            if (staff.hired_on, staff.left_on) != (hired_on, left_on):
                dates_changed.append(staff_id)
            staff.name, staff.role, staff.hired_on, staff.left_on = content
            updates.append(staff)
    reason = _change_reason(source.path)
    insert_with_history(Staff, creates, change_reason=reason)
    if updates:
        bulk_update_with_history(
            updates,
            Staff,
            ["name", "role", "hired_on", "left_on"],
            batch_size=ORM_BATCH,
            default_change_reason=reason,
        )
    if dates_changed:
        staff_changed(dates_changed)
    result.created += len(creates)
    result.updated += len(updates)
    for staff_id, line in rejected_ids.items():
        if staff_id not in existing:
            ctx.rejected[STAFF][staff_id] = f"{source.path}:{line}"


# --------------------------------------------------------------------------- #
# Customers
# --------------------------------------------------------------------------- #


def import_customers(source: Source, ctx: Context, result: FileResult, problems: Problems) -> None:
    tiers = list(Tier.values)
    rows = Deduper()
    rejected_ids: dict[str, int] = {}
    for line, values, extra in _rows_with_progress(source, ctx):
        result.read += 1
        customer_id, name, tier, acquired, acquired_by, referred_by = values
        errors = RowErrors()
        errors.extra(extra)
        errors.ident("customer_id", customer_id)
        errors.text("name", name, 200)
        errors.choice("tier", tier, tiers, m.unknown_tier)
        acquired_on = errors.date("acquired_on", acquired)
        errors.ident("acquired_by", acquired_by, required=False)
        errors.ident("referred_by", referred_by, required=False)
        if referred_by and referred_by == customer_id:
            errors.add("referred_by", m.self_referral())
        if errors.items:
            for column, reason in errors.items:
                problems.add(line, column, reason)
            if customer_id:
                rejected_ids.setdefault(customer_id, line)
            continue
        content = (name, tier, acquired_on, acquired_by or None, referred_by or None)
        rows.add(customer_id, content, line)
    rejected_ids.update(rows.resolve(problems, "customer_id", m.duplicate_id))

    existing = {c.customer_id: c for c in Customer.objects.all()}
    staff_ids = set(Staff.objects.values_list("staff_id", flat=True))
    accepted = rows.first
    # References: staff first, then referrals until nothing more falls out
    # (a customer referred by a rejected one is rejected too).
    for customer_id, (content, line) in list(accepted.items()):
        acquired_by = content[3]
        if acquired_by and acquired_by not in staff_ids:
            problems.add(line, "acquired_by", ctx.reference_problem(STAFF, acquired_by))
            del accepted[customer_id]
            rejected_ids.setdefault(customer_id, line)
    changed = True
    while changed:
        changed = False
        for customer_id, (content, line) in list(accepted.items()):
            referred_by = content[4]
            if referred_by and referred_by not in existing and referred_by not in accepted:
                if referred_by in rejected_ids:
                    reason = m.rejected_customer(referred_by, f"{source.path}:{rejected_ids[referred_by]}")
                else:
                    reason = ctx.reference_problem(CUSTOMERS, referred_by)
                problems.add(line, "referred_by", reason)
                del accepted[customer_id]
                rejected_ids.setdefault(customer_id, line)
                changed = True
    reject_repeats(rows.repeats, accepted, problems)

    creates: list[dict[str, Any]] = []
    updates: list[Customer] = []
    dirty: set[str] = set()
    for customer_id, (content, _line) in accepted.items():
        name, tier, acquired_on, acquired_by, referred_by = content
        customer = existing.get(customer_id)
        if customer is None:
            creates.append(
                {
                    "customer_id": customer_id,
                    "name": name,
                    "tier": tier,
                    "acquired_on": acquired_on,
                    "acquired_by_id": acquired_by,
                    "referred_by_id": referred_by,
                }
            )
            dirty.add(customer_id)
            continue
        old = (
            customer.name,
            customer.tier,
            customer.acquired_on,
            customer.acquired_by_id,
            customer.referred_by_id,
        )
        if old == content:
            continue
        if old[3:] != content[3:]:
            dirty.add(customer_id)
        customer.name = name
        customer.tier = tier
        customer.acquired_on = acquired_on
        customer.acquired_by_id = acquired_by
        customer.referred_by_id = referred_by
        updates.append(customer)
    reason = _change_reason(source.path)
    insert_with_history(Customer, creates, change_reason=reason)
    if updates:
        bulk_update_with_history(
            updates,
            Customer,
            ["name", "tier", "acquired_on", "acquired_by", "referred_by"],
            batch_size=ORM_BATCH,
            default_change_reason=reason,
        )
    customers_changed(dirty)
    result.created += len(creates)
    result.updated += len(updates)
    for customer_id, line in rejected_ids.items():
        if customer_id not in existing:
            ctx.rejected[CUSTOMERS][customer_id] = f"{source.path}:{line}"


# --------------------------------------------------------------------------- #
# Assignments
# --------------------------------------------------------------------------- #


@dataclass(slots=True, eq=False)
class _Span:
    customer_id: str
    role: str
    valid_from: dt.date
    valid_to: dt.date | None
    staff_id: str
    line: int | None  # None: a row in the database that the file leaves alone
    pk: int | None = None


def _assignment_reason(span: _Span, previous: _Span | None, acquired_by: str | None,
                       left_on: dict[str, dt.date | None]) -> str:
    """`developed` for the customer's first row of the role (for sales: held
    by the developer), `handover` when the previous holder had left by
    valid_from, otherwise `reassignment`."""
    if previous is None:
        if span.role == OwnerRole.SERVICE or span.staff_id == acquired_by:
            return Reason.DEVELOPED
        return Reason.REASSIGNMENT
    left = left_on.get(previous.staff_id)
    if left is not None and left <= span.valid_from:
        return Reason.HANDOVER
    return Reason.REASSIGNMENT


def import_assignments(source: Source, ctx: Context, result: FileResult, problems: Problems) -> None:
    roles = list(OwnerRole.values)
    customer_ids = set(Customer.objects.values_list("customer_id", flat=True))
    left_on = dict(Staff.objects.values_list("staff_id", "left_on"))
    rows = Deduper()
    for line, values, extra in _rows_with_progress(source, ctx):
        result.read += 1
        customer_id, role, staff_id, valid_from_text, valid_to_text = values
        errors = RowErrors()
        errors.extra(extra)
        errors.ident("customer_id", customer_id)
        errors.choice("role", role, roles, m.unknown_role)
        errors.ident("staff_id", staff_id)
        valid_from = errors.date("valid_from", valid_from_text)
        valid_to = errors.date("valid_to", valid_to_text, required=False)
        if valid_from and valid_to and valid_to <= valid_from:
            errors.add("valid_to", m.valid_to_not_after())
        if customer_id and len(customer_id) <= MAX_ID and customer_id not in customer_ids:
            errors.add("customer_id", ctx.reference_problem(CUSTOMERS, customer_id))
        if staff_id and len(staff_id) <= MAX_ID and staff_id not in left_on:
            errors.add("staff_id", ctx.reference_problem(STAFF, staff_id))
        if errors.items:
            for column, reason in errors.items:
                problems.add(line, column, reason)
            continue
        rows.add((customer_id, role, valid_from), (staff_id, valid_to), line)
    rows.resolve(problems, "valid_from", lambda _key, lines: m.duplicate_assignment(lines))

    # The ledger as it will be: database rows the file does not replace, and
    # the file's rows. Only customers and roles the file touches matter.
    touched = {(c, r) for c, r, _f in rows.first}
    touched_customers = sorted({c for c, _r in touched})
    db_rows: dict[tuple[str, str, dt.date], _Span] = {}
    for start in range(0, len(touched_customers), ORM_BATCH):
        chunk = touched_customers[start : start + ORM_BATCH]
        for pk, c, r, s, f, t in Assignment.objects.filter(customer_id__in=chunk).values_list(
            "pk", "customer_id", "role", "staff_id", "valid_from", "valid_to"
        ):
            db_rows[(c, r, f)] = _Span(c, r, f, t, s, None, pk)
    file_rows: dict[tuple[str, str, dt.date], _Span] = {
        key: _Span(key[0], key[1], key[2], content[1], content[0], line)
        for key, (content, line) in rows.first.items()
    }
    groups: dict[tuple[str, str], dict[dt.date, _Span]] = defaultdict(dict)
    for key, span in db_rows.items():
        if (key[0], key[1]) in touched:
            groups[(key[0], key[1])][key[2]] = span
    for key, span in file_rows.items():
        groups[(key[0], key[1])][key[2]] = span
    # Reject overlapping file rows until none is left, one per customer and
    # role at a time (the next overlap may have been with the rejected row);
    # a rejected row that replaced a database row puts that row back.
    check = set(groups)
    while check:
        spans = [span for g in check for span in groups[g].values()]
        check = set()
        for earlier, later in find_overlaps(spans):
            if (earlier.customer_id, earlier.role) in check:
                continue  # this group is looked at again in the next round
            if later.line is not None:
                bad, other = later, earlier
            elif earlier.line is not None:
                bad, other = earlier, later
            else:
                continue  # both already in the database
            period = span_text(other.valid_from, other.valid_to)
            if other.line is not None:
                reason = m.overlap_line(other.line, other.staff_id, period)
            else:
                reason = m.overlap_existing(other.staff_id, period)
            assert bad.line is not None
            problems.add(bad.line, "valid_from", reason)
            where = (bad.customer_id, bad.role)
            key = (bad.customer_id, bad.role, bad.valid_from)
            del file_rows[key]
            if key in db_rows:
                groups[where][bad.valid_from] = db_rows[key]
            else:
                del groups[where][bad.valid_from]
            check.add(where)

    reject_repeats(rows.repeats, file_rows, problems)

    # Diff against the database.
    acquired_by: dict[str, str | None] = {}
    for start in range(0, len(touched_customers), ORM_BATCH):
        chunk = touched_customers[start : start + ORM_BATCH]
        acquired_by.update(
            Customer.objects.filter(customer_id__in=chunk).values_list("customer_id", "acquired_by_id")
        )
    creates: list[dict[str, Any]] = []
    shrinks: dict[int, _Span] = {}
    extends: dict[int, _Span] = {}
    # (customer, role) -> the first day its ownership differs
    changes: dict[tuple[str, str], dt.date] = {}

    def changed(key: tuple[str, str], day: dt.date) -> None:
        known = changes.get(key)
        if known is None or day < known:
            changes[key] = day
    for group_key, group in groups.items():
        ordered = sorted(group.values(), key=lambda s: s.valid_from)
        previous: _Span | None = None
        for span in ordered:
            if span.line is not None:
                old = db_rows.get((span.customer_id, span.role, span.valid_from))
                if old is None:
                    creates.append(
                        {
                            "customer_id": span.customer_id,
                            "role": span.role,
                            "staff_id": span.staff_id,
                            "valid_from": span.valid_from,
                            "valid_to": span.valid_to,
                            "reason": _assignment_reason(
                                span, previous, acquired_by.get(span.customer_id), left_on
                            ),
                            "note": "",
                        }
                    )
                    changed(group_key, span.valid_from)
                elif (old.staff_id, old.valid_to) != (span.staff_id, span.valid_to):
                    assert old.pk is not None
                    shrinking = span.valid_to is not None and (
                        old.valid_to is None or span.valid_to < old.valid_to
                    )
                    (shrinks if shrinking else extends)[old.pk] = span
                    if old.staff_id != span.staff_id:
                        changed(group_key, span.valid_from)
                    else:
                        ends = [d for d in (old.valid_to, span.valid_to) if d is not None]
                        changed(group_key, min(ends))
            previous = span
    reason = _change_reason(source.path)
    # Shrink first, then extend, then add: the ledger never overlaps on the
    # way (PostgreSQL checks it row by row).
    for batch in (shrinks, extends):
        if not batch:
            continue
        objects = Assignment.objects.in_bulk(list(batch))
        for pk, span in batch.items():
            objects[pk].staff_id = span.staff_id
            objects[pk].valid_to = span.valid_to
        bulk_update_with_history(
            list(objects.values()),
            Assignment,
            ["staff", "valid_to"],
            batch_size=ORM_BATCH,
            default_change_reason=reason,
        )
    insert_with_history(Assignment, creates, change_reason=reason)
    if changes:
        ownership_changed((cid, role, day) for (cid, role), day in changes.items())
    result.created += len(creates)
    result.updated += len(shrinks) + len(extends)


# --------------------------------------------------------------------------- #
# Orders and refunds
# --------------------------------------------------------------------------- #

def _order_row_errors(values: tuple[str, ...], extra: int, customers: dict[str, str], ctx: Context) -> list[tuple[str, str]]:
    order_id, customer_id, order_date, amount, category, refund_of = values
    errors = RowErrors()
    errors.extra(extra)
    errors.ident("order_id", order_id)
    errors.ident("customer_id", customer_id)
    if customer_id and len(customer_id) <= MAX_ID and customer_id not in customers:
        errors.add("customer_id", ctx.reference_problem(CUSTOMERS, customer_id))
    errors.date("order_date", order_date)
    if not amount:
        errors.add("amount", m.empty())
    else:
        cents = parse_amount(amount)
        if cents is None:
            errors.add("amount", m.bad_amount(amount))
        elif cents <= 0:
            errors.add("amount", m.amount_not_positive())
    errors.text("category", category, 64, required=False)
    errors.ident("refund_of", refund_of, required=False)
    return errors.items


@dataclass
class _Stored:
    """The orders table as far as an import needs it: ``same`` holds the ids
    of the file's sales whose row in the database is identical (no need to
    keep those); ``rows`` every other row as (customer_id, date text, cents,
    category, refund_of); ``refunds`` refund ids by the order they refund."""

    rows: dict[str, tuple] = field(default_factory=dict)
    refunds: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    same: set[str] = field(default_factory=set)
    count: int = 0


def _load_orders(file_rows: dict[str, tuple], customers: dict[str, str], dates: dict[str, str]) -> _Stored:
    """Read the orders table once, comparing it with the file's rows on the way."""
    table = Order._meta.db_table
    stored = _Stored()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
        if cursor.fetchone() is None:
            return stored
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT order_id, customer_id, to_char(order_date, 'YYYY-MM-DD'), "
            f"(amount * 100)::bigint, category, refund_of_id FROM {table}"
        )
        raw = connection.connection.cursor(name="tandem_import_orders")
        raw.itersize = BATCH
    else:
        # Expressions, so that Django's SQLite date converter stays out.
        sql = (
            f"SELECT order_id, customer_id, order_date || '', "
            f"CAST(ROUND(amount * 100) AS INTEGER), category, refund_of_id FROM {table}"
        )
        raw = connection.connection.cursor()
    db = stored.rows
    refunds = stored.refunds
    same = stored.same
    count = 0
    try:
        raw.execute(sql)
        cget = customers.get
        dset = dates.setdefault
        fget = file_rows.get
        while True:
            chunk = raw.fetchmany(BATCH)
            if not chunk:
                break
            count += len(chunk)
            for order_id, customer_id, date, cents, category, refund_of in chunk:
                if refund_of is None:
                    record = fget(order_id)
                    if (
                        record is not None
                        and record[2] == cents
                        and record[1] == date
                        and record[0] == customer_id
                        and record[3] == category
                        and record[4] is None
                    ):
                        same.add(order_id)
                        continue
                else:
                    refunds[refund_of].append(order_id)
                db[order_id] = (cget(customer_id, customer_id), dset(date, date), cents, category, refund_of)
    finally:
        raw.close()
    stored.count = count
    return stored


def import_orders(source: Source, ctx: Context, result: FileResult, problems: Problems) -> None:
    started = time.perf_counter()
    customers: dict[str, str] = {c: c for c in Customer.objects.values_list("customer_id", flat=True)}
    dates: dict[str, str] = {}  # valid date text -> the one shared string
    bad_dates: set[str] = set()
    categories: dict[str, str] = {}
    rows: dict[str, tuple] = {}  # id -> (customer_id, date, cents, category, refund_of, line)
    refund_ids: list[str] = []
    conflicts: dict[str, list[int]] = {}
    repeats: dict[str, list[int]] = {}
    rejected_ids: dict[str, int] = {}
    read = 0
    amount_match = _AMOUNT_MATCH
    cget = customers.get
    dget = dates.get
    for line, values, extra in _rows_with_progress(source, ctx):
        read += 1
        order_id, customer_id, order_date, amount, category, refund_of = values
        customer = cget(customer_id)
        date = dget(order_date)
        if date is None and order_date not in bad_dates:
            if parse_date(order_date) is not None:
                date = dates[order_date] = order_date
            else:
                bad_dates.add(order_date)
        cents = 0
        if amount_match(amount):
            whole, _sep, frac = amount.partition(".")
            cents = int(whole) * 100
            if frac:
                cents += int(frac) * (10 if len(frac) == 1 else 1)
        if (
            extra
            or customer is None
            or date is None
            or cents <= 0
            or not order_id
            or len(order_id) > MAX_ID
            or len(category) > 64
            or len(refund_of) > MAX_ID
        ):
            for column, reason in _order_row_errors(values, extra, customers, ctx):
                problems.add(line, column, reason)
            if order_id:
                rejected_ids.setdefault(order_id, line)
            continue
        category = categories.setdefault(category, category)
        record = (customer, date, cents, category, refund_of or None, line)
        prev = rows.get(order_id)
        if prev is None:
            rows[order_id] = record
            if refund_of:
                refund_ids.append(order_id)
        elif prev[:5] == record[:5]:
            repeats.setdefault(order_id, [prev[5]]).append(line)
        else:
            conflicts.setdefault(order_id, [prev[5]]).append(line)
    result.read += read
    for order_id, lines in conflicts.items():
        reason = m.duplicate_id(order_id, lines)
        for line in lines:
            problems.add(line, "order_id", reason)
        del rows[order_id]
        rejected_ids.setdefault(order_id, lines[0])
    if conflicts:
        refund_ids = [r for r in refund_ids if r in rows]
    log.info("orders: read %d rows in %.2fs", read, time.perf_counter() - started)

    stored = _load_orders(rows, customers, dates)
    db, db_refunds, same = stored.rows, stored.refunds, stored.same
    log.info("orders: %d in the database, loaded at %.2fs", stored.count, time.perf_counter() - started)

    def reject(order_id: str, column: str, reason: str) -> None:
        line = rows.pop(order_id)[5]
        problems.add(line, column, reason)
        rejected_ids.setdefault(order_id, line)

    # 1. Changed orders must still fit the refunds already in the database.
    for target, refund_list in db_refunds.items():
        new = rows.get(target)
        if new is None or target in same or new[:5] == db.get(target):
            continue
        staying = [db[r] for r in refund_list if r not in rows]
        if not staying:
            continue
        if new[4] is not None:
            reject(target, "refund_of", m.sale_to_refund_with_refunds())
            continue
        refunded = sum(r[2] for r in staying)
        if refunded > new[2]:
            reject(target, "amount", m.amount_below_refunds(format_cents(new[2]), format_cents(refunded)))
            continue
        first_date, first_id = min((db[r][1], r) for r in refund_list if r not in rows)
        if first_date < new[1]:
            reject(target, "order_date", m.date_after_refund(first_id, first_date))
            continue
        if any(r[0] != new[0] for r in staying):
            reject(target, "customer_id", m.customer_change_with_refunds())

    # 2. Refunds, in date order: of an existing sale, of the same customer,
    # not before it, and never more in total than the sale.
    refund_ids = [r for r in refund_ids if r in rows]
    refund_ids.sort(key=lambda r: (rows[r][1], r))
    refunded_so_far: dict[str, int] = {}
    for refund_id in refund_ids:
        record = rows[refund_id]
        target_id = cast(str, record[4])  # a refund names its order
        order = rows.get(target_id) or db.get(target_id)
        if order is None:
            where = rejected_ids.get(target_id)
            if where is not None:
                reject(refund_id, "refund_of", m.rejected_order(target_id, f"{source.path}:{where}"))
            else:
                reject(refund_id, "refund_of", m.unknown_order(target_id))
            continue
        if order[4] is not None:
            reject(refund_id, "refund_of", m.refund_of_refund(target_id))
            continue
        if record[1] < order[1]:
            reject(refund_id, "order_date", m.refund_before_order(record[1], target_id, order[1]))
            continue
        if record[0] != order[0]:
            reject(refund_id, "customer_id", m.refund_other_customer(record[0], target_id, order[0]))
            continue
        total = refunded_so_far.get(target_id)
        if total is None:
            total = sum(db[r][2] for r in db_refunds.get(target_id, ()) if r not in rows)
        total += record[2]
        if total > order[2]:
            reject(
                refund_id,
                "amount",
                m.refunds_exceed(format_cents(total), target_id, format_cents(order[2])),
            )
            continue
        refunded_so_far[target_id] = total
    reject_repeats(repeats, rows, problems)
    log.info("orders: validated at %.2fs", time.perf_counter() - started)

    # 3. The difference with the database.
    new_ids: list[str] = []
    changed_ids: list[str] = []
    # customer -> the earliest day (ISO) whose lines the change can affect:
    # a new or changed order or refund touches lines on or after its date.
    dirty: dict[str, str] = {}

    def touch(customer_id: str, day: str) -> None:
        known = dirty.get(customer_id)
        if known is None or day < known:
            dirty[customer_id] = day

    if stored.count:
        dbget = db.get
        for order_id, record in rows.items():
            if order_id in same:
                continue
            old = dbget(order_id)
            if old is None:
                new_ids.append(order_id)
                touch(record[0], record[1])
            elif old != record[:5]:
                changed_ids.append(order_id)
                day = min(record[1], old[1])
                touch(record[0], day)
                touch(old[0], day)
    else:
        new_ids = list(rows)
        # A million rows on a first import: the look-up is inlined.
        earliest = dirty.get
        for record in rows.values():
            customer_id, day = record[0], record[1]
            known = earliest(customer_id)
            if known is None or day < known:
                dirty[customer_id] = day
    result.created += len(new_ids)
    result.updated += len(changed_ids)
    existing = stored.count
    del db, db_refunds, same, stored
    if problems and not ctx.skip_invalid:
        return  # the command will roll back; writing would be wasted
    _write_orders(rows, new_ids, changed_ids, ctx, source, existing)
    orders_changed({cid: dt.date.fromisoformat(day) for cid, day in dirty.items()})
    log.info("orders: written at %.2fs", time.perf_counter() - started)


def _order_params(rows: dict[str, tuple], ids: Iterable[str]) -> Iterator[tuple]:
    for order_id in ids:
        customer_id, date, cents, category, refund_of, _line = rows[order_id]
        yield (order_id, customer_id, date, format_cents(cents), category, refund_of)


def _batches(iterable: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that back no
    constraint: they can be dropped and built again identically."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() AND tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        return list(cursor.fetchall())


def _foreign_keys(table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's own foreign keys (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        return list(cursor.fetchall())


@contextmanager
def _bulk_load(table: str) -> Iterator[None]:
    """Load many rows into ``table`` without maintaining its secondary
    indexes row by row (and on PostgreSQL without a foreign-key trigger per
    row): drop them, load, and build them again, each in one pass. All of it
    happens inside the import's transaction: nobody sees them missing, and
    a failure puts everything back."""
    postgres = connection.vendor == "postgresql"
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if postgres:
            # PostgreSQL alters no table with foreign-key checks pending:
            # run the checks queued so far now rather than at commit.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        indexes = _secondary_indexes(table)
        foreign_keys = _foreign_keys(table) if postgres else []
        for name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {qn(name)}")
    yield
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)
        log.info("indexes of %s built in %.2fs", table, time.perf_counter() - started)
        for name, definition in foreign_keys:
            # Checked in one pass over the table (NOT VALID + VALIDATE
            # would do the same in two statements).
            cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
        log.info("foreign keys of %s checked at %.2fs", table, time.perf_counter() - started)


REBUILD_INDEXES_FROM = 100_000  # new rows; and at least a quarter of the table


def _write_orders(rows: dict[str, tuple], new_ids: list[str], changed_ids: list[str], ctx: Context, source: Source, existing: int) -> None:
    table = Order._meta.db_table
    columns = "order_id, customer_id, order_date, amount, category, refund_of_id"
    total = len(new_ids) + len(changed_ids)
    progress = ctx.progress if total >= 50_000 else None
    if progress is not None:
        progress.start(_("写入 %(file)s") % {"file": source.path}, total)
    done = 0
    postgres = connection.vendor == "postgresql"
    raw = connection.connection
    if changed_ids:
        if postgres:
            sql = (
                f"UPDATE {table} SET customer_id = %s, order_date = %s, amount = %s, "
                f"category = %s, refund_of_id = %s WHERE order_id = %s"
            )
        else:
            sql = (
                f"UPDATE {table} SET customer_id = ?, order_date = ?, amount = ?, "
                f"category = ?, refund_of_id = ? WHERE order_id = ?"
            )
        cursor = raw.cursor()
        try:
            for batch in _batches(_order_params(rows, changed_ids), BATCH):
                cursor.executemany(sql, [(*p[1:], p[0]) for p in batch])
                done += len(batch)
                if progress is not None:
                    progress.update(done)
        finally:
            cursor.close()
    # Building an index once is much faster than updating it a million
    # times: for a large load, drop the secondary indexes and build them
    # again afterwards.
    bulk = len(new_ids) >= REBUILD_INDEXES_FROM and len(new_ids) * 4 >= existing
    with _bulk_load(table) if bulk else nullcontext():
        if new_ids:
            done = _insert_orders(rows, new_ids, table, columns, progress, done)
        if progress is not None and bulk:
            progress.finish()
            progress.start(_("建立索引"), 1)
    if progress is not None:
        progress.finish()


def _insert_orders(
    rows: dict[str, tuple], new_ids: list[str], table: str, columns: str, progress: Progress | None, done: int
) -> int:
    raw = connection.connection
    cursor = raw.cursor()
    try:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for params in _order_params(rows, new_ids):
                    copy.write_row(params)
                    done += 1
                    if progress is not None and done % BATCH == 0:
                        progress.update(done)
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES (?, ?, ?, ?, ?, ?)"
            for batch in _batches(_order_params(rows, new_ids), BATCH):
                cursor.executemany(sql, batch)
                done += len(batch)
                if progress is not None:
                    progress.update(done)
    finally:
        cursor.close()
    log.info("orders: %d new rows inserted", len(new_ids))
    return done


# --------------------------------------------------------------------------- #
# The command
# --------------------------------------------------------------------------- #

IMPORTERS: dict[str, Callable[[Source, Context, FileResult, Problems], None]] = {
    STAFF: import_staff,
    CUSTOMERS: import_customers,
    ASSIGNMENTS: import_assignments,
    ORDERS: import_orders,
}


IMPORT_LOCK = 0x7A4D_0001  # PostgreSQL advisory lock key of imports

# The tables each kind of file writes (with their history tables).
TABLES = {
    STAFF: (Staff._meta.db_table, Staff.history.model._meta.db_table),
    CUSTOMERS: (Customer._meta.db_table, Customer.history.model._meta.db_table),
    ASSIGNMENTS: (Assignment._meta.db_table, Assignment.history.model._meta.db_table),
    ORDERS: (Order._meta.db_table,),
}


def open_sources(paths: Iterable[str]) -> list[Source]:
    """Read every file's header; raise InvalidInput listing every file that
    cannot be read. The sources come back in dependency order."""
    sources: list[Source] = []
    file_problems: list[str] = []
    for path in paths:
        try:
            sources.append(open_source(path))
        except FileProblem as exc:
            file_problems.extend(exc.lines)
    if file_problems:
        raise InvalidInput(m.files_unreadable(len(file_problems)), file_problems)
    order = {kind: i for i, kind in enumerate(DEPENDENCY_ORDER)}
    sources.sort(key=lambda s: order[s.kind])
    return sources


def import_files(
    paths: Iterable[str], *, skip_invalid: bool = False, progress: Progress | None = None
) -> list[FileResult]:
    """Import exchange files in one transaction (see the module's doc).

    Raises InvalidInput listing every problem unless ``skip_invalid``, in
    which case rejected rows are written to ``<name>.rejects.csv`` beside
    their file (after the transaction has committed)."""
    sources = open_sources(paths)
    ctx = Context(skip_invalid=skip_invalid, progress=progress)
    results: list[FileResult] = []
    all_problems: list[Problems] = []
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # One import at a time (SQLite's write lock does the same).
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    # A bigger page cache for this connection speeds up the
                    # index updates of large imports a lot.
                    cursor.execute("PRAGMA cache_size = -262144")
            for source in sources:
                result = FileResult(path=source.path, kind=source.kind)
                problems = Problems(source.path)
                started = time.perf_counter()
                IMPORTERS[source.kind](source, ctx, result, problems)
                log.info("%s: %s in %.2fs", source.path, source.kind, time.perf_counter() - started)
                result.rejected = len(problems.by_line)
                # Every row read was created, updated, rejected or left as it
                # was (identical repeats of a row count as unchanged).
                result.unchanged = result.read - result.rejected - result.created - result.updated
                results.append(result)
                all_problems.append(problems)
                ctx.problem_count += len(problems)
            if ctx.problem_count and not skip_invalid:
                lines = [line for p in all_problems for line in p.lines()]
                raise InvalidInput(m.import_failed(len(lines)), lines)
    except FileProblem as exc:  # a file went bad while being read
        raise InvalidInput(m.files_unreadable(len(exc.lines)), exc.lines) from exc
    finally:
        if connection.vendor == "sqlite" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -2000")
    written = [r for r in results if r.created + r.updated >= REFRESH_FROM]
    refresh_statistics(table for r in written for table in TABLES[r.kind])
    if skip_invalid:
        for source, result, problems in zip(sources, results, all_problems, strict=True):
            if problems:
                result.rejects_path = str(write_rejects(source, problems.reasons()))
    return results
