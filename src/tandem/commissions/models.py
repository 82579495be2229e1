from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tandem.core.money import from_cents

from .vocabulary import Kind, LineRole, Scenario

__all__ = ["CommissionLine", "CommissionRun", "Kind", "LineRole", "PeriodEvent", "PeriodLock", "Plan", "Scenario", "Statement"]


class Plan(models.Model):
    """A commission plan, identified by the day it takes effect. Rates and
    weights are kept as decimal strings exactly as written in the plan file."""

    name = models.CharField(_("名称"), max_length=200)
    effective_from = models.DateField(_("生效日期"), unique=True)
    pool_rate = models.DecimalField(_("提成池比例"), max_digits=9, decimal_places=6)
    category_rates = models.JSONField(_("品类比例"), default=dict, blank=True)
    splits = models.JSONField(_("分配比例"), default=dict)
    history = HistoricalRecords(verbose_name=_("方案变更记录"))

    class Meta:
        verbose_name = _("提成方案")
        verbose_name_plural = _("提成方案")
        ordering = ["effective_from"]

    def __str__(self) -> str:
        return f"{self.name}（{self.effective_from} 起）"


class CommissionLine(models.Model):
    """One line of commission. Lines of open months are rewritten by each
    run; lines of locked months are never touched again."""

    period = models.CharField(_("期间"), max_length=7)
    order_id = models.CharField(_("订单编号"), max_length=64)
    customer_id = models.CharField(_("客户编号"), max_length=64)
    staff_id = models.CharField(_("员工编号"), max_length=64, blank=True)
    role = models.CharField(_("角色"), max_length=16, choices=LineRole.choices)
    scenario = models.CharField(_("场景"), max_length=16, choices=Scenario.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    line_date = models.DateField(_("日期"))
    amount_cents = models.BigIntegerField(_("金额（分）"))
    # The facts behind the line, so a statement explains itself without the engine.
    plan_from = models.DateField(_("方案生效日期"), null=True)
    pool_cents = models.BigIntegerField(_("提成池（分）"), default=0)
    weight = models.CharField(_("权重"), max_length=32, blank=True)
    refund_id = models.CharField(_("退款编号"), max_length=64, blank=True)
    adjusts_period = models.CharField(_("调整期间"), max_length=7, blank=True)

    class Meta:
        verbose_name = _("提成明细")
        verbose_name_plural = _("提成明细")
        # Two indexes only: each one costs the full run seconds of writes.
        # Runs and explanations find lines by customer; exports and
        # statements by month (a month is a few percent of all lines).
        indexes = [
            models.Index(fields=["customer_id"], name="line_customer"),
            models.Index(fields=["period"], name="line_period"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.order_id} {self.staff_id or '-'} {self.role} {self.amount}"

    @property
    def amount(self) -> Decimal:
        return from_cents(self.amount_cents)


class PeriodLock(models.Model):
    """A locked month. Its lines never change while the lock stands."""

    period = models.CharField(_("期间"), max_length=7, primary_key=True)
    locked_at = models.DateTimeField(_("锁账时间"), auto_now_add=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("锁账人"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("已锁账期间")
        verbose_name_plural = _("已锁账期间")
        ordering = ["period"]

    def __str__(self) -> str:
        return self.period


class PeriodEvent(models.Model):
    """Audit trail of locking and unlocking, appended to, never edited."""

    period = models.CharField(_("期间"), max_length=7)
    action = models.CharField(_("操作"), max_length=8, choices=[("lock", _("锁账")), ("unlock", _("解锁"))])
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor = models.CharField(_("操作人（命令行）"), max_length=100, blank=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("锁账记录")
        verbose_name_plural = _("锁账记录")
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.period} {self.action}"


class Statement(models.Model):
    """A person's commission statement for a month; once paid, the month can
    no longer be unlocked."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("已出具")
        PAID = "paid", _("已发放")

    staff_id = models.CharField(_("员工编号"), max_length=64)
    period = models.CharField(_("期间"), max_length=7)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.ISSUED)
    total_cents = models.BigIntegerField(_("合计（分）"))
    issued_at = models.DateTimeField(_("出具时间"), auto_now_add=True)
    paid_at = models.DateTimeField(_("发放时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提成结算单")
        verbose_name_plural = _("提成结算单")
        constraints = [models.UniqueConstraint(fields=["staff_id", "period"], name="statement_unique")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.period}"


class CommissionRun(models.Model):
    class Mode(models.TextChoices):
        FULL = "full", _("全量")
        INCREMENTAL = "incremental", _("增量")
        PREVIEW = "preview", _("实时预览")

    mode = models.CharField(_("方式"), max_length=16, choices=Mode.choices)
    period = models.CharField(_("期间"), max_length=7, blank=True)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    customers = models.PositiveIntegerField(_("重算客户数"), default=0)
    orders = models.PositiveIntegerField(_("订单数"), default=0)
    lines_written = models.PositiveIntegerField(_("写入明细"), default=0)
    lines_deleted = models.PositiveIntegerField(_("删除明细"), default=0)
    adjustments = models.PositiveIntegerField(_("调整明细"), default=0)
    exceptions = models.JSONField(_("异常"), default=list, blank=True)

    class Meta:
        verbose_name = _("提成计算记录")
        verbose_name_plural = _("提成计算记录")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.started_at:%Y-%m-%d %H:%M}"
