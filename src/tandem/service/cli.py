"""`tandem desk sweep`: the service desk's daily pass (run by the scheduler
or by hand)."""

from __future__ import annotations

import datetime as dt

import typer

from tandem.core import bootstrap
from tandem.core.errors import TandemError

desk = typer.Typer(help="客服台。/ The service desk.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(desk, name="desk")


@desk.command("sweep")
def sweep_cmd(
    on: str = typer.Option("", "--on", help="日期 YYYY-MM-DD（默认今天）/ the day (default today)"),
) -> None:
    """安排回访（签收后、久未联系），超时投诉上报客服经理。/ Plan callbacks; report overdue complaints."""
    bootstrap.setup()
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from .services import callbacks_schedule, complaints_alert_overdue

    try:
        day = dt.date.fromisoformat(on) if on else timezone.localdate()
    except ValueError:
        raise TandemError(_("日期格式不正确：「%(value)s」（应为 YYYY-MM-DD）") % {"value": on}) from None
    planned = callbacks_schedule(on=day)
    alerted = complaints_alert_overdue(on=day)
    typer.echo(
        _("%(day)s：新安排签收后回访 %(delivery)d 个，久未联系回访 %(silent)d 个，超时投诉上报 %(overdue)d 个")
        % {"day": day.isoformat(), "delivery": planned["after_delivery"], "silent": planned["no_contact"],
           "overdue": alerted}
    )
