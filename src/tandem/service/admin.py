"""Admin pages of the service desk: every record is written by its service
(`tandem.core.admin.ServiceForm`), never by the admin itself; what no
service writes (notices, the order follow-up history, loaded scorecard
rules, opportunities) is shown only. Rows are those of the customers the
user may see (`customers.permissions`)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tandem.core.admin import HistoryAdmin, ReadOnlyAdmin, ServiceAdmin, ServiceForm
from tandem.customers.admin import CustomerScopedAdmin

from .models import (
    Callback,
    Complaint,
    DeskRules,
    FollowUp,
    Notice,
    Opportunity,
    OpportunityOrder,
    OrderStage,
    OrderStageChange,
    OrderTracking,
    ScorecardRuleSet,
    SurveyAnswer,
    ThanksNote,
)
from .services import (
    callback_record,
    complaint_record,
    desk_rules_set,
    followup_record,
    order_stage_set,
    order_stage_upsert,
    survey_answer_record,
    thanks_note_write,
)


def _id_readonly(field: str):
    def get_readonly_fields(self, request, obj=None):
        return [field] if obj is not None else []

    return get_readonly_fields


class FollowUpForm(ServiceForm):
    class Meta:
        model = FollowUp
        fields = ["followup_id", "customer", "staff", "followed_on", "channel", "note", "next_step", "next_due_on"]

    def service_call(self) -> FollowUp:
        data = self.cleaned_data
        record, _changed = followup_record(
            followup_id=self.instance.pk or "",
            customer=data["customer"],
            staff=data["staff"],
            followed_on=data["followed_on"],
            channel=data["channel"],
            note=data["note"],
            next_step=data["next_step"],
            next_due_on=data["next_due_on"],
        )
        return record


@admin.register(FollowUp)
class FollowUpAdmin(CustomerScopedAdmin, HistoryAdmin, ServiceAdmin):
    form = FollowUpForm
    list_display = ["followup_id", "followed_on", "customer", "staff", "channel", "next_step", "next_due_on"]
    list_filter = ["channel", "followed_on"]
    search_fields = ["=followup_id", "customer__customer_id", "customer__name", "staff__staff_id"]
    list_select_related = ["customer", "staff"]
    raw_id_fields = ["customer", "staff"]
    show_full_result_count = False
    get_readonly_fields = _id_readonly("followup_id")


class CallbackForm(ServiceForm):
    class Meta:
        model = Callback
        fields = [
            "callback_id", "customer", "staff", "called_on", "outcome", "score", "note", "next_step", "praise",
            "recommends",
        ]  # fmt: skip

    def service_call(self) -> Callback:
        data = self.cleaned_data
        record, _changed = callback_record(
            callback_id=self.instance.pk or "",
            customer=data["customer"],
            staff=data["staff"],
            called_on=data["called_on"],
            outcome=data["outcome"],
            score=data["score"],
            note=data["note"],
            next_step=data["next_step"],
            praise=data["praise"],
            recommends=data["recommends"],
        )
        return record

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A planned callback is completed here: who called, when, how it went.
        for name in ("staff", "called_on", "outcome"):
            if name in self.fields:
                self.fields[name].required = True


@admin.register(Callback)
class CallbackAdmin(CustomerScopedAdmin, HistoryAdmin, ServiceAdmin):
    form = CallbackForm
    list_display = ["callback_id", "customer", "staff", "due_on", "called_on", "outcome", "score", "praise"]
    list_filter = ["outcome", "reason", "praise", "called_on"]
    search_fields = ["=callback_id", "customer__customer_id", "customer__name", "staff__staff_id"]
    list_select_related = ["customer", "staff"]
    raw_id_fields = ["customer", "staff", "recommends"]
    show_full_result_count = False
    get_readonly_fields = _id_readonly("callback_id")


class ComplaintForm(ServiceForm):
    class Meta:
        model = Complaint
        fields = [
            "complaint_id", "customer", "opened_on", "severity", "escalated", "channel", "note", "owner",
            "resolved_on", "resolution",
        ]  # fmt: skip

    def service_call(self) -> Complaint:
        data = self.cleaned_data
        record, _changed = complaint_record(
            complaint_id=self.instance.pk or "",
            customer=data["customer"],
            opened_on=data["opened_on"],
            severity=data["severity"],
            escalated=data["escalated"],
            channel=data["channel"],
            resolved_on=data["resolved_on"],
            note=data["note"],
            owner=data["owner"],
            resolution=data["resolution"],
        )
        return record


@admin.register(Complaint)
class ComplaintAdmin(CustomerScopedAdmin, HistoryAdmin, ServiceAdmin):
    form = ComplaintForm
    list_display = [
        "complaint_id", "opened_on", "customer", "severity", "escalated", "owner", "status", "resolved_on",
        "manager_alerted_on",
    ]  # fmt: skip
    list_filter = ["status", "severity", "escalated", "channel", "opened_on"]
    search_fields = ["=complaint_id", "customer__customer_id", "customer__name", "owner__staff_id"]
    list_select_related = ["customer", "owner"]
    raw_id_fields = ["customer", "owner"]
    show_full_result_count = False
    get_readonly_fields = _id_readonly("complaint_id")


class SurveyAnswerForm(ServiceForm):
    class Meta:
        model = SurveyAnswer
        fields = ["survey_id", "customer", "answered_on", "answer", "score", "comment", "praise"]

    def service_call(self) -> SurveyAnswer:
        data = self.cleaned_data
        record, _changed = survey_answer_record(
            survey_id=self.instance.pk or "",
            customer=data["customer"],
            answered_on=data["answered_on"],
            answer=data["answer"],
            score=data["score"],
            comment=data["comment"],
            praise=data["praise"],
        )
        return record


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(CustomerScopedAdmin, HistoryAdmin, ServiceAdmin):
    form = SurveyAnswerForm
    list_display = ["survey_id", "answered_on", "customer", "answer", "score", "praise"]
    list_filter = ["answer", "praise", "answered_on"]
    search_fields = ["=survey_id", "customer__customer_id", "customer__name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    show_full_result_count = False
    get_readonly_fields = _id_readonly("survey_id")


class ThanksNoteForm(ServiceForm):
    class Meta:
        model = ThanksNote
        fields = ["staff", "author", "written_on", "text"]

    def service_call(self) -> ThanksNote:
        data = self.cleaned_data
        return thanks_note_write(
            staff=data["staff"], author=data["author"], written_on=data["written_on"], text=data["text"]
        )


@admin.register(ThanksNote)
class ThanksNoteAdmin(ServiceAdmin):
    form = ThanksNoteForm
    list_display = ["written_on", "staff", "author", "text"]
    list_filter = ["written_on"]
    list_select_related = ["staff", "author"]
    raw_id_fields = ["staff", "author"]

    def has_change_permission(self, request, obj=None):
        # A note is written once; its page shows it.
        return obj is None and super().has_change_permission(request, obj)


class OrderStageForm(ServiceForm):
    class Meta:
        model = OrderStage
        fields = ["code", "name", "position", "milestone", "active"]

    def service_call(self) -> OrderStage:
        data = self.cleaned_data
        stage, _changed = order_stage_upsert(
            code=self.instance.pk or data["code"],
            name=data["name"],
            position=data["position"],
            milestone=data["milestone"],
            active=data["active"],
        )
        return stage


@admin.register(OrderStage)
class OrderStageAdmin(ServiceAdmin):
    form = OrderStageForm
    list_display = ["position", "code", "name", "milestone", "active"]
    list_display_links = ["code"]
    get_readonly_fields = _id_readonly("code")


class OrderTrackingForm(ServiceForm):
    class Meta:
        model = OrderTracking
        fields = ["stage", "stage_since", "exception_reason"]
        labels = {"stage_since": _("日期"), "exception_reason": _("原因（异常时必填）")}

    def service_call(self) -> OrderTracking:
        data = self.cleaned_data
        return order_stage_set(
            order=self.instance.order_id,
            stage=data["stage"],
            on=data["stage_since"],
            reason=data["exception_reason"],
            actor="admin",
        )


@admin.register(OrderStageChange)
class OrderStageChangeAdmin(ReadOnlyAdmin):
    """Every state change of every order: from, to, the day, who, when."""

    list_display = ["order", "changed_on", "from_stage", "to_stage", "reason", "changed_at", "changed_by", "actor"]
    list_filter = ["to_stage", "changed_on"]
    search_fields = ["=order__order_id"]
    list_select_related = ["order", "from_stage", "to_stage", "changed_by"]
    show_full_result_count = False


@admin.register(OrderTracking)
class OrderTrackingAdmin(ServiceAdmin):
    form = OrderTrackingForm
    list_display = ["order", "stage", "stage_since", "ship_by", "payment_due_on", "paid_on"]
    list_filter = ["stage"]
    search_fields = ["=order__order_id", "order__customer__customer_id"]
    list_select_related = ["order", "stage"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


class DeskRulesForm(ServiceForm):
    class Meta:
        model = DeskRules
        fields = ["after_delivery_days", "no_contact_days", "ship_within_days", "confirm_within_days"]

    def service_call(self) -> DeskRules:
        data = self.cleaned_data
        return desk_rules_set(
            after_delivery_days=data["after_delivery_days"],
            no_contact_days=data["no_contact_days"],
            ship_within_days=data["ship_within_days"],
            confirm_within_days=data["confirm_within_days"],
        )


@admin.register(DeskRules)
class DeskRulesAdmin(HistoryAdmin, ServiceAdmin):
    form = DeskRulesForm
    list_display = ["__str__", "after_delivery_days", "no_contact_days", "ship_within_days", "confirm_within_days"]

    def has_add_permission(self, request):
        return not DeskRules.objects.exists() and super().has_add_permission(request)


@admin.register(Opportunity)
class OpportunityAdmin(CustomerScopedAdmin, ReadOnlyAdmin):
    list_display = ["id", "customer", "staff", "opened_on", "status", "closed_on"]
    list_filter = ["status", "opened_on"]
    list_select_related = ["customer", "staff"]
    search_fields = ["customer__customer_id", "customer__name", "staff__staff_id"]


@admin.register(OpportunityOrder)
class OpportunityOrderAdmin(ReadOnlyAdmin):
    list_display = ["order", "opportunity", "linked_at", "linked_by"]
    list_select_related = ["order", "opportunity"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["created_on", "staff", "kind", "complaint", "read_at"]
    list_filter = ["kind", "created_on"]
    list_select_related = ["staff", "complaint"]


@admin.register(ScorecardRuleSet)
class ScorecardRuleSetAdmin(ReadOnlyAdmin, HistoryAdmin):
    list_display = ["__str__", "source", "loaded_at"]
