"""The callbacks file (回访): `tandem.service.rules`, written by
`tandem.service.bulk.callbacks_write_bulk`."""

from __future__ import annotations

from tandem.service.bulk import CallbackRow, callbacks_write_bulk
from tandem.service.rules import callback_violations, parse_score

from ..readers import Source
from .desk import References, import_desk_file
from .rows import Context, FileResult, Problems, RowErrors


def _parse(values: tuple[str, ...], errors: RowErrors, refs: References, ctx: Context) -> CallbackRow | None:
    callback_id, customer_id, staff_id, called, outcome, score, note = values
    called_on = errors.date("called_on", called)
    errors.extend(
        callback_violations(
            callback_id=callback_id, customer_id=customer_id, staff_id=staff_id, outcome=outcome, note=note
        )
    )
    number, violation = parse_score(score)
    if violation is not None:
        errors.extend([violation])
    refs.customer(errors, ctx, customer_id)
    refs.staff_on(errors, ctx, staff_id, called_on)
    if called_on is None:
        return None
    return CallbackRow(customer_id, staff_id, called_on, outcome, number, note)


def import_callbacks(source: Source, ctx: Context, result: FileResult, problems: Problems) -> None:
    import_desk_file(
        source, ctx, result, problems, id_column="callback_id", parse=_parse, write=callbacks_write_bulk
    )
