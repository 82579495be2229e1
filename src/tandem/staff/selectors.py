"""Reads of staff that pages share."""

from __future__ import annotations

from django.db.models import Q

from .models import Staff


def staff_matching(q: str, *, staff_ids: set[str] | None, limit: int) -> list[Staff]:
    """Staff whose id starts with `q` or whose name contains it, among
    `staff_ids` (None: everyone)."""
    rows = Staff.objects.select_related("team").filter(Q(staff_id__istartswith=q) | Q(name__icontains=q))
    if staff_ids is not None:
        rows = rows.filter(pk__in=staff_ids)
    return list(rows.order_by("staff_id")[:limit])
