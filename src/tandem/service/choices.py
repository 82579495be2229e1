"""The service desk's fixed values, apart from the models so that its
rules (`rules.py`) need no model."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    CALL = "call", _("电话")
    VISIT = "visit", _("拜访")
    MESSAGE = "message", _("消息")
    EMAIL = "email", _("邮件")
    OTHER = "other", _("其他")


class ComplaintChannel(models.TextChoices):
    CALL = "call", _("电话")
    VISIT = "visit", _("拜访")
    MESSAGE = "message", _("消息")
    EMAIL = "email", _("邮件")
    MANAGEMENT = "management", _("向管理层反映")
    OTHER = "other", _("其他")


class Outcome(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    NEUTRAL = "neutral", _("一般")
    DISSATISFIED = "dissatisfied", _("不满意")
    UNREACHABLE = "unreachable", _("未接通")


class SurveyAnswerChoice(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    NEUTRAL = "neutral", _("一般")
    DISSATISFIED = "dissatisfied", _("不满意")


class Severity(models.TextChoices):
    LOW = "low", _("低")
    NORMAL = "normal", _("一般")
    HIGH = "high", _("高")


class CallbackReason(models.TextChoices):
    AFTER_DELIVERY = "after_delivery", _("签收后回访")
    NO_CONTACT = "no_contact", _("久未联系")
    MANUAL = "manual", _("手动安排")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    PROCESSING = "processing", _("处理中")
    RESOLVED = "resolved", _("已解决")


class OpportunityStatus(models.TextChoices):
    OPEN = "open", _("跟进中")
    WON = "won", _("已成交")
    LOST = "lost", _("未成交")


class Milestone(models.TextChoices):
    """What a configurable order state means to the desk's rules."""

    NONE = "", _("（无）")
    SHIPPED = "shipped", _("已发货")
    DELIVERED = "delivered", _("已签收")
    DONE = "done", _("已完成")
    EXCEPTION = "exception", _("异常")


class NoticeKind(models.TextChoices):
    COMPLAINT_OPENED = "complaint_opened", _("新投诉")
    COMPLAINT_OVERDUE = "complaint_overdue", _("投诉超时")


# The default states of order follow-up: (code, name, position, milestone).
DEFAULT_STAGES: tuple[tuple[str, str, int, str], ...] = (
    ("placed", "已下单", 10, ""),
    ("confirmed", "已确认", 20, ""),
    ("preparing", "备货/生产", 30, ""),
    ("shipped", "已发货", 40, "shipped"),
    ("delivered", "已签收", 50, "delivered"),
    ("completed", "已完成", 60, "done"),
    ("exception", "异常", 90, "exception"),
)
