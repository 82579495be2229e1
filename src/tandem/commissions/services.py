"""Writes of the commissions domain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import connection

from .models import DirtyCustomer

_BATCH = 500


def customers_mark_dirty(
    *, customer_ids: Iterable[str], since: Mapping[str, date] | None = None
) -> int:
    """Record that these customers' commission inputs changed, so the next
    incremental run recomputes them. Called inside the writer's transaction,
    so a rolled-back import marks nothing.

    `since` gives, for some of them, the earliest day whose lines the change
    can affect (a new order: its date); the others may differ anywhere. A
    customer marked twice keeps the earlier day (no day beats any day)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return 0
    since = since or {}
    table = DirtyCustomer._meta.db_table
    # Dates as ISO text: SQLite keeps dates as text, and PostgreSQL casts an
    # untyped parameter to the column's date type.
    sql = (
        f"INSERT INTO {table} (customer_id, since) VALUES (%s, %s) "
        "ON CONFLICT (customer_id) DO UPDATE SET since = CASE "
        f"WHEN {table}.since IS NULL OR excluded.since IS NULL THEN NULL "
        f"WHEN excluded.since < {table}.since THEN excluded.since ELSE {table}.since END"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 10_000):
            rows = []
            for customer_id in ids[start : start + 10_000]:
                day = since.get(customer_id)
                rows.append((customer_id, None if day is None else day.isoformat()))
            cursor.executemany(sql, rows)
    return len(ids)


def customer_preview(*, customer_id: str) -> None:
    """Live preview: recompute one customer's lines at once, inside the
    caller's transaction, so a new order's commission shows immediately."""
    from .runs import customer_preview as recompute

    recompute(customer_id=customer_id)
