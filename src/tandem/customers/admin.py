"""Admin pages of customers, contacts and the ownership ledger. Edits here are
plain ORM writes, so every change that can move commission records a change
fact for the next incremental run (docs/decisions.md)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tandem.core.changes import customers_changed, ownership_changed

from .models import Assignment, Contact, Customer
from .permissions import visible_customers


def ownership_edited(customer_ids) -> None:
    ownership_changed((i, role, None) for i in customer_ids if i for role in ("sales", "service"))


class CustomerScopedAdmin(admin.ModelAdmin):
    """Limits the rows to the customers the user may see
    (customers.permissions), so a team manager sees their team's accounts."""

    customer_path = "customer"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        visible = visible_customers(request.user).values("customer_id")
        return qs.filter(**{f"{self.customer_path}__in": visible})


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "title", "phone", "email", "is_primary"]


class OpenRowFilter(admin.SimpleListFilter):
    title = _("是否在期")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("未截止")), ("no", _("已截止"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "no":
            return queryset.filter(valid_to__isnull=False)
        return queryset


@admin.register(Customer)
class CustomerAdmin(CustomerScopedAdmin, SimpleHistoryAdmin):
    customer_path = "customer_id"
    list_display = ["customer_id", "name", "tier", "acquired_on", "acquired_by", "referred_by"]
    list_filter = ["tier", "acquired_on"]
    search_fields = ["customer_id", "name"]
    list_select_related = ["acquired_by", "referred_by"]
    raw_id_fields = ["acquired_by", "referred_by"]
    inlines = [ContactInline]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return ["customer_id"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or {"acquired_by", "referred_by"} & set(form.changed_data):
            customers_changed([obj.pk])

    def delete_model(self, request, obj):
        customer_id = obj.pk
        super().delete_model(request, obj)
        customers_changed([customer_id])

    def delete_queryset(self, request, queryset):
        ids = list(queryset.values_list("customer_id", flat=True))
        super().delete_queryset(request, queryset)
        customers_changed(ids)


@admin.register(Contact)
class ContactAdmin(CustomerScopedAdmin):
    list_display = ["name", "customer", "title", "phone", "email", "is_primary"]
    list_filter = ["is_primary"]
    search_fields = ["name", "phone", "customer__customer_id", "customer__name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    show_full_result_count = False


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["customer", "role", "staff", "valid_from", "valid_to", "reason", "note"]

    def clean(self):
        data = super().clean() or self.cleaned_data
        customer, role = data.get("customer"), data.get("role")
        start, end = data.get("valid_from"), data.get("valid_to")
        if customer is None or not role or start is None:
            return data
        clash = Assignment.objects.filter(customer=customer, role=role).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=start)
        )
        if end is not None:
            clash = clash.filter(valid_from__lt=end)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        other = clash.select_related("staff").first()
        if other is not None:
            raise forms.ValidationError(
                _("与已有归属记录重叠：%(row)s。同一客户同一角色在任一日期只能有一条归属。")
                % {"row": other}
            )
        return data


@admin.register(Assignment)
class AssignmentAdmin(CustomerScopedAdmin, SimpleHistoryAdmin):
    form = AssignmentForm
    list_display = ["customer", "role", "staff", "valid_from", "valid_to", "reason", "note"]
    list_filter = ["role", "reason", OpenRowFilter]
    search_fields = ["customer__customer_id", "customer__name", "staff__staff_id", "staff__name"]
    list_select_related = ["customer", "staff"]
    raw_id_fields = ["customer", "staff"]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            before = (
                Assignment.objects.filter(pk=obj.pk).values_list("customer_id", flat=True).first()
            )
        super().save_model(request, obj, form, change)
        ownership_edited([obj.customer_id, before])

    def delete_model(self, request, obj):
        customer_id = obj.customer_id
        super().delete_model(request, obj)
        ownership_edited([customer_id])

    def delete_queryset(self, request, queryset):
        ids = set(queryset.values_list("customer_id", flat=True))
        super().delete_queryset(request, queryset)
        ownership_edited(ids)
