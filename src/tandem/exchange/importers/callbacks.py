"""The callbacks file (回访): `tandem.service.rules`, written by
`tandem.service.bulk.callbacks_write_bulk`."""

from __future__ import annotations

from tandem.core.rules import MAX_ID
from tandem.service.bulk import CallbackRow, callbacks_write_bulk
from tandem.service.rules import MAX_NOTE, OUTCOMES, SCORE_TEXTS, callback_violations, parse_score

from ..readers import Source
from .desk import References, active_on, import_desk_file
from .rows import Context, FileResult, Problems, RowErrors, parse_date

_OUTCOMES = frozenset(OUTCOMES)


def _fast(values: tuple[str, ...], refs: References) -> CallbackRow | None:
    callback_id, customer_id, staff_id, called, outcome, score, note = values
    if (
        not callback_id
        or len(callback_id) > MAX_ID
        or customer_id not in refs.customers
        or outcome not in _OUTCOMES
        or score not in SCORE_TEXTS
        or len(note) > MAX_NOTE
    ):
        return None
    day = parse_date(called)
    if day is None or not active_on(refs, staff_id, day):
        return None
    return CallbackRow(customer_id, staff_id, day, outcome, SCORE_TEXTS[score], note)


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
        source, ctx, result, problems, id_column="callback_id", parse=_parse, fast=_fast, write=callbacks_write_bulk
    )
