"""Writes of the commissions domain."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from .models import DirtyCustomer

_BATCH = 500


def customers_mark_dirty(*, customer_ids: Iterable[str]) -> int:
    """Record that these customers' commission inputs changed, so the next
    incremental run recomputes them. Called inside the writer's transaction,
    so a rolled-back import marks nothing."""
    ids = sorted(set(customer_ids))
    if not ids:
        return 0
    table = DirtyCustomer._meta.db_table
    if connection.vendor == "postgresql":
        sql = f"INSERT INTO {table} (customer_id) VALUES (%s) ON CONFLICT DO NOTHING"
    else:
        sql = f"INSERT OR IGNORE INTO {table} (customer_id) VALUES (%s)"
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 10_000):
            cursor.executemany(sql, [(i,) for i in ids[start : start + 10_000]])
    return len(ids)


def customer_preview(*, customer_id: str) -> None:
    """Live preview: recompute one customer's lines at once, inside the
    caller's transaction, so a new order's commission shows immediately."""
    from .runs import customer_preview as recompute

    recompute(customer_id=customer_id)
