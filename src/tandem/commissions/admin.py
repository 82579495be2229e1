"""Admin of the commission data. Lines, runs, period locks and their events,
and statements are shown here and written only by their services, for
superusers too: a month is locked by `period_lock` and unlocked by
`period_unlock` (the lock page, and the unlock page of a locked month, both
audited by the services' PeriodEvent), statements are issued and marked
paid by the statements services (actions). Plans are checked by the plan
rules and written by the plan services, like a loaded plan file, so every
edit records a change of the plans."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tandem.core.admin import ReadOnlyAdmin
from tandem.core.errors import TandemError
from tandem.core.money import from_cents

from .models import (
    CommissionLine,
    CommissionRun,
    PeriodEvent,
    PeriodLock,
    Plan,
    Statement,
)
from .periods import period_lock, period_unlock
from .permissions import visible_staff_ids
from .plan_messages import plan_problem_reason
from .plan_rules import PLAN_FIELDS, plan_check
from .services import plans_delete, plans_save
from .statements import statements_issue, statements_mark_paid

ADMIN_REASON = "admin"


class StaffScopedMixin(admin.ModelAdmin):
    """Rows of other people's commission are hidden (commissions.permissions)."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        visible = visible_staff_ids(request.user)
        return qs if visible is None else qs.filter(staff_id__in=visible)


class PlanForm(forms.ModelForm):
    """Checks the plan with the same rules as a plan file; each problem is
    shown on its field."""

    class Meta:
        model = Plan
        fields = list(PLAN_FIELDS)

    def clean(self):
        data = super().clean() or self.cleaned_data
        values = {key: data[key] for key in PLAN_FIELDS if key in data}
        if "effective_from" not in self.fields:  # read-only: the plan's own day
            values["effective_from"] = self.instance.effective_from
        if "pool_rate" in values:
            values["pool_rate"] = format(values["pool_rate"], "f")
        if values.get("category_rates") is None:  # left empty: none
            values["category_rates"] = {}
        # A field whose own check failed already says what is wrong.
        failed = set(self.errors)
        for problem in plan_check(values).problems:
            name, _dot, rest = problem.field.partition(".")
            if name in failed:
                continue
            reason = plan_problem_reason(problem)
            self.add_error(name if name in self.fields else None, f"{rest}: {reason}" if rest else reason)
        self.plan_values = values
        return data


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    form = PlanForm
    list_display = ["name", "effective_from", "pool_rate"]
    search_fields = ["name"]
    ordering = ["-effective_from"]

    def get_readonly_fields(self, request, obj=None):
        # A plan is identified by the day it takes effect: another day is
        # another plan.
        return ["effective_from"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        saved = plans_save(plans=[form.plan_values], reason=ADMIN_REASON)
        obj.pk = saved.plans[0].pk

    def delete_model(self, request, obj):
        plans_delete(effective_from=[obj.effective_from], reason=ADMIN_REASON)

    def delete_queryset(self, request, queryset):
        plans_delete(effective_from=queryset.values_list("effective_from", flat=True), reason=ADMIN_REASON)


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
    # Filters of fields with choices list the choices: no scan of the table.
    list_filter = ["kind", "role", "scenario", "period"]
    search_fields = ["=order_id", "=customer_id", "=staff_id", "refund_id"]
    ordering = ["-period", "order_id", "role"]
    show_full_result_count = False
    list_per_page = 100

    @admin.display(description=_("金额（元）"), ordering="amount_cents")
    def amount_display(self, obj):
        return obj.amount


class LockForm(forms.Form):
    # Not required and no format here: period_lock states the rule.
    period = forms.CharField(label=_("期间"), required=False, help_text=_("YYYY-MM，如 2026-04"))


class UnlockForm(forms.Form):
    # The length is the audit column's; whether a reason is given is period_unlock's rule.
    reason = forms.CharField(
        label=_("解锁原因"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )


@admin.register(PeriodLock)
class PeriodLockAdmin(ReadOnlyAdmin):
    list_display = ["period", "locked_at", "locked_by", "unlock_link"]
    list_select_related = ["locked_by"]
    actions = ["issue_statements"]

    def has_lock_permission(self, request) -> bool:
        # period_lock asks nothing of its caller (the command line runs it
        # as the operating-system user); here, who edits locks by role:
        # finance and admin (staff.accounts).
        return request.user.has_perm("commissions.add_periodlock")

    def has_issue_permission(self, request) -> bool:
        return request.user.has_perm("commissions.add_statement")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("lock/", view(self.lock_view), name="commissions_periodlock_lock"),
            path("<path:object_id>/unlock/", view(self.unlock_view), name="commissions_periodlock_unlock"),
            *super().get_urls(),
        ]

    @admin.display(description=_("操作"))
    def unlock_link(self, obj):
        url = reverse("admin:commissions_periodlock_unlock", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("解锁…"))

    def changelist_view(self, request, extra_context=None):
        extra = {"has_lock_permission": self.has_lock_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def _page(self, request, template: str, title: str, **context) -> TemplateResponse:
        return TemplateResponse(
            request,
            f"admin/commissions/periodlock/{template}",
            {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **context},
        )

    def lock_view(self, request):
        if not self.has_lock_permission(request):
            raise PermissionDenied
        form = LockForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            period = form.cleaned_data["period"]
            try:
                period_lock(period=period, user=request.user, actor=request.user.get_username())
            except TandemError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, gettext("%(period)s 已锁账。") % {"period": period}, messages.SUCCESS)
                return redirect("admin:commissions_periodlock_changelist")
        return self._page(request, "lock.html", gettext("锁账"), form=form)

    def unlock_view(self, request, object_id):
        lock = self.get_object(request, unquote(object_id))
        if lock is None:
            self.message_user(request, gettext("%(period)s 未锁账。") % {"period": unquote(object_id)}, messages.WARNING)
            return redirect("admin:commissions_periodlock_changelist")
        if not self.has_view_permission(request, lock):
            raise PermissionDenied
        form = UnlockForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            # Who may unlock, and when, is period_unlock's to say.
            try:
                period_unlock(period=lock.period, user=request.user, reason=form.cleaned_data["reason"])
            except TandemError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, gettext("%(period)s 已解锁。") % {"period": lock.period}, messages.SUCCESS)
                return redirect("admin:commissions_periodlock_changelist")
        return self._page(
            request, "unlock.html", gettext("解锁 %(period)s") % {"period": lock.period}, form=form, original=lock
        )

    @admin.action(description=_("为所选月份出具结算单"), permissions=["issue"])
    def issue_statements(self, request, queryset):
        for period in queryset.order_by("period").values_list("period", flat=True):
            try:
                issued = statements_issue(period=period)
            except TandemError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("%(period)s 出具结算单 %(n)d 份。") % {"period": period, "n": len(issued)},
                    messages.SUCCESS,
                )


@admin.register(PeriodEvent)
class PeriodEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "period", "action", "by", "actor", "reason"]
    list_filter = ["action"]
    search_fields = ["period", "actor", "reason"]
    list_select_related = ["by"]


@admin.register(Statement)
class StatementAdmin(StaffScopedMixin, ReadOnlyAdmin):
    list_display = ["period", "staff_id", "status", "total_display", "issued_at", "paid_at"]
    list_filter = ["status", "period"]
    search_fields = ["=staff_id", "period"]
    ordering = ["-period", "staff_id"]
    actions = ["mark_paid"]

    def has_pay_permission(self, request) -> bool:
        return request.user.has_perm("commissions.change_statement")

    @admin.display(description=_("合计（元）"), ordering="total_cents")
    def total_display(self, obj):
        return from_cents(obj.total_cents)

    @admin.action(description=_("将所选结算单标记为已发放"), permissions=["pay"])
    def mark_paid(self, request, queryset):
        paid: dict[str, int] = {}
        for period, staff_id in queryset.order_by("period", "staff_id").values_list("period", "staff_id"):
            try:
                paid[period] = paid.get(period, 0) + statements_mark_paid(period=period, staff_id=staff_id)
            except TandemError as error:
                self.message_user(request, str(error), messages.ERROR)
        for period, n in paid.items():
            self.message_user(
                request, gettext("%(period)s 已标记发放 %(n)d 份。") % {"period": period, "n": n}, messages.SUCCESS
            )


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
