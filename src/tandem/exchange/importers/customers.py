"""The customers file: rows checked by `tandem.customers.rules`, their
references resolved against the database and the file, written by
`tandem.customers.bulk.customers_write_bulk`."""

from __future__ import annotations

from tandem.customers.bulk import CustomerRow, customer_ids, customers_write_bulk
from tandem.customers.rules import customer_violations
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


def import_customers(source: Source, ctx: Context, result: FileResult, problems: Problems) -> None:
    columns = source.columns
    rows = Deduper()
    rejected_ids: dict[str, int] = {}
    for line, values, extra in rows_with_progress(source, ctx):
        result.read += 1
        customer_id, name, tier, acquired, acquired_by, referred_by = values
        errors = RowErrors()
        errors.extra(extra)
        acquired_on = errors.date("acquired_on", acquired)
        errors.extend(
            customer_violations(
                customer_id=customer_id, name=name, tier=tier, acquired_by=acquired_by, referred_by=referred_by
            )
        )
        if errors or acquired_on is None:
            errors.report(problems, line, columns)
            if customer_id:
                rejected_ids.setdefault(customer_id, line)
            continue
        rows.add(customer_id, CustomerRow(name, tier, acquired_on, acquired_by or None, referred_by or None), line)
    rejected_ids.update(rows.resolve(problems, "customer_id", m.duplicate_id))

    existing = customer_ids()
    known_staff = staff_ids()
    accepted = rows.first
    # References: staff first, then referrals until nothing more falls out
    # (a customer referred by a rejected one is rejected too).
    for customer_id, (content, line) in list(accepted.items()):
        if content.acquired_by and content.acquired_by not in known_staff:
            problems.add(line, "acquired_by", ctx.reference_problem(STAFF, content.acquired_by))
            del accepted[customer_id]
            rejected_ids.setdefault(customer_id, line)
    changed = True
    while changed:
        changed = False
        for customer_id, (content, line) in list(accepted.items()):
            referred_by = content.referred_by
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

    # Written even when the command will roll back: the files after this
    # one are checked against these rows.
    written = {customer_id: content for customer_id, (content, _line) in accepted.items()}
    created, updated = customers_write_bulk(written, change_reason=change_reason(source.path))
    result.created += created
    result.updated += updated
    for customer_id, line in rejected_ids.items():
        if customer_id not in existing:
            ctx.rejected[CUSTOMERS][customer_id] = f"{source.path}:{line}"
