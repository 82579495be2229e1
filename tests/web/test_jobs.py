"""Background jobs through the embedded database queue: submitted as a page
would, worked by the real worker (`tandem worker --batch` runs the same
command), with their outcome, progress and notification recorded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tandem.commissions.models import CommissionLine
from tandem.customers.models import Customer
from tandem.exchange.plans import plans_load
from tandem.sales.models import Order
from tandem.staff.models import Staff
from tandem.web.jobs import Reporter, job_progress, job_submit, progress_file
from tandem.web.models import Job, Notification

from ..fixtures import WORKED

pytestmark = pytest.mark.django_db(transaction=True)


def work_queue() -> None:
    """What `tandem worker --batch` does: run every queued task, then stop."""
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("ops", password="pw")


@pytest.fixture
def upload(tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"

    def make(files: dict[str, str]) -> dict:
        folder = tmp_path / "upload"
        folder.mkdir()
        for name, content in files.items():
            (folder / name).write_text(content, encoding="utf-8")
        return {"folder": str(folder), "files": list(files)}

    return make


def test_a_check_lists_every_problem_by_row_and_writes_nothing(user, upload):
    params = upload(
        {
            "orders.csv": "order_id,customer_id,order_date,amount,category,refund_of\n"
            "O1,C404,2026-02-10,1000.00,,\n"
            "O2,C404,2026-02-31,12.5,,\n"
        }
    )
    job = job_submit(kind=Job.Kind.IMPORT_CHECK, user_id=user.pk, params=params, language="zh-hans")
    assert DBTaskResult.objects.filter(id=job.task_id).exists()
    work_queue()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.message == "检查未通过：共 3 处错误，没有写入任何数据。"
    assert job.problems == [
        "orders.csv:2: customer_id: 未知的客户「C404」",
        "orders.csv:3: customer_id: 未知的客户「C404」",
        "orders.csv:3: order_date: 日期格式不正确：「2026-02-31」（应为 YYYY-MM-DD）",
    ]
    assert Order.objects.count() == 0
    note = Notification.objects.get(user=user)
    assert note.text == "导入检查：检查未通过：共 3 处错误，没有写入任何数据。"
    assert note.url == f"/jobs/{job.pk}/"


def test_a_clean_check_writes_nothing_and_the_import_then_writes_everything(user, upload):
    params = upload({name: (WORKED / name).read_text() for name in ("staff.csv", "customers.csv", "assignments.csv", "orders.csv")})
    check = job_submit(kind=Job.Kind.IMPORT_CHECK, user_id=user.pk, params=params, language="zh-hans")
    work_queue()
    check.refresh_from_db()
    assert (check.status, check.problems) == (Job.Status.DONE, [])
    assert check.message == "检查通过：没有发现错误，确认后即可导入。"
    assert check.summary[0].startswith("staff.csv：员工，读取 ")
    assert Staff.objects.count() == 0 and Customer.objects.count() == 0  # rolled back

    job = job_submit(kind=Job.Kind.IMPORT, user_id=user.pk, params={**params, "checked": check.pk}, language="en")
    work_queue()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.message == "Import finished."
    assert Staff.objects.count() == 4 and Order.objects.filter(order_id="O1").exists()
    assert not Path(params["folder"]).exists()  # the uploaded files go once imported


def test_a_commission_run_job(user, upload):
    plans_load(str(WORKED / "plans.toml"))
    params = upload({name: (WORKED / name).read_text() for name in ("staff.csv", "customers.csv", "assignments.csv", "orders.csv")})
    imported = job_submit(kind=Job.Kind.IMPORT, user_id=user.pk, params=params, language="zh-hans")
    work_queue()
    imported.refresh_from_db()
    assert imported.status == Job.Status.DONE, imported.problems
    run = job_submit(kind=Job.Kind.RUN, user_id=user.pk, params={}, language="zh-hans")
    work_queue()
    run.refresh_from_db()
    assert run.status == Job.Status.DONE, run.message
    assert run.message.startswith("提成计算完成：客户 ")
    assert CommissionLine.objects.filter(order_id="O1", staff_id="S1").exists()
    assert Notification.objects.filter(user=user).count() == 2


def test_a_failing_job_is_recorded_as_failed(user, upload):
    params = upload({"orders.csv": "x"})
    shutil.rmtree(params["folder"])
    job = job_submit(kind=Job.Kind.IMPORT, user_id=user.pk, params=params, language="zh-hans")
    work_queue()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.problems and job.problems[0].endswith("orders.csv: 找不到文件")


def test_progress_inside_a_transaction_on_sqlite_goes_to_a_file(user, upload, django_db_blocker):
    from django.db import connection, transaction

    upload({})
    job = Job.objects.create(kind=Job.Kind.IMPORT, user=user, status=Job.Status.RUNNING)
    reporter = Reporter(job.pk)
    with transaction.atomic():
        reporter.start("读取 orders.csv", 200)
        reporter.update(50)
        reporter.finish()
    if connection.vendor == "sqlite":
        assert progress_file(job.pk).exists()
    shown = job_progress(Job.objects.get(pk=job.pk))
    assert (shown.step, shown.done, shown.total) == ("读取 orders.csv", 200, 200)


@pytest.mark.django_db(transaction=False)
def test_tandem_worker_runs_what_is_queued_then_exits(tandem):
    """The command `tandem serve` starts, in batch mode: an empty queue ends it at once."""
    done = tandem("worker", "--batch")
    assert done.returncode == 0, done.stderr
