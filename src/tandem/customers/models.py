from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import EndReason, OwnerRole, Reason, Tier

__all__ = ["Assignment", "Contact", "Customer", "EndReason", "OwnerRole", "Reason", "Tier"]


class Customer(models.Model):
    customer_id = models.CharField(_("客户编号"), max_length=64, primary_key=True)
    name = models.CharField(_("名称"), max_length=200)
    tier = models.CharField(_("客户等级"), max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    acquired_on = models.DateField(_("开发日期"))
    acquired_by = models.ForeignKey(
        "staff.Staff",
        verbose_name=_("开发人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="developed_customers",
    )
    referred_by = models.ForeignKey(
        "self",
        verbose_name=_("转介绍客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    history = HistoricalRecords(verbose_name=_("客户变更记录"))

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["customer_id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(referred_by=models.F("customer_id")), name="customer_not_self_referred"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.customer_id}）"


class Contact(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("联系人"), max_length=100)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    is_primary = models.BooleanField(_("主要联系人"), default=False)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["customer_id", "-is_primary", "name"]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """One row of the ownership ledger: `staff` holds `role` on `customer` for
    valid_from <= d < valid_to (open when valid_to is empty). Rows for one
    customer and role never overlap: the service layer checks it on every
    database, and PostgreSQL also enforces it with an exclusion constraint."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("角色"), max_length=16, choices=OwnerRole.choices)
    staff = models.ForeignKey(
        "staff.Staff", verbose_name=_("员工"), on_delete=models.PROTECT, related_name="assignments"
    )
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期（不含）"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=16, choices=Reason.choices, default=Reason.DEVELOPED)
    end_reason = models.CharField(
        _("结束原因"), max_length=16, choices=EndReason.choices, blank=True, default=""
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords(verbose_name=_("归属变更记录"))

    class Meta:
        verbose_name = _("客户归属")
        verbose_name_plural = _("客户归属")
        ordering = ["customer_id", "role", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "role", "valid_from"], name="assignment_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=models.F("valid_from")),
                name="assignment_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["staff", "role"], name="assignment_staff_role")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.role} {self.staff_id} [{self.valid_from}, {self.valid_to or '∞'})"
