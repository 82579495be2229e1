"""Writing many rows of a model that keeps history (django-simple-history), fast.

``insert_with_history`` writes the same rows as django-simple-history's
``bulk_create_with_history`` (the model's rows, then one ``+`` history row
each, with the same change reason, user and date), but with raw
``executemany`` instead of the ORM's per-value machinery, which costs seconds
per ten thousand rows. Values are converted by the database backend's own
adapters, so they are stored exactly as the ORM would store them.
Updates go through ``update_with_history``: simple-history's own
``bulk_update_with_history`` (imports change few rows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_history_model_for_model,
)

from .db import load_rows, serial_ids_reserve

_PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a Python value of ``field`` becomes a query parameter; None when
    it is passed as is."""
    internal = field.get_internal_type()
    if isinstance(field, models.ForeignKey):
        target = field.target_field.get_internal_type()
        if target in _PLAIN:
            return None
        internal = target
    ops = connection.ops
    if internal == "DateField":
        return ops.adapt_datefield_value
    if internal == "DateTimeField":
        return ops.adapt_datetimefield_value
    if internal == "DecimalField":

        def decimal(value: Any) -> Any:
            return ops.adapt_decimalfield_value(
                value, getattr(field, "max_digits", None), getattr(field, "decimal_places", None)
            )

        return decimal
    if internal in _PLAIN:
        return None

    def generic(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    return generic


def _prepare(fields: Sequence[models.Field], rows: list[list[Any]]) -> None:
    """Turn the rows' Python values into query parameters, in place."""
    converters = [(i, c) for i, f in enumerate(fields) if (c := _converter(f)) is not None]
    if not converters:
        return
    for row in rows:
        for i, convert in converters:
            value = row[i]
            if value is not None:
                row[i] = convert(value)


def _insert(table: str, fields: Sequence[models.Field], rows: Sequence[Sequence[Any]]) -> None:
    load_rows(table, [str(f.column) for f in fields], rows)


def insert_with_history(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    change_reason: str = "",
    history_user_id: Any = None,
) -> None:
    """Insert new rows of ``model`` (dicts of attname -> value; missing
    fields take their defaults; an auto primary key is allocated) and a
    creation history row for each."""
    if not rows:
        return
    if connection.vendor not in ("sqlite", "postgresql"):
        objs = [model(**row) for row in rows]
        bulk_create_with_history(objs, model, default_change_reason=change_reason)
        return
    meta = model._meta
    pk = meta.pk
    auto_pk = isinstance(pk, models.AutoField)  # BigAutoField is one too
    fields = [f for f in meta.concrete_fields if not (auto_pk and f.primary_key)]
    first = rows[0].keys()
    if all(row.keys() == first for row in rows):
        # The usual case (one writer's rows, each with the same keys): the
        # given fields picked in C, then the defaults of the others.
        given = [f for f in fields if f.attname in first]
        rest = [f for f in fields if f.attname not in first]
        tail = [f.get_default() for f in rest]
        fields = [*given, *rest]
        pick = itemgetter(*(f.attname for f in given))
        if len(given) == 1:
            values = [[pick(row), *tail] for row in rows]
        else:
            values = [[*pick(row), *tail] for row in rows]
    else:
        defaults = {f.attname: f.get_default() for f in fields if f.attname not in first}
        values = [[row.get(f.attname, defaults.get(f.attname)) for f in fields] for row in rows]
    pk_values: list[Any]
    if auto_pk:
        pk_values = serial_ids_reserve(model._meta.db_table, str(model._meta.pk.column), len(rows))
        fields = [pk, *fields]
        values = [[pk_value, *row] for pk_value, row in zip(pk_values, values, strict=True)]
    _prepare(fields, values)
    _insert(meta.db_table, fields, values)

    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = get_history_model_for_model(model)
    position = {f.attname: i for i, f in enumerate(fields)}
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    tracked: list[models.Field] = []
    indexes: list[int] = []
    constant_fields: list[models.Field] = []
    constants: list[Any] = []
    for f in history._meta.concrete_fields:
        if f.primary_key:
            continue  # history_id: the database assigns it
        if f.attname in position:
            tracked.append(f)
            indexes.append(position[f.attname])
            continue
        if f.attname == "history_date":
            constants.append(now)
        elif f.attname == "history_type":
            constants.append("+")
        elif f.attname == "history_change_reason":
            constants.append(change_reason or None)
        elif f.attname == "history_user_id":
            constants.append(history_user_id)  # an integer key: passed as is
        else:
            raise RuntimeError(f"unexpected history field {history.__name__}.{f.attname}")
        constant_fields.append(f)
    # The model rows hold query parameters already; the constants too.
    take = itemgetter(*indexes)
    if len(indexes) == 1:
        history_rows = [[take(row), *constants] for row in values]
    else:
        history_rows = [[*take(row), *constants] for row in values]
    _insert(history._meta.db_table, [*tracked, *constant_fields], history_rows)


UPDATE_BATCH = 500


def update_with_history(
    objects: Sequence[models.Model], model: type[models.Model], fields: Sequence[str], *, change_reason: str = ""
) -> None:
    """Save ``fields`` of changed instances of ``model`` with a ``~`` history
    row each (simple-history's bulk update, in batches)."""
    if objects:
        bulk_update_with_history(
            list(objects), model, list(fields), batch_size=UPDATE_BATCH, default_change_reason=change_reason
        )
