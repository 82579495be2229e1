"""Which customers a user may see.

- salespeople and service staff: the customers they hold a role on today
  (an assignment row covering today);
- a manager with a team: the customers any member of the team holds a role
  on today (also members who have left but whose rows were never handed
  over: the manager is the one who must hand them over);
- the general manager (a manager with no team), finance and admin: all;
- a user with no staff record: none, unless superuser.
Staff who have left (left_on <= today) see nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.staff.accounts import staff_for_user
from tandem.staff.models import Role, Staff

from .models import Assignment, Customer

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    UserLike = AbstractUser | AnonymousUser


def assignments_covering(day: dt.date) -> QuerySet[Assignment]:
    """Assignment rows in force on `day` (valid_from <= day < valid_to)."""
    return Assignment.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )


def sees_all_customers(staff: Staff) -> bool:
    return staff.role in (Role.FINANCE, Role.ADMIN) or staff.is_general_manager


def visible_customers(user: UserLike | None, *, today: dt.date | None = None) -> QuerySet[Customer]:
    if user is None or not user.is_authenticated or not user.is_active:
        return Customer.objects.none()
    staff = staff_for_user(user)
    if staff is None:
        return Customer.objects.all() if user.is_superuser else Customer.objects.none()
    today = today or timezone.localdate()
    if user.is_superuser or sees_all_customers(staff):
        return Customer.objects.all()
    if not staff.is_active_on(today):
        return Customer.objects.none()
    rows = assignments_covering(today)
    if staff.role == Role.MANAGER and staff.team_id is not None:
        rows = rows.filter(staff__team_id=staff.team_id)
    elif staff.role in (Role.SALES, Role.SERVICE):
        rows = rows.filter(staff_id=staff.pk)
    else:
        return Customer.objects.none()
    return Customer.objects.filter(pk__in=rows.values("customer_id"))


def can_view_customer(user: UserLike | None, customer: Customer | str) -> bool:
    customer_id = customer if isinstance(customer, str) else customer.pk
    return visible_customers(user).filter(pk=customer_id).exists()
