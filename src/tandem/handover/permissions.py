"""Who may record a departure and hand over whose customers: the general
manager (a manager with no team), admins and superusers everyone's; a team
manager only their own team's members; nobody else."""

from __future__ import annotations

from typing import Any

from tandem.staff.accounts import staff_for_user
from tandem.staff.models import Role, Staff


def may_hand_over(user: Any, leaver: Staff) -> bool:
    if user is None or not user.is_active:
        return False
    if user.is_superuser:
        return True
    actor = staff_for_user(user)
    if actor is None:
        return False
    if actor.role == Role.ADMIN or actor.is_general_manager:
        return True
    return (
        actor.role == Role.MANAGER and actor.team_id is not None and actor.team_id == leaver.team_id
    )
