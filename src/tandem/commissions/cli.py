"""`tandem commissions ...`, `tandem periods ...`, `tandem statements ...`."""

from __future__ import annotations

import csv
import sys
from contextlib import contextmanager
from pathlib import Path

import typer

from tandem.core import bootstrap
from tandem.core.errors import TandemError
from tandem.core.progress import terminal_bar

commissions = typer.Typer(help="提成计算、导出与说明。/ Commission runs, exports, explanations.", no_args_is_help=True)
periods = typer.Typer(help="期间锁账与解锁。/ Lock and unlock months.", no_args_is_help=True)
statements = typer.Typer(help="个人提成结算单。/ Per-person statements.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(commissions, name="commissions")
    app.add_typer(periods, name="periods")
    app.add_typer(statements, name="statements")


@contextmanager
def _progress(label: str):
    """`start(total) -> advance(n)` for a run's progress bar on a terminal."""
    with terminal_bar() as bar:
        if bar is None:
            yield None
            return

        def start(total: int):
            task = bar.add_task(label, total=total)
            return lambda n: bar.advance(task, n)

        yield start


@commissions.command("run")
def run_cmd(
    period: str = typer.Option("", "--period", help="只刷新这个月（YYYY-MM）/ refresh one month only"),
    full: bool = typer.Option(False, "--full", help="重算全部客户 / recompute every customer"),
) -> None:
    """重算提成：刷新未锁账月份，为已锁账月份生成调整。/ Recompute; refresh open months; post adjustments."""
    bootstrap.setup()
    from django.utils.translation import gettext as _

    from .periods import parse_period
    from .runs import run_commissions

    if period:
        parse_period(period)
    with _progress(_("计算提成")) as start:
        result = run_commissions(full=full, period=period, progress_start=start)
    mode = _("全量") if result.mode == "full" else _("增量")
    typer.echo(
        _(
            "提成计算完成（%(mode)s）：客户 %(customers)d，订单 %(orders)d，写入明细 %(written)d，"
            "删除明细 %(deleted)d，调整 %(adjustments)d，异常 %(exceptions)d，用时 %(ms)d 毫秒。"
        )
        % {
            "mode": mode,
            "customers": result.customers,
            "orders": result.orders,
            "written": result.lines_written,
            "deleted": result.lines_deleted,
            "adjustments": result.adjustments,
            "exceptions": result.exception_count,
            "ms": result.duration_ms,
        }
    )
    reasons = {"no_plan": _("订单日期没有适用的提成方案")}
    for exc in result.exceptions[:20]:
        typer.echo(
            _("异常：订单 %(order)s（客户 %(customer)s，%(date)s）：%(reason)s")
            % {
                "order": exc["order_id"],
                "customer": exc["customer_id"],
                "date": exc["order_date"],
                "reason": reasons.get(exc["reason"], exc["reason"]),
            },
            err=True,
        )
    if result.exception_count > 20:
        typer.echo(_("……另有 %(n)d 个异常。") % {"n": result.exception_count - 20}, err=True)


def _write_table(
    header: list[str], rows: list[list[str]], fmt: str, output: Path | None, title: str, money: tuple[int, ...] = ()
) -> None:
    """CSV (stdout or file) or XLSX; in XLSX the `money` columns are numbers."""
    from django.utils.translation import gettext as _

    if fmt == "csv":
        if output is None:
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
            return
        tmp = output.with_name(output.name + ".part")
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        tmp.replace(output)
    elif fmt == "xlsx":
        if output is None:
            raise TandemError(_("XLSX 导出需要 --output 文件名。"))
        from tandem.core.xlsx_writer import write_xlsx

        tmp = output.with_name(output.name + ".part")
        write_xlsx(tmp, title, header, rows, number_columns=money)
        tmp.replace(output)
    else:
        raise TandemError(_("不支持的格式：%(fmt)s（可选 csv、xlsx）") % {"fmt": fmt})


@commissions.command("export")
def export_cmd(
    period: str = typer.Option(..., "--period", help="YYYY-MM"),
    fmt: str = typer.Option("csv", "--format", help="csv | xlsx"),
    output: Path | None = typer.Option(None, "--output", help="输出文件（CSV 默认输出到标准输出）"),
) -> None:
    """导出某月提成明细（交换格式）。/ Export a month's lines (exchange format)."""
    bootstrap.setup()
    from django.utils.translation import gettext as _

    from .periods import parse_period
    from .selectors import EXPORT_COLUMNS, EXPORT_EXTRA_COLUMNS, export_rows, pending_customers

    parse_period(period)
    pending = pending_customers()
    if pending:
        typer.echo(
            _("提示：有 %(n)d 个客户的数据已变更但尚未重算，请先运行 tandem commissions run。") % {"n": pending},
            err=True,
        )
    rows = export_rows(period=period)
    header = list(EXPORT_COLUMNS + EXPORT_EXTRA_COLUMNS)
    money = (header.index("amount"), header.index("pool"))
    _write_table(header, rows, fmt.lower(), output, period, money)


@commissions.command("explain")
def explain_cmd(order_id: str = typer.Argument(..., help="订单编号 / order id")) -> None:
    """逐行说明一个订单的提成。/ Explain every line of an order."""
    bootstrap.setup()
    from .explanations import explain_order

    for text in explain_order(order_id=order_id, lang=bootstrap.language()):
        typer.echo(text)


@periods.command("lock")
def lock_cmd(period: str = typer.Argument(..., help="YYYY-MM")) -> None:
    """锁账（先增量重算，使该月为最新结果）。/ Lock a month (after an incremental run)."""
    bootstrap.setup()
    import getpass

    from django.utils.translation import gettext as _

    from .periods import period_lock

    period_lock(period=period, actor=getpass.getuser())
    typer.echo(_("%(period)s 已锁账。") % {"period": period})


@periods.command("unlock")
def unlock_cmd(
    period: str = typer.Argument(..., help="YYYY-MM"),
    user: str = typer.Option(..., "--user", help="经理或管理员的用户名 / a manager's username"),
    reason: str = typer.Option(..., "--reason", help="解锁原因 / why"),
) -> None:
    """解锁期间（经理操作，留痕；已发放结算单的月份不能解锁）。/ Unlock (audited manager action)."""
    bootstrap.setup()
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext as _

    from .periods import period_unlock

    account = get_user_model().objects.filter(username=user).select_related("staff").first()
    if account is None:
        raise TandemError(_("没有用户名为 %(user)s 的账号。") % {"user": user})
    period_unlock(period=period, user=account, reason=reason)
    typer.echo(_("%(period)s 已解锁。") % {"period": period})


@periods.command("list")
def list_cmd() -> None:
    """列出已锁账期间。/ List locked months."""
    bootstrap.setup()
    from .models import PeriodLock

    for lock in PeriodLock.objects.order_by("period"):
        typer.echo(f"{lock.period}\t{lock.locked_at:%Y-%m-%d %H:%M}")


@statements.command("issue")
def issue_cmd(period: str = typer.Argument(..., help="YYYY-MM")) -> None:
    """为已锁账月份出具结算单。/ Issue statements for a locked month."""
    bootstrap.setup()
    from django.utils.translation import gettext as _

    from .statements import statements_issue

    issued = statements_issue(period=period)
    typer.echo(_("%(period)s 出具结算单 %(n)d 份。") % {"period": period, "n": len(issued)})


@statements.command("pay")
def pay_cmd(
    period: str = typer.Argument(..., help="YYYY-MM"),
    staff: str | None = typer.Option(None, "--staff", help="只标记此员工 / only this person"),
) -> None:
    """标记结算单已发放。/ Mark statements paid."""
    bootstrap.setup()
    from django.utils.translation import gettext as _

    from .statements import statements_mark_paid

    n = statements_mark_paid(period=period, staff_id=staff)
    typer.echo(_("%(period)s 已标记发放 %(n)d 份。") % {"period": period, "n": n})


@statements.command("export")
def statement_export_cmd(
    staff: str = typer.Option(..., "--staff", help="员工编号 / staff id"),
    period: str = typer.Option(..., "--period", help="YYYY-MM"),
    fmt: str = typer.Option("csv", "--format", help="csv | xlsx"),
    output: Path | None = typer.Option(None, "--output"),
) -> None:
    """导出个人月度提成结算单（合计与明细）。/ Export one person's statement."""
    bootstrap.setup()
    from .explanations import statement_table
    from .periods import parse_period

    parse_period(period)
    header, rows = statement_table(staff_id=staff, period=period, lang=bootstrap.language())
    _write_table(header, rows, fmt.lower(), output, f"{staff} {period}", (8,))
