"""The assignments file: ledger rows checked by `tandem.customers.rules`
(on their own, then for overlaps with each other and the stored ledger),
written by `tandem.customers.bulk.assignments_write_bulk`."""

from __future__ import annotations

from tandem.core.rules import MAX_ID
from tandem.customers.bulk import (
    LedgerKey,
    LedgerRow,
    assignments_stored,
    assignments_write_bulk,
    customer_ids,
)
from tandem.customers.rules import (
    assignment_violations,
    overlap_existing,
    overlaps_resolve,
    span_text,
)
from tandem.staff.bulk import staff_ids

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


def import_assignments(source: Source, ctx: Context, result: FileResult, problems: Problems) -> None:
    columns = source.columns
    known_customers = customer_ids()
    known_staff = staff_ids()
    rows = Deduper()
    for line, values, extra in rows_with_progress(source, ctx):
        result.read += 1
        customer_id, role, staff_id, valid_from_text, valid_to_text = values
        errors = RowErrors()
        errors.extra(extra)
        valid_from = errors.date("valid_from", valid_from_text)
        valid_to = errors.date("valid_to", valid_to_text, required=False)
        errors.extend(
            assignment_violations(
                customer_id=customer_id, role=role, staff_id=staff_id, valid_from=valid_from, valid_to=valid_to
            )
        )
        if errors or valid_from is None:
            errors.report(problems, line, columns)
            problems_found = True
        else:
            problems_found = False
        # References after the row's own problems.
        if customer_id and len(customer_id) <= MAX_ID and customer_id not in known_customers:
            problems.add(line, "customer_id", ctx.reference_problem(CUSTOMERS, customer_id))
            problems_found = True
        if staff_id and len(staff_id) <= MAX_ID and staff_id not in known_staff:
            problems.add(line, "staff_id", ctx.reference_problem(STAFF, staff_id))
            problems_found = True
        if problems_found or valid_from is None:
            continue
        rows.add((customer_id, role, valid_from), (staff_id, valid_to), line)
    rows.resolve(problems, "valid_from", lambda _key, lines: m.duplicate_assignment(lines))

    new: dict[LedgerKey, LedgerRow] = {
        key: LedgerRow(key[0], key[1], key[2], content[1], content[0], tag=line)
        for key, (content, line) in rows.first.items()
    }
    stored = assignments_stored({c for c, _r, _f in new})
    for bad, other in overlaps_resolve(new, stored):
        period = span_text(other.valid_from, other.valid_to)
        if other.pk is None:
            reason = m.overlap_line(other.tag, other.staff_id, period)
        else:
            reason = overlap_existing(other.staff_id, period)
        problems.add(bad.tag, "valid_from", reason)
    reject_repeats(rows.repeats, new, problems)

    # Written even when the command will roll back: the files after this
    # one are checked against these rows.
    created, updated = assignments_write_bulk(new, stored, change_reason=change_reason(source.path))
    result.created += created
    result.updated += updated
