"""The service desk's records: follow-ups (跟进记录), order follow-up (跟单),
callbacks (回访) and the opportunities they open, complaints (投诉), survey
answers (满意度调查), managers' notes of thanks, notices, and the rules of
the desk and of its scorecards (考核).

Follow-ups, callbacks, complaints and survey answers carry the company's
own ids (spec/service-desk.md: the files upsert by id), and keep their
history: a changed row shows what changed, when and through what."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import (
    CallbackReason,
    Channel,
    ComplaintChannel,
    ComplaintStatus,
    Milestone,
    NoticeKind,
    OpportunityStatus,
    Outcome,
    Severity,
    SurveyAnswerChoice,
)

_SCORE_RANGE = models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5)

# A record's history is read by the record's id (its admin page): the
# history tables index that and their own dates, not every reference. An
# import of 200,000 callbacks built 13 indexes on the history table.
_HISTORY_UNINDEXED = ["customer", "staff", "order", "recommends", "owner"]


class FollowUp(models.Model):
    """A call, visit or message to a customer by a salesperson or service
    person, with the next step and when it is due. A customer's latest
    follow-up also counts for the pool's return rule (handover.md §5)."""

    followup_id = models.CharField(_("跟进编号"), max_length=64, primary_key=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="followups",
        db_index=False,
    )
    staff = models.ForeignKey(
        "staff.Staff", verbose_name=_("跟进人"), on_delete=models.PROTECT, related_name="followups", db_index=False
    )
    followed_on = models.DateField(_("跟进日期"))
    channel = models.CharField(_("方式"), max_length=16, choices=Channel.choices)
    note = models.TextField(_("内容"), blank=True)
    next_step = models.CharField(_("下一步"), max_length=200, blank=True)
    next_due_on = models.DateField(_("下一步截止日期"), null=True, blank=True)
    next_done_on = models.DateField(_("下一步完成日期"), null=True, blank=True)
    history = HistoricalRecords(verbose_name=_("跟进记录变更"), no_db_index=_HISTORY_UNINDEXED)

    class Meta:
        verbose_name = _("跟进记录")
        verbose_name_plural = _("跟进记录")
        ordering = ["-followed_on", "followup_id"]
        indexes = [
            models.Index(fields=["customer", "followed_on"], name="followup_customer_day"),
            models.Index(fields=["staff", "followed_on"], name="followup_staff_day"),
        ]

    def __str__(self) -> str:
        return f"{self.followup_id} {self.customer_id} {self.followed_on}"


class Callback(models.Model):
    """A callback (回访): scheduled (``due_on``, no ``called_on`` yet) or made
    (``called_on`` with its ``outcome``). A made callback with outcome
    satisfied, neutral or dissatisfied is a rated answer of the scorecard;
    ``recommends`` is the new customer this customer referred on the call."""

    callback_id = models.CharField(_("回访编号"), max_length=64, primary_key=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="callbacks",
        db_index=False,
    )
    staff = models.ForeignKey(
        "staff.Staff", verbose_name=_("回访人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="callbacks", db_index=False,
    )
    due_on = models.DateField(_("计划日期"), null=True, blank=True)
    reason = models.CharField(_("安排原因"), max_length=16, choices=CallbackReason.choices, blank=True)
    order = models.ForeignKey(
        "sales.Order", verbose_name=_("订单"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="callbacks",
    )
    called_on = models.DateField(_("回访日期"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices, blank=True)
    score = models.PositiveSmallIntegerField(_("评分（1–5）"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    next_step = models.CharField(_("下一步"), max_length=200, blank=True)
    praise = models.BooleanField(_("客户表扬"), default=False)
    recommends = models.ForeignKey(
        "customers.Customer", verbose_name=_("推荐的新客户"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="recommended_on_callbacks", db_index=False,
    )
    history = HistoricalRecords(verbose_name=_("回访变更记录"), no_db_index=_HISTORY_UNINDEXED)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["-called_on", "due_on", "callback_id"]
        indexes = [
            models.Index(fields=["called_on"], name="callback_called_on"),
            models.Index(fields=["customer", "called_on"], name="callback_customer_day"),
            models.Index(fields=["staff", "due_on"], name="callback_staff_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=_SCORE_RANGE, name="callback_score_1_5"),
            models.CheckConstraint(
                condition=models.Q(called_on__isnull=True, outcome="")
                | (models.Q(called_on__isnull=False) & ~models.Q(outcome="")),
                name="callback_outcome_when_called",
            ),
            # One after-delivery callback per order, however often the
            # scheduler runs.
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(reason="after_delivery"), name="callback_one_per_delivery"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.callback_id} {self.customer_id}"

    @property
    def is_done(self) -> bool:
        return self.called_on is not None


class Opportunity(models.Model):
    """The customer wants to buy again: opened by a callback (or by hand),
    owned by a service person; the orders that follow are linked to it
    (`OpportunityOrder`), so repeat business is visibly service's."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="opportunities"
    )
    callback = models.ForeignKey(
        Callback, verbose_name=_("来源回访"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="opportunities",
    )
    staff = models.ForeignKey(
        "staff.Staff", verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="opportunities"
    )
    opened_on = models.DateField(_("创建日期"))
    status = models.CharField(
        _("状态"), max_length=8, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN
    )
    note = models.TextField(_("说明"), blank=True)
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("商机")
        verbose_name_plural = _("商机")
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.opened_on}"


class OpportunityOrder(models.Model):
    """An order that followed from an opportunity (an order belongs to at
    most one)."""

    order = models.OneToOneField(
        "sales.Order", verbose_name=_("订单"), primary_key=True, on_delete=models.CASCADE,
        related_name="opportunity_link",
    )
    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("商机"), on_delete=models.CASCADE, related_name="order_links"
    )
    linked_at = models.DateTimeField(_("关联时间"), auto_now_add=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("关联人"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("商机订单")
        verbose_name_plural = _("商机订单")

    def __str__(self) -> str:
        return f"{self.opportunity_id} {self.order_id}"


class Complaint(models.Model):
    """A complaint (投诉). ``escalated``: the customer went to management
    directly. ``owner``: who handles it (by default the customer's service
    owner on ``opened_on``); the scorecard credits it to the service
    participant of that day whoever handles it. ``manager_alerted_on``: the
    day it was overdue and the service manager was told."""

    complaint_id = models.CharField(_("投诉编号"), max_length=64, primary_key=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="complaints",
        db_index=False,
    )
    opened_on = models.DateField(_("投诉日期"))
    severity = models.CharField(_("严重程度"), max_length=8, choices=Severity.choices)
    escalated = models.BooleanField(_("已越级（客户直接找管理层）"), default=False)
    channel = models.CharField(_("渠道"), max_length=16, choices=ComplaintChannel.choices, blank=True)
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    note = models.TextField(_("投诉内容"), blank=True)
    owner = models.ForeignKey(
        "staff.Staff", verbose_name=_("处理人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="complaints",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN
    )
    resolution = models.TextField(_("处理结果"), blank=True)
    manager_alerted_on = models.DateField(_("超时上报日期"), null=True, blank=True)
    history = HistoricalRecords(verbose_name=_("投诉变更记录"), no_db_index=_HISTORY_UNINDEXED)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-opened_on", "complaint_id"]
        indexes = [
            models.Index(fields=["opened_on"], name="complaint_opened_on"),
            models.Index(fields=["customer", "opened_on"], name="complaint_customer_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolved_on__isnull=True) | models.Q(resolved_on__gte=models.F("opened_on")),
                name="complaint_resolved_after_opened",
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.customer_id}"


class SurveyAnswer(models.Model):
    """One answer to a satisfaction survey (满意度调查)."""

    survey_id = models.CharField(_("问卷编号"), max_length=64, primary_key=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="survey_answers",
        db_index=False,
    )
    answered_on = models.DateField(_("答卷日期"))
    answer = models.CharField(_("评价"), max_length=16, choices=SurveyAnswerChoice.choices)
    score = models.PositiveSmallIntegerField(_("评分（1–5）"), null=True, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    praise = models.BooleanField(_("客户表扬"), default=False)
    history = HistoricalRecords(verbose_name=_("问卷变更记录"), no_db_index=_HISTORY_UNINDEXED)

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-answered_on", "survey_id"]
        indexes = [
            models.Index(fields=["answered_on"], name="survey_answered_on"),
            models.Index(fields=["customer", "answered_on"], name="survey_customer_day"),
        ]
        constraints = [models.CheckConstraint(condition=_SCORE_RANGE, name="survey_score_1_5")]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.customer_id}"


class ThanksNote(models.Model):
    """A manager's note of thanks to a person (recognition, not only
    penalties)."""

    staff = models.ForeignKey(
        "staff.Staff", verbose_name=_("致谢对象"), on_delete=models.PROTECT, related_name="thanks_received"
    )
    author = models.ForeignKey(
        "staff.Staff", verbose_name=_("致谢人"), on_delete=models.PROTECT, related_name="thanks_written"
    )
    written_on = models.DateField(_("日期"))
    text = models.TextField(_("内容"))

    class Meta:
        verbose_name = _("感谢留言")
        verbose_name_plural = _("感谢留言")
        ordering = ["-written_on", "-id"]

    def __str__(self) -> str:
        return f"{self.author_id} → {self.staff_id} {self.written_on}"


class OrderStage(models.Model):
    """One state of order follow-up (跟单), configurable per company;
    ``milestone`` says what the desk's rules read in it (shipped, delivered,
    done, exception)."""

    code = models.CharField(_("代码"), max_length=32, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    position = models.PositiveSmallIntegerField(_("顺序"))
    milestone = models.CharField(_("节点"), max_length=16, choices=Milestone.choices, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("跟单状态")
        verbose_name_plural = _("跟单状态")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class OrderTracking(models.Model):
    """Where an order stands in order follow-up, and the dates its work queue
    watches (shipping, payment)."""

    order = models.OneToOneField(
        "sales.Order", verbose_name=_("订单"), primary_key=True, on_delete=models.CASCADE, related_name="tracking"
    )
    stage = models.ForeignKey(OrderStage, verbose_name=_("状态"), on_delete=models.PROTECT, related_name="+")
    stage_since = models.DateField(_("进入状态日期"))
    exception_reason = models.CharField(_("异常原因"), max_length=200, blank=True)
    ship_by = models.DateField(_("应发货日期"), null=True, blank=True)
    payment_due_on = models.DateField(_("应收款日期"), null=True, blank=True)
    paid_on = models.DateField(_("收款日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("跟单")
        verbose_name_plural = _("跟单")

    def __str__(self) -> str:
        return f"{self.order_id} {self.stage_id}"


class OrderStageChange(models.Model):
    """Every change of an order's state: from, to, the day, who and when."""

    order = models.ForeignKey(
        "sales.Order", verbose_name=_("订单"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        OrderStage, verbose_name=_("原状态"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(OrderStage, verbose_name=_("新状态"), on_delete=models.PROTECT, related_name="+")
    changed_on = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("操作时间"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor = models.CharField(_("操作人（命令行）"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("跟单记录")
        verbose_name_plural = _("跟单记录")
        ordering = ["order_id", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.from_stage_id or '-'} → {self.to_stage_id}"


class Notice(models.Model):
    """A notice to a staff member from the service desk: a new complaint for
    its owner, an overdue one for the service manager. One per (recipient,
    kind, complaint), so a daily sweep never repeats itself."""

    staff = models.ForeignKey(
        "staff.Staff", verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="service_notices"
    )
    kind = models.CharField(_("类型"), max_length=24, choices=NoticeKind.choices)
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    created_on = models.DateField(_("日期"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("客服通知")
        verbose_name_plural = _("客服通知")
        ordering = ["-created_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "kind", "complaint"], name="notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.kind} {self.complaint_id or ''}".strip()


class DeskRules(models.Model):
    """The desk's scheduling and queue rules (one row). Callbacks: after
    delivery and after a long silence; order follow-up: when shipping and
    delivery confirmation are late."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    after_delivery_days = models.PositiveSmallIntegerField(_("签收后回访天数"), default=7)
    no_contact_days = models.PositiveSmallIntegerField(_("久未联系天数"), default=90)
    ship_within_days = models.PositiveSmallIntegerField(_("下单后应发货天数"), default=3)
    confirm_within_days = models.PositiveSmallIntegerField(_("发货后应签收天数"), default=7)
    history = HistoricalRecords(verbose_name=_("客服规则变更记录"))

    class Meta:
        verbose_name = _("客服规则")
        verbose_name_plural = _("客服规则")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class ScorecardRuleSet(models.Model):
    """The scorecard rules as loaded (one row): the rules document of
    `scoring.rules_document`, the file it came from, when."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    document = models.JSONField(_("规则"))
    source = models.CharField(_("来源文件"), max_length=300, blank=True)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)
    history = HistoricalRecords(verbose_name=_("考核规则变更记录"))

    class Meta:
        verbose_name = _("考核规则")
        verbose_name_plural = _("考核规则")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
