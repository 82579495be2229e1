"""The follow-ups file (跟进记录): `tandem.service.rules`, written by
`tandem.service.bulk.followups_write_bulk`."""

from __future__ import annotations

from tandem.core.rules import MAX_ID
from tandem.service.bulk import FollowUpRow, followups_write_bulk
from tandem.service.rules import CHANNELS, MAX_NOTE, followup_violations

from ..readers import Source
from .desk import References, active_on, import_desk_file
from .rows import Context, FileResult, Problems, RowErrors, parse_date

_CHANNELS = frozenset(CHANNELS)


def _fast(values: tuple[str, ...], refs: References) -> FollowUpRow | None:
    followup_id, customer_id, staff_id, followed, channel, note = values
    if (
        not followup_id
        or len(followup_id) > MAX_ID
        or customer_id not in refs.customers
        or channel not in _CHANNELS
        or len(note) > MAX_NOTE
    ):
        return None
    day = parse_date(followed)
    if day is None or not active_on(refs, staff_id, day):
        return None
    return FollowUpRow(customer_id, staff_id, day, channel, note)


def _parse(values: tuple[str, ...], errors: RowErrors, refs: References, ctx: Context) -> FollowUpRow | None:
    followup_id, customer_id, staff_id, followed, channel, note = values
    followed_on = errors.date("followed_on", followed)
    errors.extend(
        followup_violations(
            followup_id=followup_id, customer_id=customer_id, staff_id=staff_id, channel=channel, note=note
        )
    )
    refs.customer(errors, ctx, customer_id)
    refs.staff_on(errors, ctx, staff_id, followed_on)
    if followed_on is None:
        return None
    return FollowUpRow(customer_id, staff_id, followed_on, channel, note)


def import_followups(source: Source, ctx: Context, result: FileResult, problems: Problems) -> None:
    import_desk_file(
        source, ctx, result, problems, id_column="followup_id", parse=_parse, fast=_fast, write=followups_write_bulk
    )
