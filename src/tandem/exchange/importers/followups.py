"""The follow-ups file (跟进记录): `tandem.service.rules`, written by
`tandem.service.bulk.followups_write_bulk`."""

from __future__ import annotations

from tandem.service.bulk import FollowUpRow, followups_write_bulk
from tandem.service.rules import followup_violations

from ..readers import Source
from .desk import References, import_desk_file
from .rows import Context, FileResult, Problems, RowErrors


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
        source, ctx, result, problems, id_column="followup_id", parse=_parse, write=followups_write_bulk
    )
