"""The customers domain's fixed values, apart from the models so that its
rules (`rules.py`) need no model."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    KEY = "key", _("大客户")
    STANDARD = "standard", _("普通客户")


class OwnerRole(models.TextChoices):
    SALES = "sales", _("销售")
    SERVICE = "service", _("客服")


class Reason(models.TextChoices):
    DEVELOPED = "developed", _("开发")
    HANDOVER = "handover", _("离职交接")
    RELEASE = "release", _("释放")
    POOL_CLAIM = "pool_claim", _("公海认领")
    REASSIGNMENT = "reassignment", _("调整分配")


class EndReason(models.TextChoices):
    """Why a ledger row ended (empty while open, or when not told)."""

    DEPARTURE = "departure", _("离职")
    HANDOVER = "handover", _("离职交接")
    RELEASE = "release", _("释放")
    POOL_RETURN = "pool_return", _("回收公海")
    REASSIGNMENT = "reassignment", _("调整分配")
