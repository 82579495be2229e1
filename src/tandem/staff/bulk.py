"""Writes of many staff members at once (the importer's): the bulk variant
of `services.staff_upsert`, for rows already checked by `rules`, in the
caller's transaction (one of its own when there is none)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import NamedTuple

from django.db import transaction

from tandem.core.changes import staff_changed
from tandem.core.history import insert_with_history, update_with_history

from .models import Staff


class StaffRow(NamedTuple):
    name: str
    role: str
    hired_on: dt.date | None
    left_on: dt.date | None


def staff_ids() -> set[str]:
    """The ids of every staff member (for references to them)."""
    return set(Staff.objects.values_list("staff_id", flat=True))


def staff_write_bulk(rows: Mapping[str, StaffRow], *, change_reason: str = "") -> tuple[int, int]:
    """Create or update staff by id, writing only real changes, with their
    history; records the staff whose dates changed. Returns (created,
    updated)."""
    with transaction.atomic(savepoint=False):
        # A few rows: looked up by id; many: the whole (small) table at once.
        found = Staff.objects.filter(pk__in=list(rows)) if len(rows) <= 500 else Staff.objects.all()
        existing = {s.staff_id: s for s in found}
        creates: list[dict[str, object]] = []
        updates: list[Staff] = []
        dates_changed: list[str] = []
        for staff_id, row in rows.items():
            staff = existing.get(staff_id)
            if staff is None:
                creates.append({"staff_id": staff_id, **row._asdict(), "team_id": None, "user_id": None})
                continue
            if (staff.name, staff.role, staff.hired_on, staff.left_on) == row:
                continue
            if (staff.hired_on, staff.left_on) != (row.hired_on, row.left_on):
                dates_changed.append(staff_id)
            staff.name, staff.role, staff.hired_on, staff.left_on = row
            updates.append(staff)
        insert_with_history(Staff, creates, change_reason=change_reason)
        update_with_history(updates, Staff, ["name", "role", "hired_on", "left_on"], change_reason=change_reason)
        if dates_changed:
            staff_changed(dates_changed)
    return len(creates), len(updates)
