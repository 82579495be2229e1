"""Admin pages of customers, contacts and the ownership ledger.

Ownership rows are written by the ledger's services: adding a row is
`assignment_open` (which closes the role's open row the day the new one
starts), editing one is `assignment_close` (its end date, nothing else).
Customers come from the import, the one writer of the facts commission
reads about them (developer, referrer): here those stay read-only, and a
customer is neither added nor deleted; its name, tier, acquisition date and
contacts, which no commission reads, are edited as plain records
(docs/decisions.md)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tandem.core.admin import HistoryAdmin, ServiceAdmin, ServiceForm

from .models import Assignment, Contact, Customer
from .permissions import visible_customers
from .services import assignment_close, assignment_open


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
class CustomerAdmin(CustomerScopedAdmin, HistoryAdmin):
    customer_path = "customer_id"
    list_display = ["customer_id", "name", "tier", "acquired_on", "acquired_by", "referred_by"]
    list_filter = ["tier", "acquired_on"]
    search_fields = ["customer_id", "name"]
    list_select_related = ["acquired_by", "referred_by"]
    fields = ["customer_id", "name", "tier", "acquired_on", "acquired_by", "referred_by"]
    readonly_fields = ["customer_id", "acquired_by", "referred_by"]
    inlines = [ContactInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contact)
class ContactAdmin(CustomerScopedAdmin):
    list_display = ["name", "customer", "title", "phone", "email", "is_primary"]
    list_filter = ["is_primary"]
    search_fields = ["name", "phone", "customer__customer_id", "customer__name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    show_full_result_count = False


class AssignmentOpenForm(ServiceForm):
    class Meta:
        model = Assignment
        fields = ["customer", "role", "staff", "valid_from", "reason", "note"]

    def service_call(self) -> Assignment:
        data = self.cleaned_data
        return assignment_open(
            customer=data["customer"],
            role=data["role"],
            staff=data["staff"],
            valid_from=data["valid_from"],
            reason=data["reason"],
            note=data["note"],
        )


class AssignmentCloseForm(ServiceForm):
    class Meta:
        model = Assignment
        fields = ["valid_to"]
        help_texts = {"valid_to": _("该日起不再负责；改负责人请新增一条归属。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_to"].required = True

    def service_call(self) -> Assignment:
        return assignment_close(assignment=self.instance, valid_to=self.cleaned_data["valid_to"])


@admin.register(Assignment)
class AssignmentAdmin(CustomerScopedAdmin, HistoryAdmin, ServiceAdmin):
    list_display = ["customer", "role", "staff", "valid_from", "valid_to", "reason", "note"]
    list_filter = ["role", "reason", OpenRowFilter]
    search_fields = ["customer__customer_id", "customer__name", "staff__staff_id", "staff__name"]
    list_select_related = ["customer", "staff"]
    raw_id_fields = ["customer", "staff"]
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["customer", "role", "staff", "valid_from", "reason", "note"]
        return ["customer", "role", "staff", "valid_from", "valid_to", "reason", "note"]

    def get_readonly_fields(self, request, obj=None):
        # A row's holder and start are history: only its end is set here.
        return [] if obj is None else ["customer", "role", "staff", "valid_from", "reason", "note"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AssignmentCloseForm if obj is not None else AssignmentOpenForm
        return super().get_form(request, obj, change=change, **kwargs)
