"""Whose commission a user may see: salespeople and service staff their own,
a team manager the members of the team (and their own), the general manager,
finance and admin everyone. A user with no staff record sees nobody's unless
superuser."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.staff.accounts import staff_for_user
from tandem.staff.models import Role, Staff

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    UserLike = AbstractUser | AnonymousUser


def visible_staff_ids(user: UserLike | None) -> set[str] | None:
    """The staff ids whose commission lines the user may see; None means all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    staff = staff_for_user(user)
    if staff is None:
        return None if user.is_superuser else set()
    if user.is_superuser or staff.role in (Role.FINANCE, Role.ADMIN) or staff.is_general_manager:
        return None
    if staff.role == Role.MANAGER and staff.team_id is not None:
        members = set(
            Staff.objects.filter(team_id=staff.team_id).values_list("staff_id", flat=True)
        )
        return members | {staff.pk}
    if staff.role in (Role.SALES, Role.SERVICE):
        return {staff.pk}
    return set()


def can_view_commission_of(user: UserLike | None, staff_id: str) -> bool:
    visible = visible_staff_ids(user)
    return visible is None or staff_id in visible
