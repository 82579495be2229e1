"""The complaints file (投诉): `tandem.service.rules`, written by
`tandem.service.bulk.complaints_write_bulk`."""

from __future__ import annotations

from tandem.service.bulk import ComplaintRow, complaints_write_bulk
from tandem.service.rules import complaint_violations, parse_escalated

from ..readers import Source
from .desk import References, import_desk_file
from .rows import Context, FileResult, Problems, RowErrors


def _parse(values: tuple[str, ...], errors: RowErrors, refs: References, ctx: Context) -> ComplaintRow | None:
    complaint_id, customer_id, opened, severity, escalated, channel, resolved, note = values
    opened_on = errors.date("opened_on", opened)
    flag, violation = parse_escalated(escalated)
    resolved_on = errors.date("resolved_on", resolved, required=False)
    errors.extend(
        complaint_violations(
            complaint_id=complaint_id,
            customer_id=customer_id,
            severity=severity,
            channel=channel,
            note=note,
            opened_on=opened_on,
            resolved_on=resolved_on,
        )
    )
    if violation is not None:
        errors.extend([violation])
    refs.customer(errors, ctx, customer_id)
    if opened_on is None or flag is None:
        return None
    return ComplaintRow(customer_id, opened_on, severity, flag, channel, resolved_on, note)


def import_complaints(source: Source, ctx: Context, result: FileResult, problems: Problems) -> None:
    import_desk_file(
        source, ctx, result, problems, id_column="complaint_id", parse=_parse, write=complaints_write_bulk
    )
