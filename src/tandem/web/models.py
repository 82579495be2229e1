"""What the web application keeps of its own: background jobs with their
progress, in-app notifications, and each user's chosen language."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """A piece of long work submitted from a page and run by the worker: its
    parameters, progress and outcome. The queue itself is Django's Tasks
    backend (`task_id`); this row is what the pages show."""

    class Kind(models.TextChoices):
        IMPORT_CHECK = "import_check", _("导入检查")
        IMPORT = "import", _("导入")
        RUN = "run", _("提成计算")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    params = models.JSONField(_("参数"), default=dict)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True)
    step = models.CharField(_("当前步骤"), max_length=200, blank=True)
    done = models.PositiveBigIntegerField(_("已完成"), default=0)
    total = models.PositiveBigIntegerField(_("总量"), default=0)
    message = models.CharField(_("结果"), max_length=300, blank=True)
    summary = models.JSONField(_("结果明细"), default=list)
    problems = models.JSONField(_("问题"), default=list)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)


class Notification(models.Model):
    """A message for one user (a job finished, say), read in the app."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    text = models.CharField(_("内容"), max_length=300)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text


class Preference(models.Model):
    """A user's own settings: the language of the pages, kept across logins
    and browsers."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), primary_key=True, on_delete=models.CASCADE,
        related_name="preference",
    )
    language = models.CharField(_("界面语言"), max_length=8, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("个人设置")
        verbose_name_plural = _("个人设置")

    def __str__(self) -> str:
        return f"{self.user_id} {self.language}"
