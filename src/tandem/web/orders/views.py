"""The order list: the orders and refunds of the customers the user may see."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from tandem.sales import selectors
from tandem.sales.permissions import sees_all_orders, visible_orders
from tandem.staff.accounts import staff_for_user

from .. import access
from ..paging import PAGE_SIZE, offset_of, page_number, query_without_page


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@login_required
def order_list(request):
    today = timezone.localdate()
    if access.home_kind(request.user, staff_for_user(request.user)) == "none":
        raise Http404
    filters = {
        "q": request.GET.get("q", "").strip()[:64],
        "kind": request.GET.get("kind", "") if request.GET.get("kind") in ("sale", "refund") else "",
        "since": _date(request.GET.get("since", "")),
        "until": _date(request.GET.get("until", "")),
    }
    sort = request.GET.get("sort", "-date")
    if sort not in selectors.ORDER_SORTS:
        sort = "-date"
    orders = selectors.orders_filtered(visible_orders(request.user, today=today), **filters)
    number = page_number(request)
    page = selectors.order_page(
        orders,
        sort=sort,
        offset=offset_of(number, PAGE_SIZE),
        limit=PAGE_SIZE,
        narrow=not sees_all_orders(request.user, today=today),
    )
    context = {
        "page": page,
        "number": number,
        "filters": filters,
        "sort": sort,
        "query": query_without_page(request),
    }
    template = "web/orders/_table.html" if request.headers.get("HX-Request") else "web/orders/list.html"
    return render(request, template, context)
