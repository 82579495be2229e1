"""`tandem scorecards export` and `tandem scorecards rules load`."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import typer

from tandem.core import bootstrap
from tandem.core.errors import TandemError

scorecards = typer.Typer(help="考核：导出与规则。/ Scorecards: export and rules.", no_args_is_help=True)
rules_app = typer.Typer(help="考核规则。/ Scorecard rules.", no_args_is_help=True)
scorecards.add_typer(rules_app, name="rules")


def register(app: typer.Typer) -> None:
    app.add_typer(scorecards, name="scorecards")


@scorecards.command("export")
def export_cmd(
    period: str = typer.Option(..., "--period", help="YYYY-MM"),
    to: str | None = typer.Option(None, "--to", help="YYYY-MM：导出从 --period 到此月的区间 / last month of a range"),
    fmt: str = typer.Option("csv", "--format", help="csv | xlsx"),
    output: Path | None = typer.Option(None, "--output", help="输出文件（CSV 默认输出到标准输出）/ output file"),  # noqa: B008
) -> None:
    """导出考核（每人每项指标一行）。/ Export the scorecards, one row per person and measure."""
    bootstrap.setup()
    from django.utils.translation import gettext as _

    from .export import COLUMNS, export_rows, parse_range

    fmt = fmt.lower()
    if fmt not in ("csv", "xlsx"):
        raise TandemError(_("不支持的格式：%(fmt)s（可选 csv、xlsx）") % {"fmt": fmt})
    if fmt == "xlsx" and output is None:
        raise TandemError(_("XLSX 导出需要 --output 文件名。"))
    span = parse_range(period, to)
    rows = export_rows(span)
    header = list(COLUMNS)
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
        return
    from tandem.core.xlsx_writer import write_xlsx

    assert output is not None
    tmp = output.with_name(output.name + ".part")
    # Values stay text: each is printed with the spec's exact number of decimals.
    write_xlsx(tmp, span.label, header, rows)
    tmp.replace(output)


@rules_app.command("load")
def rules_load_cmd(
    file: Path = typer.Argument(..., help="考核规则文件（TOML）/ rules file (TOML)", show_default=False),  # noqa: B008
) -> None:
    """载入考核规则（整体替换，未写的键取默认值）。/ Load the scorecard rules (replaces them whole)."""
    bootstrap.setup()
    from django.utils.translation import gettext as _

    from tandem.service.services import scorecard_rules_load

    rules = scorecard_rules_load(path=str(file))
    typer.echo(
        _("已载入考核规则：挽回期 %(days)d 天，越级扣分 %(points)d 分/次，每月最多 %(cap)d 分")
        % {"days": rules.recovery_days, "points": rules.escalation_points, "cap": rules.escalation_cap}
    )
