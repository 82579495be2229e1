"""Background jobs: the list, one job's page with its progress (polled with
htmx until it finishes), and starting a commission run."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_POST

from tandem.staff.accounts import staff_for_user

from .. import access
from ..jobs import job_progress, job_submit
from ..models import Job

JOBS_SHOWN = 30


def _operator(request) -> bool:
    staff = staff_for_user(request.user)
    return access.may_import(request.user, staff) or access.may_run_commissions(request.user, staff)


def _job(request, job_id: int) -> Job:
    """A job its submitter may follow; those who run imports and runs see all."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or (job.user_id != request.user.pk and not _operator(request)):
        raise Http404
    return job_progress(job)


def problem_rows(lines: list[str]) -> list[dict]:
    """`file:line: column: reason` lines as table rows."""
    rows = []
    for text in lines:
        name, _, rest = text.partition(":")
        line, _, rest = rest.partition(": ")
        column, _, reason = rest.partition(": ")
        if line.isdigit() and reason:
            rows.append({"file": name, "line": int(line), "column": column, "reason": reason})
        else:
            rows.append({"file": "", "line": None, "column": "", "reason": text})
    return rows


@login_required
def job_list(request):
    if not _operator(request):
        raise Http404
    jobs = list(Job.objects.select_related("user").order_by("-pk")[:JOBS_SHOWN])
    staff = staff_for_user(request.user)
    return render(
        request,
        "web/jobs/list.html",
        {"jobs": jobs, "may_run": access.may_run_commissions(request.user, staff)},
    )


@login_required
@require_POST
def run_submit(request):
    if not access.may_run_commissions(request.user, staff_for_user(request.user)):
        raise Http404
    job = job_submit(kind=Job.Kind.RUN, user_id=request.user.pk, params={}, language=translation.get_language())
    return redirect("jobs:detail", job_id=job.pk)


@login_required
def job_detail(request, job_id: int):
    job = _job(request, job_id)
    return render(request, "web/jobs/detail.html", _context(request, job))


@login_required
def job_progress_fragment(request, job_id: int):
    job = _job(request, job_id)
    return render(request, "web/jobs/_progress.html", _context(request, job))


def _context(request, job: Job) -> dict:
    imported = None
    if job.kind == Job.Kind.IMPORT_CHECK:
        imported = Job.objects.filter(kind=Job.Kind.IMPORT, params__checked=job.pk).first()
    return {
        "job": job,
        "problems": problem_rows(job.problems),
        "imported": imported,
        "may_import": access.may_import(request.user, staff_for_user(request.user)),
    }
