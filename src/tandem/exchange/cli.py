"""`tandem import FILE...` and `tandem plans load FILE.toml`."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from tandem.core import bootstrap
from tandem.core.progress import terminal_bar

plans_app = typer.Typer(help="提成方案。/ Commission plans.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.add_typer(plans_app, name="plans")


class _RichProgress:
    """The importer's progress, drawn by rich on stderr."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.task: Any = None

    def start(self, description: str, total: int) -> None:
        self.task = self.bar.add_task(description, total=total)

    def update(self, completed: int) -> None:
        if self.task is not None:
            self.bar.update(self.task, completed=completed)

    def finish(self) -> None:
        if self.task is not None:
            self.bar.remove_task(self.task)
            self.task = None


@contextmanager
def _progress():
    """The importer's progress bar on a terminal; None otherwise."""
    with terminal_bar() as bar:
        yield _RichProgress(bar) if bar is not None else None


def import_command(
    files: list[Path] = typer.Argument(  # noqa: B008
        ...,
        help="CSV 或 XLSX 文件，类型由表头识别，顺序不限。/ CSV or XLSX files, kind told by the header, any order.",
        show_default=False,
    ),
    skip_invalid: bool = typer.Option(
        False,
        "--skip-invalid",
        help="导入有效的行，把无效的行连同原因写到 <文件名>.rejects.csv。"
        " / Import the valid rows; write the rejected ones with a reason to <name>.rejects.csv.",
    ),
) -> None:
    """导入员工、客户、归属、订单文件。/ Import staff, customer, assignment and order files."""
    bootstrap.setup()
    from django.utils.translation import gettext as _

    from .importers import import_files

    with _progress() as progress:
        results = import_files([str(f) for f in files], skip_invalid=skip_invalid, progress=progress)
    for result in results:
        typer.echo(result.summary())
    if skip_invalid:
        imported = sum(r.created + r.updated + r.unchanged for r in results)
        rejected = sum(r.rejected for r in results)
        typer.echo(
            _("已导入 %(imported)d 行，拒绝 %(rejected)d 行")
            % {"imported": imported, "rejected": rejected}
        )
        for result in results:
            if result.rejects_path:
                typer.echo(_("被拒绝的行已写入 %(path)s") % {"path": result.rejects_path})


@plans_app.command("load")
def plans_load_command(
    file: Path = typer.Argument(..., help="方案文件（TOML）/ plan file (TOML)", show_default=False),  # noqa: B008
) -> None:
    """载入提成方案（按生效日期新增或替换）。/ Load plans (insert or replace by effective date)."""
    bootstrap.setup()
    from .plans import plans_load

    result = plans_load(str(file))
    typer.echo(result.summary())
