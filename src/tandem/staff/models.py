from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import Role

__all__ = ["Role", "Staff", "Team"]


class Team(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    department = models.CharField(
        _("部门"), max_length=16, choices=[("sales", _("销售部")), ("service", _("客服部"))]
    )

    class Meta:
        verbose_name = _("团队")
        verbose_name_plural = _("团队")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """A person on the payroll. The id is the company's own (e.g. from its HR
    system), so imports upsert by it."""

    staff_id = models.CharField(_("员工编号"), max_length=64, primary_key=True)
    name = models.CharField(_("姓名"), max_length=100)
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    team = models.ForeignKey(
        Team, verbose_name=_("团队"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    hired_on = models.DateField(_("入职日期"), null=True, blank=True)
    left_on = models.DateField(_("离职日期"), null=True, blank=True, help_text=_("不再在职的第一天"))
    history = HistoricalRecords(verbose_name=_("员工变更记录"))

    class Meta:
        verbose_name = _("员工")
        verbose_name_plural = _("员工")
        ordering = ["staff_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(hired_on__isnull=True)
                | models.Q(left_on__gt=models.F("hired_on")),
                name="staff_left_after_hired",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.staff_id}）"

    def is_active_on(self, day: dt.date) -> bool:
        """Spec §1: hired_on <= d (if given) and (left_on empty or d < left_on)."""
        if self.hired_on and day < self.hired_on:
            return False
        return self.left_on is None or day < self.left_on

    @property
    def is_general_manager(self) -> bool:
        # A manager with no team leads the whole company (总经理).
        return self.role == Role.MANAGER and self.team_id is None
