"""Writes of the staff domain, one at a time (the bulk variant, for the
importer, is `bulk.staff_write_bulk`); both check rows with `rules`."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tandem.core.changes import staff_changed
from tandem.core.rules import raise_first

from .models import Staff
from .rules import staff_violations


def staff_upsert(
    *,
    staff_id: str,
    name: str,
    role: str,
    hired_on: dt.date | None = None,
    left_on: dt.date | None = None,
) -> tuple[Staff, bool]:
    """Create or update a staff member by id; returns (staff, changed).
    A change of hired_on/left_on is recorded as a change fact. Raises
    RuleError (an InvalidInput) for a row the rules refuse."""
    raise_first(staff_violations(staff_id=staff_id, name=name, role=role, hired_on=hired_on, left_on=left_on))
    with transaction.atomic():
        staff = Staff.objects.select_for_update().filter(pk=staff_id).first()
        if staff is None:
            staff = Staff.objects.create(
                staff_id=staff_id, name=name, role=role, hired_on=hired_on, left_on=left_on
            )
            return staff, True
        if (staff.name, staff.role, staff.hired_on, staff.left_on) == (name, role, hired_on, left_on):
            return staff, False
        dates_changed = (staff.hired_on, staff.left_on) != (hired_on, left_on)
        staff.name, staff.role, staff.hired_on, staff.left_on = name, role, hired_on, left_on
        staff.save(update_fields=["name", "role", "hired_on", "left_on"])
        if dates_changed:
            staff_changed([staff_id])
    return staff, True
