"""Whose service work a user may see: a service person (or salesperson)
their own queue and scorecard, a team manager the team's (and their own),
the general manager (a manager with no team), finance and admin everyone's.
A user with no staff record sees nobody's unless superuser; staff who have
left see nothing. Records of a customer follow the customer's visibility
(`customers.permissions`) as well: a person sees the complaints and
callbacks of the customers they hold, besides those assigned to them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.customers.permissions import visible_customers
from tandem.staff.accounts import staff_for_user
from tandem.staff.models import Role, Staff

from .models import Callback, Complaint

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    UserLike = AbstractUser | AnonymousUser


def visible_staff_ids(user: UserLike | None, *, today: dt.date | None = None) -> set[str] | None:
    """The staff whose queues and scorecards the user may see; None: all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    staff = staff_for_user(user)
    if staff is None:
        return None if user.is_superuser else set()
    if user.is_superuser or staff.role in (Role.FINANCE, Role.ADMIN) or staff.is_general_manager:
        return None
    if not staff.is_active_on(today or timezone.localdate()):
        return set()
    if staff.role == Role.MANAGER and staff.team_id is not None:
        members = set(Staff.objects.filter(team_id=staff.team_id).values_list("staff_id", flat=True))
        return members | {staff.pk}
    if staff.role in (Role.SALES, Role.SERVICE):
        return {staff.pk}
    return set()


def can_view_staff(user: UserLike | None, staff_id: str) -> bool:
    visible = visible_staff_ids(user)
    return visible is None or staff_id in visible


def _scoped(qs: QuerySet, user: UserLike | None, person_field: str) -> QuerySet:
    visible = visible_staff_ids(user)
    if visible is None:
        return qs
    if not visible:
        return qs.none()
    customers = visible_customers(user).values("customer_id")
    return qs.filter(Q(**{f"{person_field}__in": sorted(visible)}) | Q(customer_id__in=customers))


def visible_complaints(user: UserLike | None) -> QuerySet[Complaint]:
    """The complaints the user may see: handled by someone they may see, or
    of a customer they may see."""
    return _scoped(Complaint.objects.all(), user, "owner_id")


def visible_callbacks(user: UserLike | None) -> QuerySet[Callback]:
    """The callbacks the user may see (made or planned by someone they may
    see, or of a customer they may see)."""
    return _scoped(Callback.objects.all(), user, "staff_id")
