"""The record of a confirmed handover: who left, who confirmed it and when,
and the plan as confirmed, line by line. The ownership rows themselves are
written in the ledger (`customers.Assignment`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Handover(models.Model):
    leaver = models.ForeignKey(
        "staff.Staff",
        verbose_name=_("离职员工"),
        on_delete=models.PROTECT,
        related_name="handovers",
    )
    left_on = models.DateField(_("离职日期"))
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("方案来源"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("离职交接")
        verbose_name_plural = _("离职交接")
        ordering = ["-confirmed_at"]
        constraints = [
            # Two confirmations at once: the second one's insert fails even
            # where the row lock on the leaver is not taken.
            models.UniqueConstraint(
                fields=["leaver", "left_on"], name="handover_once_per_departure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.leaver_id} {self.left_on}"


class HandoverLine(models.Model):
    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="lines")
    line = models.PositiveIntegerField(_("行号"))
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("角色"), max_length=16)
    to_staff = models.ForeignKey(
        "staff.Staff",
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers_received",
    )

    class Meta:
        verbose_name = _("交接明细")
        verbose_name_plural = _("交接明细")
        ordering = ["handover_id", "line"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.role} → {self.to_staff_id or '—'}"
