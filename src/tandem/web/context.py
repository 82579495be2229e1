"""What every page's shell needs: the user's staff record and role, the
navigation they may use, and the unread notification count."""

from __future__ import annotations

from tandem.staff.accounts import staff_for_user

from . import access
from .notifications import UNREAD_SHOWN_MAX, unread_count


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    staff = staff_for_user(user)
    unread = unread_count(user.pk)
    match = getattr(request, "resolver_match", None)
    area = ""
    if match is not None:
        area = "home" if match.view_name == "web:home" else match.namespace
    return {
        "active": area,
        "me": staff,
        "nav": access.navigation(user, staff),
        "unread": unread,
        "unread_shown": f"{UNREAD_SHOWN_MAX}+" if unread > UNREAD_SHOWN_MAX else str(unread),
    }
