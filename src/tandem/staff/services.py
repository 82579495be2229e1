"""Writes of the staff domain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from tandem.commissions.services import customers_mark_dirty
from tandem.errors import InvalidInput

from .models import Role, Staff


def customers_affected_by_staff(staff_ids: Iterable[str]) -> set[str]:
    """Customers whose commission depends on whether these staff members are
    active: those with an assignment to them or developed by them, and the
    customers referred by those they serve (the referrer's service owner is
    credited on referral orders)."""
    from tandem.customers.models import Assignment, Customer, OwnerRole

    ids = list(set(staff_ids))
    found: set[str] = set()
    served: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for customer_id, role in Assignment.objects.filter(staff_id__in=chunk).values_list(
            "customer_id", "role"
        ):
            found.add(customer_id)
            if role == OwnerRole.SERVICE:
                served.add(customer_id)
        found.update(
            Customer.objects.filter(acquired_by_id__in=chunk).values_list("customer_id", flat=True)
        )
    served_list = list(served)
    for start in range(0, len(served_list), 500):
        found.update(
            Customer.objects.filter(
                referred_by_id__in=served_list[start : start + 500]
            ).values_list("customer_id", flat=True)
        )
    return found


def staff_upsert(
    *,
    staff_id: str,
    name: str,
    role: str,
    hired_on: dt.date | None = None,
    left_on: dt.date | None = None,
) -> tuple[Staff, bool]:
    """Create or update a staff member by id; returns (staff, changed).
    A change of hired_on/left_on marks the customers it affects dirty."""
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
            customers_mark_dirty(customer_ids=customers_affected_by_staff([staff_id]))
    return staff, True
