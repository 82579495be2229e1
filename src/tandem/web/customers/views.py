"""The customer list and the customer page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone, translation

from tandem.commissions.explanations import explain_lines
from tandem.commissions.permissions import visible_staff_ids
from tandem.commissions.selectors import customer_lines, staff_names
from tandem.customers import selectors
from tandem.customers.models import Tier
from tandem.customers.permissions import visible_customers
from tandem.sales.selectors import customer_orders
from tandem.staff.accounts import staff_for_user
from tandem.staff.selectors import staff_matching

from .. import access
from ..paging import PAGE_SIZE, offset_of, page_number, query_without_page

ORDERS_SHOWN = 20
LINES_SHOWN = 40


@login_required
def customer_list(request):
    today = timezone.localdate()
    staff = staff_for_user(request.user)
    if access.home_kind(request.user, staff) == "none":
        raise Http404
    filters = {
        "q": request.GET.get("q", "").strip()[:64],
        "tier": request.GET.get("tier", "") if request.GET.get("tier") in Tier.values else "",
        "holder": request.GET.get("holder", "").strip()[:64],
        "without_sales": request.GET.get("pool") == "1",
    }
    sort = request.GET.get("sort", "id")
    if sort not in selectors.CUSTOMER_SORTS:
        sort = "id"
    visible_staff = visible_staff_ids(request.user)
    # Who holds a customer: offered to those who see more than their own.
    holders = (
        staff_matching("", staff_ids=visible_staff, limit=500)
        if visible_staff is None or len(visible_staff) > 1
        else []
    )
    if filters["holder"] not in {h.pk for h in holders}:
        filters["holder"] = ""
    customers = selectors.customers_filtered(visible_customers(request.user, today=today), today=today, **filters)
    number = page_number(request)
    page = selectors.customer_page(customers, today=today, sort=sort, offset=offset_of(number, PAGE_SIZE), limit=PAGE_SIZE)
    context = {
        "page": page,
        "number": number,
        "filters": filters,
        "sort": sort,
        "tiers": Tier.choices,
        "holders": holders,
        "query": query_without_page(request),
        "today": today,
    }
    template = "web/customers/_table.html" if request.headers.get("HX-Request") else "web/customers/list.html"
    return render(request, template, context)


def _visible_customer(request, customer_id: str):
    customer = selectors.customer_detail(visible_customers(request.user), customer_id)
    if customer is None:
        raise Http404
    return customer


@login_required
def customer_detail(request, customer_id: str):
    customer = _visible_customer(request, customer_id)
    staff_ids = visible_staff_ids(request.user)
    context = {
        "customer": customer,
        "timeline": selectors.ownership_timeline(customer.pk),
        "orders": customer_orders(customer.pk, limit=ORDERS_SHOWN),
        "lines": customer_lines(customer_id=customer.pk, staff_ids=staff_ids, limit=LINES_SHOWN),
        "names": staff_names(),
        "today": timezone.localdate(),
    }
    return render(request, "web/customers/detail.html", context)


@login_required
def order_explain(request, customer_id: str, order_id: str):
    """The explanation of an order's lines the reader may see (htmx fragment)."""
    customer = _visible_customer(request, customer_id)
    if not customer.orders.filter(order_id=order_id).exists():
        raise Http404
    staff_ids = visible_staff_ids(request.user)
    explained = [
        (line, text)
        for line, text in explain_lines(order_id=order_id, lang=translation.get_language())
        if staff_ids is None or line.staff_id in staff_ids
    ]
    return render(
        request,
        "web/customers/_explain.html",
        {"explained": explained, "order_id": order_id, "names": staff_names()},
    )
