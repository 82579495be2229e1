"""The staff domain's fixed values, apart from the models so that its
rules (`rules.py`) need no model."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SALES = "sales", _("销售")
    SERVICE = "service", _("客服")
    MANAGER = "manager", _("经理")
    FINANCE = "finance", _("财务")
    ADMIN = "admin", _("管理员")
