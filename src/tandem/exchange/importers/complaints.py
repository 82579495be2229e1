"""The complaints file (投诉): `tandem.service.rules`, written by
`tandem.service.bulk.complaints_write_bulk`."""

from __future__ import annotations

from tandem.core.rules import MAX_ID
from tandem.service.bulk import ComplaintRow, complaints_write_bulk
from tandem.service.rules import (
    COMPLAINT_CHANNELS,
    MAX_NOTE,
    SEVERITIES,
    YES,
    complaint_violations,
    parse_escalated,
)

from ..readers import Source
from .desk import References, import_desk_file
from .rows import Context, FileResult, Problems, RowErrors, parse_date

_SEVERITIES = frozenset(SEVERITIES)
_CHANNELS = frozenset(("", *COMPLAINT_CHANNELS))
_ESCALATED = {"yes": True, "no": False}


def _fast(values: tuple[str, ...], refs: References) -> ComplaintRow | None:
    complaint_id, customer_id, opened, severity, escalated, channel, resolved, note = values
    if (
        not complaint_id
        or len(complaint_id) > MAX_ID
        or customer_id not in refs.customers
        or severity not in _SEVERITIES
        or escalated not in _ESCALATED
        or channel not in _CHANNELS
        or len(note) > MAX_NOTE
    ):
        return None
    opened_on = parse_date(opened)
    if opened_on is None:
        return None
    resolved_on = None
    if resolved:
        resolved_on = parse_date(resolved)
        if resolved_on is None or resolved_on < opened_on:
            return None
    return ComplaintRow(customer_id, opened_on, severity, escalated == YES, channel, resolved_on, note)


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
        source, ctx, result, problems, id_column="complaint_id", parse=_parse, fast=_fast, write=complaints_write_bulk
    )
