"""In-app notifications: written when something a user waits for happens
(a job they submitted finished), listed on the notifications page, counted
in the top bar."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from .models import Notification

UNREAD_SHOWN_MAX = 99


def notification_send(*, user_id: int, text: str, url: str = "") -> Notification:
    return Notification.objects.create(user_id=user_id, text=text[:300], url=url[:200])


def notifications_mark_read(*, user_id: int, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (all, or those of `ids`);
    returns how many changed. Another user's ids change nothing."""
    rows = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())


def notifications_of(user_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user_id)


def unread_count(user_id: int) -> int:
    """Unread notifications, counted up to UNREAD_SHOWN_MAX + 1 (the badge shows "99+")."""
    ids = Notification.objects.filter(user_id=user_id, read_at__isnull=True).values("id")
    return len(ids[: UNREAD_SHOWN_MAX + 1])
