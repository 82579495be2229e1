"""Bounded paging: pages of a list without counting the list (a COUNT over a
million orders costs more than the page). A page number past MAX_OFFSET
rows is refused: narrow the filters instead."""

from __future__ import annotations

from django.http import Http404

PAGE_SIZE = 50
MAX_OFFSET = 10_000


def page_number(request) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    return max(number, 1)


def offset_of(number: int, size: int = PAGE_SIZE) -> int:
    offset = (number - 1) * size
    if offset > MAX_OFFSET:
        raise Http404
    return offset


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
