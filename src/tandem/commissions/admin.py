"""Admin of the commission data. Lines are written only by runs: their admin
is read-only. Plans are edited here like any record; a plan edit can move
every customer's commission, so it records a change of the plans."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tandem.core.changes import plans_changed

from .models import (
    CommissionLine,
    CommissionRun,
    PeriodEvent,
    PeriodLock,
    Plan,
    Statement,
)
from .permissions import visible_staff_ids


def _mark_all_dirty() -> None:
    plans_changed(None)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _fixed_filter(field: str, title, choices):
    """A list filter with known values: no DISTINCT scan of a large table."""

    class Fixed(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return choices

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    Fixed.title = title
    return Fixed


RoleFilter = _fixed_filter(
    "role",
    _("角色"),
    [
        ("sales", _("销售")),
        ("service", _("客服")),
        ("referrer_service", _("转介绍客服")),
        ("unassigned", _("未分配")),
    ],
)
ScenarioFilter = _fixed_filter(
    "scenario",
    _("场景"),
    [("standard", _("标准")), ("inherited", _("继承客户")), ("referral", _("转介绍"))],
)


class StaffScopedMixin(admin.ModelAdmin):
    """Rows of other people's commission are hidden (commissions.permissions)."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        visible = visible_staff_ids(request.user)
        return qs if visible is None else qs.filter(staff_id__in=visible)


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["name", "effective_from", "pool_rate"]
    search_fields = ["name"]
    ordering = ["-effective_from"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _mark_all_dirty()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _mark_all_dirty()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        _mark_all_dirty()


@admin.register(CommissionLine)
class CommissionLineAdmin(StaffScopedMixin, ReadOnlyAdmin):
    list_display = [
        "period",
        "order_id",
        "customer_id",
        "staff_id",
        "role",
        "scenario",
        "kind",
        "line_date",
        "amount_display",
    ]
    list_filter = ["kind", RoleFilter, ScenarioFilter, "period"]
    search_fields = ["=order_id", "=customer_id", "=staff_id", "refund_id"]
    ordering = ["-period", "order_id", "role"]
    show_full_result_count = False
    list_per_page = 100

    @admin.display(description=_("金额（元）"), ordering="amount_cents")
    def amount_display(self, obj):
        return obj.amount


@admin.register(PeriodLock)
class PeriodLockAdmin(admin.ModelAdmin):
    list_display = ["period", "locked_at", "locked_by"]
    list_select_related = ["locked_by"]
    raw_id_fields = ["locked_by"]


@admin.register(PeriodEvent)
class PeriodEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "period", "action", "by", "actor", "reason"]
    list_filter = ["action"]
    search_fields = ["period", "actor", "reason"]
    list_select_related = ["by"]


@admin.register(Statement)
class StatementAdmin(StaffScopedMixin, admin.ModelAdmin):
    list_display = ["period", "staff_id", "status", "total_display", "issued_at", "paid_at"]
    list_filter = ["status", "period"]
    search_fields = ["=staff_id", "period"]
    ordering = ["-period", "staff_id"]

    @admin.display(description=_("合计（元）"), ordering="total_cents")
    def total_display(self, obj):
        from tandem.core.money import from_cents

        return from_cents(obj.total_cents)


@admin.register(CommissionRun)
class CommissionRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "mode",
        "period",
        "duration_ms",
        "customers",
        "orders",
        "lines_written",
        "lines_deleted",
        "adjustments",
    ]
    list_filter = ["mode"]
