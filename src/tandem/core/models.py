from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Subject(models.TextChoices):
    """What a change fact is about. The writer of each record says what it
    changed; what that means for commission is decided by commissions."""

    ORDERS = "orders", _("客户的订单或退款")
    CUSTOMER = "customer", _("客户资料")
    OWNERSHIP = "ownership", _("客户归属")
    STAFF = "staff", _("员工入职/离职日期")
    PLANS = "plans", _("提成方案")
    PERIOD = "period", _("期间重新开放")


class ChangeFact(models.Model):
    """One fact recorded by a writer in its own transaction: "the orders of
    customer C changed from day d" (or "order O of customer C changed from
    day d"), "the service ownership of C changed from
    d", "the dates of staff S changed", "the plans from d changed".

    Appended, never updated: the next commission run reads the facts it
    finds, acts on them and deletes exactly those, so a fact committed while
    a run is going is left for the next one."""

    id = models.BigAutoField(primary_key=True)
    subject = models.CharField(_("对象"), max_length=16, choices=Subject.choices)
    # customer_id, staff_id, a period (YYYY-MM), or empty for plans
    ident = models.CharField(_("编号"), max_length=64, blank=True)
    role = models.CharField(_("角色"), max_length=16, blank=True)
    # The record within the subject: for orders, the one order whose lines
    # can differ (empty: any order of the customer). A database default, so
    # that a writer that does not know the column (a data migration's
    # historical model) still records a fact.
    item = models.CharField(_("记录"), max_length=64, blank=True, db_default="")
    # The earliest day the change can matter on; empty: any day.
    since = models.DateField(_("变更起始日"), null=True, blank=True)

    class Meta:
        verbose_name = _("待处理变更")
        verbose_name_plural = _("待处理变更")

    def __str__(self) -> str:
        return " ".join(p for p in (self.subject, self.ident, self.item, self.role, str(self.since or "")) if p)
