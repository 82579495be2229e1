"""`tandem demo`, `tandem serve` and `tandem worker`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import unicodedata
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("demo", help="创建演示公司（中文数据，可重复生成）。/ Create the demo company.")(
        demo
    )
    app.command("serve", help="启动网页应用（及一个后台任务进程）。/ Run the web application (and a worker).")(serve)
    app.command("worker", help="运行后台任务（导入、提成计算）。/ Run background jobs.")(worker)


def demo(
    seed: int = typer.Option(
        42, "--seed", help="随机种子：相同种子生成相同数据。/ Same seed, same data."
    ),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="数据库已有客户时什么也不做。/ Do nothing when customers exist."
    ),
    customers: int = typer.Option(
        2000, "--customers", min=20, help="客户数量。/ Number of customers."
    ),
) -> None:
    from tandem.core import bootstrap

    bootstrap.setup()
    from tandem.demo import DEMO_PASSWORD, demo_load
    from tandem.exchange.readers import kind_label

    summary = demo_load(seed=seed, customers=customers, if_empty=if_empty)
    if not summary.created:
        typer.echo("数据库中已有客户数据，未载入演示公司。")
        return
    typer.echo(
        f"演示公司已创建（种子 {seed}）：员工 {summary.staff} 人，客户 {summary.customers} 家，"
        f"联系人 {summary.contacts} 位，归属记录 {summary.assignments} 条（其中释放 {summary.releases} 次），"
        f"订单 {summary.orders:,} 笔（{summary.start} 至 {summary.end}），退款 {summary.refunds:,} 笔。"
    )
    imported = "，".join(
        f"{kind_label(r.kind)} {r.created:,} 行" for r in summary.imported
    )
    typer.echo(f"经导入程序载入：{imported}；用时 {summary.load_seconds:.1f} 秒。")
    typer.echo(
        f"最近一年的客服记录：跟进 {summary.followups:,} 条，回访 {summary.callbacks:,} 次，"
        f"投诉 {summary.complaints:,} 件，满意度调查 {summary.surveys:,} 份，回访带来的商机 {summary.opportunities} 个。"
    )
    typer.echo(f"提成已全量计算，用时 {summary.run_seconds or 0:.1f} 秒。")
    typer.echo(
        f"演示账号 {summary.logins} 个（gm、sales_manager、service_manager、sales、service、finance、admin），"
        f"密码均为 {DEMO_PASSWORD}。"
    )


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址。/ Address to listen on."),
    port: int = typer.Option(8000, "--port", envvar="PORT", help="端口。/ Port."),
    threads: int = typer.Option(8, "--threads", help="工作线程数。/ Worker threads."),
    show_logins: bool = typer.Option(
        False,
        "--show-logins",
        help="启动前显示地址和演示账号。/ Print the address and demo logins.",
    ),
    with_worker: bool = typer.Option(
        True,
        "--worker/--no-worker",
        help="同时启动一个后台任务进程（默认）。/ Also start one background worker (default).",
    ),
) -> None:
    from tandem.core import bootstrap

    bootstrap.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from waitress import serve as waitress_serve

    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    address = f"http://{shown}:{port}/"
    # Static files come from the apps (WHITENOISE_USE_FINDERS); the collected
    # directory only has to exist, or whitenoise warns on every start.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    application = get_wsgi_application()
    if show_logins:
        _print_logins(address)
    if host not in ("127.0.0.1", "localhost", "::1") and host not in settings.ALLOWED_HOSTS:
        typer.echo(
            "提示：从其他机器访问时，请把域名或地址加入 TANDEM_ALLOWED_HOSTS。"
            " / Set TANDEM_ALLOWED_HOSTS to the names this server is reached by.",
            err=True,
        )
    typer.echo(f"Tandem 正在运行：{address}（按 Ctrl+C 停止）", err=False)
    child = _start_worker() if with_worker else None
    # Stopped by a signal other than Ctrl+C, still stop the worker first.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        waitress_serve(application, host=host, port=port, threads=threads, ident="Tandem")
    finally:
        if child is not None:
            _stop_worker(child)


def _start_worker() -> subprocess.Popen:
    typer.echo("后台任务进程已启动。/ Background worker started.")
    return subprocess.Popen([sys.executable, "-m", "tandem.cli", "worker"], env=os.environ.copy())


def _stop_worker(child: subprocess.Popen) -> None:
    """Let the worker finish the job in hand (it stops on SIGINT after it);
    kill it if it does not within a minute."""
    if child.poll() is None:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def worker(
    batch: bool = typer.Option(
        False, "--batch", help="处理完队列中的任务后退出。/ Run the queued jobs, then exit."
    ),
) -> None:
    from tandem.core import bootstrap

    bootstrap.setup()
    from django.conf import settings
    from django.core.management import call_command

    if settings.TASKS_BACKEND == "rq":
        args = ["--burst"] if batch else []
        call_command("rqworker", "default", "--job-class", "django_tasks_rq.Job", *args)
        return
    call_command(
        "db_worker", batch=batch, reload=False, startup_delay=False, interval=1, verbosity=0
    )


def _print_logins(address: str) -> None:
    from tandem.demo import DEMO_PASSWORD, demo_logins_present

    typer.echo("")
    typer.echo(f"  地址 / Address: {address}")
    rows = demo_logins_present()
    if not rows:
        typer.echo("")
        return
    typer.echo(f"  演示账号（密码 / password: {DEMO_PASSWORD}）：")
    width = max(len(username) for username, *_ in rows)
    name_width = max(_display_width(name) for _, name, *_ in rows)
    for username, name, description, demo_password in rows:
        note = "" if demo_password else "（密码已修改 / password changed）"
        padding = " " * (name_width - _display_width(name))
        typer.echo(f"    {username.ljust(width)}  {name}{padding}  {description}{note}")
    typer.echo("")


def _display_width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
