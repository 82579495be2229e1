"""The import page: upload exchange files, see every problem by row from a
check run in a transaction that is rolled back, then confirm; both run as
background jobs."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.staff.accounts import staff_for_user

from .. import access
from ..jobs import job_submit, uploads_dir
from ..models import Job

MAX_FILES = 10
MAX_BYTES = 500 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx")


def _allowed(request) -> None:
    if not access.may_import(request.user, staff_for_user(request.user)):
        raise Http404


def _safe_name(name: str) -> str:
    """The uploaded file's own name, kept (messages name it), made harmless."""
    name = Path(name).name
    name = re.sub(r"[^\w.\-（）()]+", "_", name)
    return name.lstrip(".")[:120] or "file.csv"


@login_required
def upload(request):
    _allowed(request)
    errors: list[str] = []
    if request.method == "POST":
        files = request.FILES.getlist("files")
        if not files:
            errors.append(_("请选择要导入的文件。"))
        if len(files) > MAX_FILES:
            errors.append(_("一次最多导入 %(n)d 个文件。") % {"n": MAX_FILES})
        names = [_safe_name(f.name) for f in files]
        for f, name in zip(files, names, strict=True):
            if not name.lower().endswith(SUFFIXES):
                errors.append(_("%(file)s：只能导入 CSV 或 XLSX 文件。") % {"file": f.name})
            elif f.size > MAX_BYTES:
                errors.append(_("%(file)s：文件超过 500 MB。") % {"file": f.name})
        if len(set(names)) != len(names):
            errors.append(_("文件名重复：请每种文件只选一个。"))
        if not errors:
            folder = uploads_dir() / secrets.token_hex(8)
            folder.mkdir(parents=True)
            for f, name in zip(files, names, strict=True):
                with (folder / name).open("wb") as out:
                    for chunk in f.chunks():
                        out.write(chunk)
            job = job_submit(
                kind=Job.Kind.IMPORT_CHECK,
                user_id=request.user.pk,
                params={"folder": str(folder), "files": names},
                language=translation.get_language(),
            )
            return redirect("jobs:detail", job_id=job.pk)
    recent = Job.objects.filter(kind__in=[Job.Kind.IMPORT_CHECK, Job.Kind.IMPORT]).order_by("-pk")[:10]
    return render(request, "web/imports/upload.html", {"errors": errors, "recent": list(recent)})


@login_required
@require_POST
def confirm(request, job_id: int):
    """Import the files a check found clean."""
    _allowed(request)
    check = Job.objects.filter(pk=job_id, kind=Job.Kind.IMPORT_CHECK).first()
    if check is None:
        raise Http404
    if check.status != Job.Status.DONE or check.problems or not Path(check.params["folder"]).is_dir():
        return redirect("jobs:detail", job_id=check.pk)
    already = Job.objects.filter(kind=Job.Kind.IMPORT, params__checked=check.pk).first()
    if already is not None:
        return redirect("jobs:detail", job_id=already.pk)
    job = job_submit(
        kind=Job.Kind.IMPORT,
        user_id=request.user.pk,
        params={"folder": check.params["folder"], "files": check.params["files"], "checked": check.pk},
        language=translation.get_language(),
    )
    return redirect("jobs:detail", job_id=job.pk)
