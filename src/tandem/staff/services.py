"""Writes of the staff domain."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from tandem.core.changes import staff_changed
from tandem.core.errors import InvalidInput

from .models import Role, Staff


def staff_upsert(
    *,
    staff_id: str,
    name: str,
    role: str,
    hired_on: dt.date | None = None,
    left_on: dt.date | None = None,
) -> tuple[Staff, bool]:
    """Create or update a staff member by id; returns (staff, changed).
    A change of hired_on/left_on is recorded as a change fact."""
    if not staff_id:
        raise InvalidInput(_("%(field)s不能为空") % {"field": _("员工编号")})
    if len(staff_id) > 64:
        raise InvalidInput(_("%(field)s长度超过 %(max)d 个字符") % {"field": _("员工编号"), "max": 64})
    if not name:
        raise InvalidInput(_("%(field)s不能为空") % {"field": _("姓名")})
    if len(name) > 100:
        raise InvalidInput(_("%(field)s长度超过 %(max)d 个字符") % {"field": _("姓名"), "max": 100})
    if role not in Role.values:
        raise InvalidInput(
            _("未知的角色「%(value)s」（允许：%(allowed)s）")
            % {"value": role, "allowed": ", ".join(Role.values)}
        )
    if hired_on is not None and left_on is not None and left_on <= hired_on:
        raise InvalidInput(_("离职日期必须晚于入职日期"))
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
