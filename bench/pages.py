"""Server time of the pages, per role, registered in bench.run's registry.

    python -m bench.run pages [--postgres URL]

Setup (measured and reported as "setup: ..."): import the generated data
(bench/generate.py: 1,000,000 orders), load the shipped default plan and run
the commissions in full. Then a child process (`python -m bench.pages
measure`) logs in as each role and requests each page through Django's test
client in-process, so the figure is the server's time (middleware, views,
queries, templates) without a network or a browser:

- the roles: the salesperson and the service person holding the most
  customers today, a team manager (the generated staff file has no teams:
  the child makes one, a manager and the ten busiest salespeople, as the
  demo does), the general manager (a manager with no team), finance, admin;
- "today" is the last order day of the data (the pages' "this month"
  figures would be empty on any later day);
- each page is requested twice to warm up, then REQUESTS times; the row
  gives the median and the 95th percentile, and the first request's time
  (the general manager's chart is cached after it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

_main = sys.modules.get("__main__")
if getattr(getattr(_main, "__spec__", None), "name", None) == "bench.run":
    sys.modules.setdefault("bench.run", _main)  # type: ignore[arg-type]

from bench.run import OUT, Measurement, Target, data_files, register, tandem  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PLAN = REPO / "src" / "tandem" / "commissions" / "default_plan.toml"
REQUESTS = 20
# Targets of the issue: home pages and lists, and the customer page.
TARGET_MS = {"customer": 200}
DEFAULT_TARGET_MS = 300


@dataclass
class PageTime(Measurement):
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    first_ms: float = 0.0
    target_ms: int = DEFAULT_TARGET_MS

    def row(self) -> str:
        verdict = "ok" if self.p95_ms <= self.target_ms else "OVER"
        return (
            f"| {self.benchmark} | {self.vendor} | {self.step} | {self.p95_ms / 1000:.3f} | {self.peak_mb:.0f} "
            f"| p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms (target {self.target_ms}: {verdict}), "
            f"first {self.first_ms:.0f} ms; {self.note} |"
        )


def _load() -> str:
    return "load " + "/".join(f"{x:.2f}" for x in os.getloadavg())


@register("pages")
def bench_pages(target: Target) -> list[Measurement]:
    steps: list[Measurement] = [
        tandem(target, "pages", "setup: import", "import", *data_files(target)),
        tandem(target, "pages", "setup: plans load", "plans", "load", str(DEFAULT_PLAN)),
        tandem(target, "pages", "setup: run --full", "commissions", "run", "--full"),
    ]
    report = OUT / f"pages-{os.getpid()}.json"
    report.unlink(missing_ok=True)
    load = _load()
    child = subprocess.run(
        [sys.executable, "-m", "bench.pages", "measure", "--report", str(report)],
        env=target.env, cwd=REPO, capture_output=True, text=True,
    )
    if child.returncode != 0:
        raise SystemExit(f"pages: measuring failed ({child.returncode}):\n{child.stderr}")
    results = json.loads(report.read_text())
    report.unlink()
    for row in results["pages"]:
        times = row["ms"]
        p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
        steps.append(
            PageTime(
                "pages", target.vendor, f"{row['role']} {row['page']}", p95 / 1000, results["peak_mb"],
                f"{row['path']}; {load}",
                p50_ms=statistics.median(times), p95_ms=p95, first_ms=row["first_ms"],
                target_ms=TARGET_MS.get(row["page"], DEFAULT_TARGET_MS),
            )
        )
    return steps


def _pick_users(today):
    """username -> staff id, one per role (see the module's doc)."""
    from django.db.models import Count

    from tandem.customers.permissions import assignments_covering
    from tandem.staff.accounts import staff_user_link
    from tandem.staff.models import Staff, Team

    def busiest(role: str, n: int = 1) -> list[str]:
        rows = (
            assignments_covering(today).filter(role=role, staff__left_on__isnull=True)
            .values("staff_id").annotate(n=Count("id")).order_by("-n", "staff_id")[:n]
        )
        return [r["staff_id"] for r in rows]

    managers = list(Staff.objects.filter(role="manager", left_on__isnull=True).order_by("staff_id"))
    team, _ = Team.objects.get_or_create(name="华东销售一部", defaults={"department": "sales"})
    lead = managers[1]
    for staff_id in [lead.pk, *busiest("sales", 10)]:
        member = Staff.objects.get(pk=staff_id)
        member.team = team
        member.save(update_fields=["team"])
    chosen = {
        "sales": busiest("sales")[0],
        "service": busiest("service")[0],
        "manager": lead.pk,
        "gm": managers[0].pk,
        "finance": Staff.objects.filter(role="finance").order_by("staff_id").values_list("pk", flat=True)[0],
        "admin": Staff.objects.filter(role="admin").order_by("staff_id").values_list("pk", flat=True)[0],
    }
    users = {}
    for role, staff_id in chosen.items():
        staff = Staff.objects.get(pk=staff_id)
        users[role] = staff_user_link(staff=staff, username=f"bench-{role}")
    return users


def _biggest_customer(user, today) -> str:
    from django.db.models import Count

    from tandem.customers.permissions import visible_customers
    from tandem.sales.models import Order

    visible = visible_customers(user, today=today)
    row = (
        Order.objects.filter(customer_id__in=visible.values("pk"))
        .values("customer_id").annotate(n=Count("order_id")).order_by("-n").first()
    )
    return row["customer_id"] if row else visible.values_list("pk", flat=True).first()


def measure_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pages measure")
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    args = parser.parse_args(argv)

    from tandem.core import bootstrap

    bootstrap.setup()
    from django.test import Client
    from django.utils import timezone

    from tandem.sales.models import Order

    last = Order.objects.order_by("-order_date").values_list("order_date", flat=True).first()
    today = last or timezone.localdate()
    timezone.localdate = lambda *a, **k: today  # type: ignore[assignment]
    users = _pick_users(today)
    rows = []
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        customer = _biggest_customer(user, today)
        pages = [
            ("home", "/"),
            ("customers", "/customers/"),
            ("customers sorted by name, page 3", "/customers/?sort=name&page=3"),
            ("orders", "/orders/"),
            ("orders, refunds only", "/orders/?kind=refund"),
            ("customer", f"/customers/{customer}/"),
            ("search", "/search/?q=C0001"),
        ]
        for name, path in pages:
            times = []
            for _ in range(args.requests + 2):
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{role} {path}: {response.status_code}")
                times.append(elapsed)
            rows.append({"role": role, "page": name, "path": path, "first_ms": times[0], "ms": times[2:]})
    with open("/proc/self/status") as fh:
        hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    args.report.write_text(json.dumps({"pages": rows, "peak_mb": hwm / 1024}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        measure_main(sys.argv[2:])
    else:
        raise SystemExit("usage: python -m bench.pages measure --report FILE")
