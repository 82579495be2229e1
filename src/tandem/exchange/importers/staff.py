"""The staff file: rows checked by `tandem.staff.rules`, written by
`tandem.staff.bulk.staff_write_bulk`."""

from __future__ import annotations

from tandem.staff.bulk import StaffRow, staff_ids, staff_write_bulk
from tandem.staff.rules import staff_violations

from .. import messages as m
from ..readers import STAFF, Source
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


def import_staff(source: Source, ctx: Context, result: FileResult, problems: Problems) -> None:
    columns = source.columns
    # Without a team column the file says nothing of teams: they stay.
    has_team = source.has("team")
    rows = Deduper()
    rejected_ids: dict[str, int] = {}
    for line, values, extra in rows_with_progress(source, ctx):
        result.read += 1
        staff_id, name, role, hired, left, team = values
        errors = RowErrors()
        errors.extra(extra)
        hired_on = errors.date("hired_on", hired, required=False)
        left_on = errors.date("left_on", left, required=False)
        errors.extend(
            staff_violations(
                staff_id=staff_id, name=name, role=role, hired_on=hired_on, left_on=left_on, team=team
            )
        )
        if errors:
            errors.report(problems, line, columns)
            if staff_id:
                rejected_ids.setdefault(staff_id, line)
            continue
        rows.add(staff_id, StaffRow(name, role, hired_on, left_on, team if has_team else None), line)
    rejected_ids.update(rows.resolve(problems, "staff_id", m.duplicate_id))
    reject_repeats(rows.repeats, rows.first, problems)

    existing = staff_ids()
    accepted = {staff_id: content for staff_id, (content, _line) in rows.first.items()}
    # Written even when the command will roll back: the files after this
    # one are checked against these rows.
    created, updated = staff_write_bulk(accepted, change_reason=change_reason(source.path))
    result.created += created
    result.updated += updated
    for staff_id, line in rejected_ids.items():
        if staff_id not in existing:
            ctx.rejected[STAFF][staff_id] = f"{source.path}:{line}"
