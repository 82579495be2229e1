"""The `tandem` command. Each domain adds its own sub-commands; this module
only wires them together and turns expected errors into one line on stderr."""

from __future__ import annotations

import os
import sys

import typer

from tandem.core.errors import TandemError

app = typer.Typer(
    name="tandem",
    help="Tandem：销售与客服协同提成。/ Tandem: commission for sales and service together.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    lang: str = typer.Option(
        None,
        "--lang",
        envvar="TANDEM_LANGUAGE",
        help="界面语言 zh-hans（默认）或 en。/ Language: zh-hans (default) or en.",
    ),
) -> None:
    if lang:
        os.environ["TANDEM_LANGUAGE"] = lang


def _register() -> None:
    from tandem.commissions.cli import register as register_commissions
    from tandem.exchange.cli import register as register_exchange
    from tandem.exchange.handover_cli import register as register_handover
    from tandem.scorecards.cli import register as register_scorecards
    from tandem.service.cli import register as register_service
    from tandem.web.cli import register as register_web

    register_exchange(app)
    register_handover(app)
    register_commissions(app)
    register_scorecards(app)
    register_service(app)
    register_web(app)


_register()


def main() -> None:
    try:
        app()
    except TandemError as exc:
        for problem in getattr(exc, "problems", []):
            typer.echo(problem, err=True)
        typer.echo(f"tandem: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("tandem: 已中断 / interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
