"""Background jobs: imports (checked first in a transaction that is rolled
back, then imported), and commission runs, submitted from pages and run by
the worker (`tandem worker`, started by `tandem serve`) through Django's
Tasks API. Pages never do this work inside a request.

A job's row (`Job`) carries its parameters, progress and outcome. Progress is
written while the job's own transaction is still open, so it must not go
through that transaction: on PostgreSQL it goes through a second session
(the `progress` database alias); SQLite allows one writer at a time, so
there it goes to a small file under var/jobs/ that the status page reads
until the job's row says it finished."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from tandem.commissions.runs import run_commissions
from tandem.core.errors import InvalidInput
from tandem.exchange.importers import import_files

from .models import Job
from .notifications import notification_send

log = logging.getLogger(__name__)

PROGRESS_ALIAS = "progress"
PROGRESS_EVERY_S = 0.3


def jobs_dir() -> Path:
    return Path(settings.VAR_DIR) / "jobs"


def uploads_dir() -> Path:
    return Path(settings.VAR_DIR) / "uploads"


def job_submit(*, kind: str, user_id: int | None, params: dict[str, Any], language: str) -> Job:
    """Record the job and put it on the queue."""
    job = Job.objects.create(kind=kind, user_id=user_id, params={**params, "language": language})
    result = job_execute.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
    return job


class Reporter:
    """Progress of one job: the importer's `Progress` (start/update/finish)
    and a run's `progress_start(total) -> advance(n)`."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.step = ""
        self.done = 0
        self.total = 0
        self._written = 0.0

    # the importer's Progress
    def start(self, description: str, total: int) -> None:
        self.step, self.done, self.total = description, 0, total
        self._write(force=True)

    def update(self, completed: int) -> None:
        self.done = completed
        self._write()

    def finish(self) -> None:
        self.done = self.total
        self._write(force=True)

    # a commission run's progress
    def run_start(self, total: int) -> Callable[[int], None]:
        self.start(_("计算提成"), total)

        def advance(n: int) -> None:
            self.update(self.done + n)

        return advance

    def _write(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written < PROGRESS_EVERY_S:
            return
        self._written = now
        values = {"step": self.step[:200], "done": self.done, "total": self.total}
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job_id).update(**values)
        elif PROGRESS_ALIAS in settings.DATABASES:
            Job.objects.using(PROGRESS_ALIAS).filter(pk=self.job_id).update(**values)
        else:
            path = progress_file(self.job_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            scratch = path.with_suffix(".tmp")
            scratch.write_text(json.dumps(values, ensure_ascii=False))
            os.replace(scratch, path)


def progress_file(job_id: int) -> Path:
    return jobs_dir() / f"{job_id}.json"


def job_progress(job: Job) -> Job:
    """The job with its latest progress (from the file while a job on SQLite
    is inside its transaction)."""
    if job.status == Job.Status.RUNNING:
        try:
            values = json.loads(progress_file(job.pk).read_text())
        except (OSError, ValueError):
            return job
        job.step, job.done, job.total = values["step"], values["done"], values["total"]
    return job


@dataclass
class Outcome:
    message: str
    summary: list[str]
    problems: list[str]
    ok: bool = True


class _DryRun(Exception):
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines


def _shown(text: str, folder: str) -> str:
    """Messages name the uploaded file by its own name, not the upload folder."""
    return text.replace(folder.rstrip("/") + "/", "")


def _import(job: Job, reporter: Reporter, *, dry_run: bool) -> Outcome:
    folder = job.params["folder"]
    paths = [str(Path(folder) / name) for name in job.params["files"]]
    try:
        if dry_run:
            try:
                with transaction.atomic():
                    results = import_files(paths, progress=reporter)
                    raise _DryRun([r.summary() for r in results])
            except _DryRun as checked:
                summary = [_shown(line, folder) for line in checked.lines]
                return Outcome(_("检查通过：没有发现错误，确认后即可导入。"), summary, [])
        results = import_files(paths, progress=reporter)
    except InvalidInput as exc:
        problems = [_shown(line, folder) for line in exc.problems]
        if dry_run:
            # The check did its work: it found the problems.
            message = ngettext(
                "检查未通过：共 %(count)d 处错误，没有写入任何数据。",
                "检查未通过：共 %(count)d 处错误，没有写入任何数据。",
                len(problems),
            ) % {"count": len(problems)}
            return Outcome(message, [], problems)
        return Outcome(_shown(str(exc), folder), [], problems, ok=False)
    shutil.rmtree(folder, ignore_errors=True)
    return Outcome(_("导入完成。"), [_shown(r.summary(), folder) for r in results], [])


def _run(job: Job, reporter: Reporter) -> Outcome:
    result = run_commissions(progress_start=reporter.run_start)
    message = _(
        "提成计算完成：客户 %(customers)d，订单 %(orders)d，写入明细 %(written)d，"
        "删除明细 %(deleted)d，调整 %(adjustments)d。"
    ) % {
        "customers": result.customers,
        "orders": result.orders,
        "written": result.lines_written,
        "deleted": result.lines_deleted,
        "adjustments": result.adjustments,
    }
    return Outcome(message, [], [])


def _execute(job: Job, reporter: Reporter) -> Outcome:
    if job.kind == Job.Kind.IMPORT_CHECK:
        return _import(job, reporter, dry_run=True)
    if job.kind == Job.Kind.IMPORT:
        return _import(job, reporter, dry_run=False)
    return _run(job, reporter)


@task()
def job_execute(job_id: int) -> str:
    """Run one job (in the worker) and record its outcome; the submitter
    gets a notification."""
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    job.status = Job.Status.RUNNING
    reporter = Reporter(job.pk)
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        try:
            outcome = _execute(job, reporter)
        except Exception as exc:
            log.exception("job %s failed", job.pk)
            outcome = Outcome(_("任务出错：%(error)s") % {"error": exc}, [], [], ok=False)
        status = Job.Status.DONE if outcome.ok else Job.Status.FAILED
        Job.objects.filter(pk=job.pk).update(
            status=status,
            finished_at=timezone.now(),
            message=outcome.message[:300],
            summary=outcome.summary,
            problems=outcome.problems,
            done=reporter.total if status == Job.Status.DONE else reporter.done,
            total=reporter.total,
        )
        progress_file(job.pk).unlink(missing_ok=True)
        if job.user_id is not None:
            notification_send(
                user_id=job.user_id,
                text=f"{job.get_kind_display()}：{outcome.message}",
                url=reverse("jobs:detail", args=[job.pk]),
            )
    return status
