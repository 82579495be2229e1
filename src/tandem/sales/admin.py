"""Admin of orders and refunds: 50k+ rows, so the list joins the customer in
one query, never counts the whole table on search, and picks related rows
by id.

A sale is written by `order_record`, a refund by `refund_record`: each has
its own form with exactly the fields its service takes (a refund's customer
is its order's). The services check the rules and record the change; the
admin only shows their refusal on the form. Orders are never deleted here:
a sale is corrected by editing it, a refund by refunding."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tandem.core.admin import ServiceAdmin, ServiceForm
from tandem.customers.permissions import visible_customers

from .models import Order
from .services import order_record, refund_record

# The add page of a refund: /admin/sales/order/add/?kind=refund
REFUND = "refund"


class KindFilter(admin.SimpleListFilter):
    title = _("类型")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("sale", _("订单")), (REFUND, _("退款"))]

    def queryset(self, request, queryset):
        if self.value() == "sale":
            return queryset.filter(refund_of__isnull=True)
        if self.value() == REFUND:
            return queryset.filter(refund_of__isnull=False)
        return queryset


class SaleForm(ServiceForm):
    class Meta:
        model = Order
        fields = ["order_id", "customer", "order_date", "amount", "category"]

    def service_call(self) -> Order:
        data = self.cleaned_data
        return order_record(
            order_id=self.instance.pk,
            customer=data["customer"],
            order_date=data["order_date"],
            amount=data["amount"],
            category=data["category"],
        )


class RefundForm(ServiceForm):
    class Meta:
        model = Order
        fields = ["order_id", "refund_of", "order_date", "amount"]
        labels = {"order_id": _("退款编号"), "refund_of": _("所退订单"), "order_date": _("退款日期")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "refund_of" in self.fields:
            self.fields["refund_of"].required = True

    def service_call(self) -> Order:
        data = self.cleaned_data
        return refund_record(
            refund_id=self.instance.pk,
            order=data["refund_of"],
            refund_date=data["order_date"],
            amount=data["amount"],
        )


@admin.register(Order)
class OrderAdmin(ServiceAdmin):
    list_display = ["order_id", "order_date", "customer", "amount", "category", "refund_of_id"]
    # A date filter that needs no query (date_hierarchy scans the table for its years).
    list_filter = [KindFilter, "order_date", "category"]
    search_fields = ["=order_id", "customer__customer_id", "customer__name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer", "refund_of"]
    ordering = ["-order_date", "-order_id"]
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(customer__in=visible_customers(request.user).values("customer_id"))

    @staticmethod
    def is_refund(request, obj) -> bool:
        if obj is not None:
            return obj.refund_of_id is not None
        return request.GET.get("kind") == REFUND

    def get_fields(self, request, obj=None):
        if self.is_refund(request, obj):
            return ["order_id", "refund_of", "order_date", "amount"] + (["customer"] if obj else [])
        return ["order_id", "customer", "order_date", "amount", "category"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # The id is the record's key; a refund's customer is its order's.
        return ["order_id", "customer"] if obj.refund_of_id else ["order_id"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = RefundForm if self.is_refund(request, obj) else SaleForm
        return super().get_form(request, obj, change=change, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["is_refund"] = self.is_refund(request, obj)
        if add:
            context["title"] = _("登记退款") if context["is_refund"] else _("登记订单")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST and obj.refund_of_id:
            # "Save and add another" of a refund opens the refund form again.
            response["Location"] = f"{request.path}?kind={REFUND}"
        return response
