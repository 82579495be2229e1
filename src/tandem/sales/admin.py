"""Admin of orders and refunds: 50k+ rows, so the list joins the customer in
one query, never counts the whole table on search, and picks related rows
by id. Edits are plain ORM writes and record that the customer's orders changed."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from tandem.core.changes import orders_changed
from tandem.customers.permissions import visible_customers

from .models import Order


class KindFilter(admin.SimpleListFilter):
    title = _("类型")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("sale", _("订单")), ("refund", _("退款"))]

    def queryset(self, request, queryset):
        if self.value() == "sale":
            return queryset.filter(refund_of__isnull=True)
        if self.value() == "refund":
            return queryset.filter(refund_of__isnull=False)
        return queryset


class OrderForm(forms.ModelForm):
    """The exchange format's rules for refunds, checked on admin edits too."""

    class Meta:
        model = Order
        fields = ["order_id", "customer", "order_date", "amount", "category", "refund_of"]

    def clean(self):
        data = super().clean() or self.cleaned_data
        original, amount = data.get("refund_of"), data.get("amount")
        day, customer = data.get("order_date"), data.get("customer")
        if original is not None:
            if original.refund_of_id is not None:
                raise forms.ValidationError(_("不能对退款再退款。"))
            if self.instance.pk and original.pk == self.instance.pk:
                raise forms.ValidationError(_("订单不能退自己。"))
            if customer is not None and original.customer_id != customer.pk:
                raise forms.ValidationError(_("退款的客户必须与原订单一致。"))
            if day is not None and day < original.order_date:
                raise forms.ValidationError(_("退款日期不能早于原订单日期。"))
            if amount is not None:
                others = (
                    original.refunds.exclude(pk=self.instance.pk).aggregate(s=Sum("amount"))["s"]
                    or 0
                )
                if others + amount > original.amount:
                    raise forms.ValidationError(_("退款合计不能超过原订单金额。"))
        elif self.instance.pk and amount is not None:
            refunded = self.instance.refunds.aggregate(s=Sum("amount"))["s"] or 0
            if refunded > amount:
                raise forms.ValidationError(_("订单金额不能低于已退款合计。"))
        return data


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    form = OrderForm
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

    def get_readonly_fields(self, request, obj=None):
        return ["order_id"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            before = Order.objects.filter(pk=obj.pk).values_list("customer_id", flat=True).first()
        super().save_model(request, obj, form, change)
        orders_changed({i: None for i in (obj.customer_id, before) if i})

    def delete_model(self, request, obj):
        customer_id = obj.customer_id
        super().delete_model(request, obj)
        orders_changed({customer_id: None})

    def delete_queryset(self, request, queryset):
        ids = set(queryset.values_list("customer_id", flat=True))
        super().delete_queryset(request, queryset)
        orders_changed(dict.fromkeys(ids))
