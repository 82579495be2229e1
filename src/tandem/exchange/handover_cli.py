"""`tandem staff leave`, `tandem handover propose|preview|confirm` (handover
spec §6): the proposal written as CSV or XLSX, an edited plan read back."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import typer

from tandem.core import bootstrap
from tandem.core.errors import InvalidInput

staff_app = typer.Typer(help="员工：登记离职。/ Staff: record departures.", no_args_is_help=True)
handover_app = typer.Typer(help="离职交接。/ Departure handover.", no_args_is_help=True)

PROPOSAL_COLUMNS = (
    "customer_id",
    "role",
    "from_staff_id",
    "to_staff_id",
    "tier",
    "trailing_revenue",
    "reason",
)
PLAN_REQUIRED = ("customer_id", "role", "to_staff_id")


def register(app: typer.Typer) -> None:
    app.add_typer(staff_app, name="staff")
    app.add_typer(handover_app, name="handover")


def _day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        from django.utils.translation import gettext as _

        raise InvalidInput(
            _("%(option)s：日期「%(value)s」无效，应为 YYYY-MM-DD")
            % {"option": option, "value": text}
        ) from None


@staff_app.command("leave")
def leave_command(
    staff_id: str = typer.Argument(..., help="员工编号 / staff id"),
    on: str = typer.Option(
        ..., "--on", help="离职日期（不再在职的第一天）YYYY-MM-DD / first day no longer working"
    ),
    user: str = typer.Option(None, "--user", help="登记人的登录账号 / login recording it"),
) -> None:
    """登记离职。/ Record a departure."""
    bootstrap.setup()
    from django.utils.translation import gettext as _

    from tandem.handover.services import staff_leave

    staff, changed = staff_leave(staff_id=staff_id, left_on=_day(on, "--on"), username=user)
    if changed:
        typer.echo(_("已登记员工 %(id)s 于 %(day)s 离职") % {"id": staff.staff_id, "day": on})
    else:
        typer.echo(
            _("员工 %(id)s 的离职日期已是 %(day)s，未更改") % {"id": staff.staff_id, "day": on}
        )


def _leaver_on(staff_id: str):
    from django.utils.translation import gettext as _

    from tandem.staff.models import Staff
    from tandem.staff.rules import unknown_staff

    leaver = Staff.objects.select_related("team").filter(pk=staff_id).first()
    if leaver is None:
        raise InvalidInput(unknown_staff(staff_id))
    if leaver.left_on is None:
        raise InvalidInput(
            _("员工 %(id)s 没有离职日期，请先登记离职（tandem staff leave）") % {"id": staff_id}
        )
    return leaver


@handover_app.command("propose")
def propose_command(
    staff_id: str = typer.Argument(..., help="离职员工编号 / leaver's staff id"),
    output: Path = typer.Option(
        None, "--output", help="写入 CSV 或 XLSX 文件（默认标准输出）/ CSV or XLSX file"
    ),  # noqa: B008
) -> None:
    """默认交接方案。/ The default handover proposal."""
    bootstrap.setup()
    from tandem.core.money import format_cents
    from tandem.handover.selectors import handover_proposal

    leaver = _leaver_on(staff_id)
    assert leaver.left_on is not None
    rows = [
        (
            p.customer_id,
            p.role,
            p.from_staff_id,
            p.to_staff_id or "",
            p.tier,
            format_cents(p.trailing_cents),
            p.reason,
        )
        for p in handover_proposal(leaver, leaver.left_on)
    ]
    _write(output, "交接方案", PROPOSAL_COLUMNS, rows, number_columns=(5,))


def _write(output: Path | None, title: str, header, rows, number_columns=()) -> None:
    if output is not None and output.suffix.lower() == ".xlsx":
        from tandem.core.xlsx_writer import write_xlsx

        write_xlsx(output, title, header, rows, number_columns)
        return
    handle = sys.stdout if output is None else open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
    try:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    finally:
        if output is not None:
            handle.close()


def read_plan(path: Path):
    """An edited proposal as plan lines: `customer_id, role, to_staff_id`
    read, the proposal's other columns accepted and ignored, any other
    column refused."""
    from django.utils.translation import gettext as _

    from tandem.exchange.readers import cell_text
    from tandem.handover.services import PlanLine

    name = str(path)
    if not path.is_file():
        raise InvalidInput(_("%(file)s: 找不到文件") % {"file": name})
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        table = [[cell_text(c) for c in row] for row in book.active.iter_rows(values_only=True)]
    else:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            table = list(csv.reader(handle))
    if not table:
        raise InvalidInput(_("%(file)s: 文件是空的") % {"file": name})
    header = [h.strip() for h in table[0]]
    problems = [
        f"{name}:1: {h}: " + _("不是交接方案的列")
        for h in header
        if h and h not in PROPOSAL_COLUMNS
    ]
    problems += [f"{name}:1: {c}: " + _("缺少此列") for c in PLAN_REQUIRED if c not in header]
    if problems:
        raise InvalidInput(_("%(file)s: 表头有误") % {"file": name}, problems)
    at = {h: i for i, h in enumerate(header) if h}
    plan = []
    for n, cells in enumerate(table[1:], start=2):
        values = {
            c: (cells[i].strip() if i < len(cells) and cells[i] else "") for c, i in at.items()
        }
        if not any(values.values()):
            continue
        plan.append(
            PlanLine(n, values["customer_id"], values["role"], values["to_staff_id"] or None)
        )
    return plan


@handover_app.command("confirm")
def confirm_command(
    staff_id: str = typer.Argument(..., help="离职员工编号 / leaver's staff id"),
    plan: Path = typer.Option(None, "--plan", help="编辑过的方案（CSV/XLSX）/ edited plan"),  # noqa: B008
    user: str = typer.Option(None, "--user", help="确认人的登录账号 / login confirming it"),
) -> None:
    """确认交接（一个事务）。/ Confirm the handover (one transaction)."""
    bootstrap.setup()
    from django.utils.translation import gettext as _

    from tandem.handover.services import handover_confirm

    lines = read_plan(plan) if plan is not None else None
    record = handover_confirm(
        staff_id=staff_id, plan=lines, source=str(plan) if plan else None, username=user
    )
    count = record.lines.count()
    given = record.lines.filter(to_staff__isnull=False).count()
    typer.echo(
        _("已确认员工 %(id)s 的离职交接：%(n)d 条归属，%(given)d 条交给接收人，%(pool)d 条进入公海")
        % {"id": staff_id, "n": count, "given": given, "pool": count - given}
    )


@handover_app.command("preview")
def preview_command(
    staff_id: str = typer.Argument(..., help="离职员工编号 / leaver's staff id"),
    plan: Path = typer.Option(None, "--plan", help="编辑过的方案（CSV/XLSX）/ edited plan"),  # noqa: B008
    since: str = typer.Option(None, "--since", help="起始日期（默认离职前 365 天）/ window start"),
    until: str = typer.Option(
        None, "--until", help="截止日期，不含（默认离职日期）/ window end, exclusive"
    ),
    by_person: bool = typer.Option(False, "--by-person", help="按人员汇总 / totals per person"),
) -> None:
    """方案的提成预览（由提成引擎计算）。/ The plan's money, computed by the engine."""
    bootstrap.setup()
    from tandem.commissions.handover_preview import handover_preview, preview_totals
    from tandem.core.money import format_cents
    from tandem.handover.selectors import handover_proposal

    leaver = _leaver_on(staff_id)
    assert leaver.left_on is not None
    if plan is not None:
        lines = [(p.customer_id, p.role, p.to_staff_id) for p in read_plan(plan)]
    else:
        lines = [
            (p.customer_id, p.role, p.to_staff_id)
            for p in handover_proposal(leaver, leaver.left_on)
        ]
    start = _day(since, "--since") if since else None
    end = _day(until, "--until") if until else None
    if start is None and end is not None:
        start = leaver.left_on - dt.timedelta(days=365)
    rows = handover_preview(
        leaver_id=staff_id, left_on=leaver.left_on, plan=lines, since=start, until=end
    )
    if by_person:
        _write(
            None, "", ("staff_id", "role", "before", "after"),
            [(s, r, format_cents(b), format_cents(a)) for s, r, b, a in preview_totals(rows)],
        )  # fmt: skip
        return
    _write(
        None, "", ("customer_id", "role", "staff_id", "before", "after"),
        [(r.customer_id, r.role, r.staff_id, format_cents(r.before_cents), format_cents(r.after_cents)) for r in rows],
    )  # fmt: skip
