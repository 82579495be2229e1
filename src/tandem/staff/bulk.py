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

from .models import Role, Staff, Team


class StaffRow(NamedTuple):
    name: str
    role: str
    hired_on: dt.date | None
    left_on: dt.date | None
    # The team's name ("" for none); None when the file has no team column:
    # the team is then left as it is.
    team: str | None = None


def staff_ids() -> set[str]:
    """The ids of every staff member (for references to them)."""
    return set(Staff.objects.values_list("staff_id", flat=True))


def staff_write_bulk(rows: Mapping[str, StaffRow], *, change_reason: str = "") -> tuple[int, int]:
    """Create or update staff by id, writing only real changes, with their
    history; records the staff whose dates changed. A team named by a row
    is created when there is none of that name (in the service department
    when its first member in the rows is a service person, else in sales).
    Returns (created, updated)."""
    with transaction.atomic(savepoint=False):
        teams = _teams_ensure(rows)
        # A few rows: looked up by id; many: the whole (small) table at once.
        found = Staff.objects.filter(pk__in=list(rows)) if len(rows) <= 500 else Staff.objects.all()
        existing = {s.staff_id: s for s in found}
        creates: list[dict[str, object]] = []
        updates: list[Staff] = []
        dates_changed: list[str] = []
        for staff_id, row in rows.items():
            staff = existing.get(staff_id)
            team_id = None if not row.team else teams[row.team]
            if staff is None:
                creates.append(
                    {"staff_id": staff_id, **row._asdict(), "team_id": team_id, "user_id": None}
                )
                creates[-1].pop("team")
                continue
            keep_team = row.team is None
            if (staff.name, staff.role, staff.hired_on, staff.left_on) == row[:4] and (
                keep_team or staff.team_id == team_id
            ):
                continue
            if (staff.hired_on, staff.left_on) != (row.hired_on, row.left_on):
                dates_changed.append(staff_id)
            staff.name, staff.role, staff.hired_on, staff.left_on = row[:4]
            if not keep_team:
                staff.team_id = team_id
            updates.append(staff)
        insert_with_history(Staff, creates, change_reason=change_reason)
        update_with_history(
            updates, Staff, ["name", "role", "hired_on", "left_on", "team"], change_reason=change_reason
        )
        if dates_changed:
            staff_changed(dates_changed)
    return len(creates), len(updates)


def _teams_ensure(rows: Mapping[str, StaffRow]) -> dict[str, int]:
    """Team name -> id for the teams the rows name, creating the missing."""
    named: dict[str, str] = {}
    for row in rows.values():
        if row.team and row.team not in named:
            named[row.team] = row.role
    if not named:
        return {}
    teams = dict(Team.objects.filter(name__in=list(named)).values_list("name", "pk"))
    for name, role in named.items():
        if name not in teams:
            department = "service" if role == Role.SERVICE else "sales"
            teams[name] = Team.objects.create(name=name, department=department).pk
    return teams
