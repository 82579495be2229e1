"""What the service desk's four files share (spec/service-desk.md:
follow-ups, callbacks, complaints, surveys): each row is checked by
`tandem.service.rules` (the same functions and words as the single-row
services), its customer and staff member resolved against the database
and the files before it, repeats told apart by id, and the valid rows
handed to the domain's bulk writer (`tandem.service.bulk`). No file of a
command depends on these, so a file with a problem writes nothing unless
``skip_invalid``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tandem.core.rules import MAX_ID
from tandem.customers.bulk import customer_ids
from tandem.service.bulk import staff_dates
from tandem.service.rules import check_active

from .. import messages as m
from ..readers import CUSTOMERS, STAFF, Source
from .rows import (
    Context,
    Deduper,
    FileResult,
    Problems,
    RowErrors,
    change_reason,
    reject_repeats,
    rows_with_progress,
)


@dataclass
class References:
    """The customers and staff rows may name (as the database holds them
    when the file is read: the files before it in the command included)."""

    customers: set[str]
    staff: dict[str, tuple[dt.date | None, dt.date | None]]

    @classmethod
    def read(cls) -> References:
        return cls(customer_ids(), staff_dates())

    def customer(self, errors: RowErrors, ctx: Context, customer_id: str) -> None:
        if customer_id and len(customer_id) <= MAX_ID and customer_id not in self.customers:
            errors.add("customer_id", ctx.reference_problem(CUSTOMERS, customer_id))

    def staff_on(self, errors: RowErrors, ctx: Context, staff_id: str, day: dt.date | None) -> None:
        """A staff member who exists and is active on the row's day."""
        if not staff_id or len(staff_id) > MAX_ID:
            return
        dates = self.staff.get(staff_id)
        if dates is None:
            errors.add("staff_id", ctx.reference_problem(STAFF, staff_id))
        elif day is not None:
            violation = check_active("staff_id", staff_id, dates[0], dates[1], day)
            if violation is not None:
                errors.add(violation.field, violation.reason)


# parse(values, errors, references, ctx) -> the row's content, or None when
# the row has problems (already in ``errors``).
Parse = Callable[[tuple[str, ...], RowErrors, References, Context], Any]
# fast(values, references) -> the content of a row that breaks no rule, or
# None for any other (which `parse` then takes through the rules for its
# reasons): plain comparisons, for files of hundreds of thousands of rows.
Fast = Callable[[tuple[str, ...], References], Any]
Write = Callable[..., tuple[int, int]]


def active_on(refs: References, staff_id: str, day: dt.date) -> bool:
    """An existing staff member active on ``day`` (for the fast paths)."""
    dates = refs.staff.get(staff_id)
    if dates is None:
        return False
    hired_on, left_on = dates
    return (hired_on is None or hired_on <= day) and (left_on is None or day < left_on)


def import_desk_file(
    source: Source,
    ctx: Context,
    result: FileResult,
    problems: Problems,
    *,
    id_column: str,
    parse: Parse,
    fast: Fast,
    write: Write,
) -> None:
    columns = source.columns
    refs = References.read()
    rows = Deduper()
    for line, values, extra in rows_with_progress(source, ctx):
        result.read += 1
        content = None if extra else fast(values, refs)
        if content is None:
            errors = RowErrors()
            errors.extra(extra)
            content = parse(values, errors, refs, ctx)
            if errors or content is None:
                errors.report(problems, line, columns)
                continue
        rows.add(values[0], content, line)
    rows.resolve(problems, id_column, m.duplicate_id)
    reject_repeats(rows.repeats, rows.first, problems)
    if problems and not ctx.skip_invalid:
        return  # the command rolls back; nothing after this file needs the rows
    accepted: Mapping[str, Any] = {ident: content for ident, (content, _line) in rows.first.items()}
    created, updated = write(accepted, change_reason=change_reason(source.path))
    result.created += created
    result.updated += updated
