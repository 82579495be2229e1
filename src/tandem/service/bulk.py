"""Writes of many service desk records at once (the importer's): the bulk
variants of `services.followup_record`, `callback_record`,
`complaint_record` and `survey_answer_record`, for rows already checked by
`rules` and whose references exist.

Rows are by id, as the exchange files give them; only real changes are
written, with their history rows (``+`` for new records, ``~`` for changed
ones). The fields a file does not carry (a callback's plan, praise, next
step; a complaint's handler, resolution) are kept on update and take their
defaults on creation: a new complaint is handled by the customer's service
participant on the day it was opened. Nothing here moves commission, so no
change fact is recorded. Each function runs in the caller's transaction
(one of its own when there is none), without a savepoint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Model

from tandem.core.db import load_without_indexes
from tandem.core.history import insert_with_history, update_with_history
from tandem.customers.models import Assignment
from tandem.staff.models import Staff

from .choices import ComplaintStatus
from .models import Callback, Complaint, FollowUp, SurveyAnswer

# Rows per `IN (...)` list: well under every database's limit of parameters.
CHUNK = 500
# A load of at least this many new rows, and at least a quarter of the
# table, drops the table's secondary indexes and builds them again after.
REBUILD_INDEXES_FROM = 50_000


class FollowUpRow(NamedTuple):
    customer_id: str
    staff_id: str
    followed_on: dt.date
    channel: str
    note: str


class CallbackRow(NamedTuple):
    customer_id: str
    staff_id: str
    called_on: dt.date
    outcome: str
    score: int | None
    note: str


class ComplaintRow(NamedTuple):
    customer_id: str
    opened_on: dt.date
    severity: str
    escalated: bool
    channel: str
    resolved_on: dt.date | None
    note: str


class SurveyRow(NamedTuple):
    customer_id: str
    answered_on: dt.date
    answer: str
    score: int | None
    comment: str


_FOLLOWUP_FIELDS = ("customer_id", "staff_id", "followed_on", "channel", "note")
_CALLBACK_FIELDS = ("customer_id", "staff_id", "called_on", "outcome", "score", "note")
_COMPLAINT_FIELDS = ("customer_id", "opened_on", "severity", "escalated", "channel", "resolved_on", "note")
_SURVEY_FIELDS = ("customer_id", "answered_on", "answer", "score", "comment")


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def staff_dates() -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """staff_id -> (hired_on, left_on), for "active that day" checks."""
    return {sid: (hired, left) for sid, hired, left in Staff.objects.values_list("staff_id", "hired_on", "left_on")}


def _stored(model: Any, fields: Sequence[str], ids: Sequence[str], row: type) -> dict[str, Any]:
    """The stored records among ``ids``, as rows of the file's fields. A
    file that is a large part of the table reads the table whole."""
    pk = model._meta.pk.attname  # type: ignore[union-attr]
    count = model.objects.count()
    if count == 0:
        return {}
    query = model.objects.values_list(pk, *fields)
    if len(ids) * 4 >= count:
        wanted = set(ids)
        return {ident: row(*values) for ident, *values in query.iterator(chunk_size=10_000) if ident in wanted}
    found: dict[str, Any] = {}
    for chunk in _chunks(ids):
        found.update((ident, row(*values)) for ident, *values in query.filter(pk__in=chunk))
    return found


def _write(
    model: Any,
    fields: Sequence[str],
    rows: Mapping[str, Any],
    row: type,
    *,
    change_reason: str,
    on_create: Any = None,
    on_update: Any = None,
) -> tuple[int, int]:
    """Create the new ids, update the changed ones; (created, updated).
    ``on_create(ids)`` gives extra values per new id (dict); ``on_update(record,
    new_row)`` may set fields beyond the file's and returns their names."""
    pk = model._meta.pk.attname  # type: ignore[union-attr]
    ids = sorted(rows)
    stored = _stored(model, fields, ids, row)
    new = [ident for ident in ids if ident not in stored]
    changed = [ident for ident in ids if ident in stored and stored[ident] != rows[ident]]
    keys = (pk, *fields)
    creates = [dict(zip(keys, (ident, *rows[ident]), strict=True)) for ident in new]
    if on_create is not None and new:
        extra = on_create(new)
        for ident, record in zip(new, creates, strict=True):
            record.update(extra[ident])
    table = model._meta.db_table
    history = model.history.model._meta.db_table  # type: ignore[attr-defined]
    rebuild = len(creates) >= REBUILD_INDEXES_FROM and len(creates) * 4 >= model.objects.count() + len(creates)
    if rebuild:
        with load_without_indexes(table), load_without_indexes(history):
            insert_with_history(model, creates, change_reason=change_reason)
    else:
        insert_with_history(model, creates, change_reason=change_reason)
    updates: list[Model] = []
    update_fields: set[str] = set()
    for chunk in _chunks(changed):
        for record in model.objects.filter(pk__in=chunk):
            new_row = rows[record.pk]
            for name, value in zip(fields, new_row, strict=True):
                setattr(record, name, value)
            if on_update is not None:
                update_fields.update(on_update(record, new_row))
            updates.append(record)
    names = [name.removesuffix("_id") if name.endswith("_id") and name != pk else name for name in fields]
    update_with_history(updates, model, [*names, *sorted(update_fields)], change_reason=change_reason)
    if rebuild and connection.vendor == "postgresql":
        # The rebuilt indexes answer the next reads at once.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return len(creates), len(updates)


def followups_write_bulk(rows: Mapping[str, FollowUpRow], *, change_reason: str = "") -> tuple[int, int]:
    with transaction.atomic(savepoint=False):
        return _write(FollowUp, _FOLLOWUP_FIELDS, rows, FollowUpRow, change_reason=change_reason)


def callbacks_write_bulk(rows: Mapping[str, CallbackRow], *, change_reason: str = "") -> tuple[int, int]:
    with transaction.atomic(savepoint=False):
        return _write(Callback, _CALLBACK_FIELDS, rows, CallbackRow, change_reason=change_reason)


def surveys_write_bulk(rows: Mapping[str, SurveyRow], *, change_reason: str = "") -> tuple[int, int]:
    with transaction.atomic(savepoint=False):
        return _write(SurveyAnswer, _SURVEY_FIELDS, rows, SurveyRow, change_reason=change_reason)


def complaints_write_bulk(rows: Mapping[str, ComplaintRow], *, change_reason: str = "") -> tuple[int, int]:
    """New complaints are handled by the customer's service participant on
    the day they were opened; a resolved one is marked so (a changed one
    keeps its handler, and stays in hand when it is no longer resolved)."""

    def on_create(ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        owners = service_participants([(rows[i].customer_id, rows[i].opened_on) for i in ids])
        return {
            i: {
                "owner_id": owners.get((rows[i].customer_id, rows[i].opened_on)),
                "status": ComplaintStatus.RESOLVED if rows[i].resolved_on else ComplaintStatus.OPEN,
            }
            for i in ids
        }

    def on_update(record: Complaint, row: ComplaintRow) -> list[str]:
        if row.resolved_on is not None:
            record.status = ComplaintStatus.RESOLVED
        elif record.status == ComplaintStatus.RESOLVED:
            record.status = ComplaintStatus.OPEN
        return ["status"]

    with transaction.atomic(savepoint=False):
        return _write(
            Complaint, _COMPLAINT_FIELDS, rows, ComplaintRow, change_reason=change_reason,
            on_create=on_create, on_update=on_update,
        )  # fmt: skip


def service_participants(pairs: Iterable[tuple[str, dt.date]]) -> dict[tuple[str, dt.date], str]:
    """(customer_id, day) -> the service participant that day (the row
    covering it, if its holder is active then), for many pairs at once."""
    wanted = sorted(set(pairs))
    customers = sorted({cid for cid, _day in wanted})
    rows: dict[str, list[tuple[dt.date, dt.date | None, str]]] = {}
    for chunk in _chunks(customers):
        for cid, valid_from, valid_to, sid in Assignment.objects.filter(
            customer_id__in=chunk, role="service"
        ).values_list("customer_id", "valid_from", "valid_to", "staff_id"):
            rows.setdefault(cid, []).append((valid_from, valid_to, sid))
    dates = staff_dates()
    found: dict[tuple[str, dt.date], str] = {}
    for cid, day in wanted:
        for valid_from, valid_to, sid in rows.get(cid, ()):
            if valid_from <= day and (valid_to is None or day < valid_to):
                hired, left = dates[sid]
                if (hired is None or hired <= day) and (left is None or day < left):
                    found[(cid, day)] = sid
                break  # rows of one customer and role never overlap
    return found


__all__ = [
    "CallbackRow",
    "ComplaintRow",
    "FollowUpRow",
    "SurveyRow",
    "callbacks_write_bulk",
    "complaints_write_bulk",
    "followups_write_bulk",
    "service_participants",
    "staff_dates",
    "surveys_write_bulk",
]
