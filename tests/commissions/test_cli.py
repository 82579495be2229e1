"""The commission commands end to end: the real `tandem` command on its own
SQLite file, the worked example of the spec."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from .worked import expected_lines

MONTHS = ["2026-02", "2026-03", "2026-04", "2026-05"]


@pytest.fixture
def worked(tandem):
    assert tandem("plans", "load", "plans.toml").returncode == 0
    done = tandem("import", "staff.csv", "customers.csv", "assignments.csv", "orders.csv")
    assert done.returncode == 0, done.stderr
    return tandem


def exports(tandem, months=MONTHS) -> list[tuple[str, ...]]:
    rows = []
    for month in months:
        done = tandem("commissions", "export", "--period", month)
        assert done.returncode == 0, done.stderr
        table = list(csv.reader(io.StringIO(done.stdout)))
        assert table[0][:7] == ["period", "order_id", "staff_id", "role", "scenario", "kind", "amount"]
        rows.extend(tuple(r[:7]) for r in table[1:])
    return [r for r in rows if r[6] != "0.00"]


def test_worked_example_exports_equal_the_expected_lines(worked):
    done = worked("commissions", "run")
    assert done.returncode == 0, done.stderr
    assert "提成计算完成（增量）：客户 4，订单 5，写入明细 10" in done.stdout
    assert exports(worked) == expected_lines()


def test_worker_processes_give_the_same_lines(worked, tmp_path):
    # Large runs compute in worker processes; force them on the small example.
    # On an empty line table (SQLite) the workers write staging files that
    # the run copies in; they must be gone afterwards.
    staging = tmp_path / "staging"
    staging.mkdir()
    env = {"TANDEM_RUN_WORKERS": "2", "TMPDIR": str(staging)}
    done = worked("commissions", "run", "--full", env=env)
    assert done.returncode == 0, done.stderr
    assert "写入明细 10，删除明细 0" in done.stdout
    assert exports(worked) == expected_lines()
    assert list(staging.iterdir()) == []
    # With lines stored, the workers send back only what differs: nothing.
    again = worked("commissions", "run", "--full", env=env)
    assert again.returncode == 0, again.stderr
    assert "写入明细 0，删除明细 0" in again.stdout
    assert exports(worked) == expected_lines()


def test_importing_and_running_twice_changes_nothing(worked):
    worked("commissions", "run")
    again = worked("import", "staff.csv", "customers.csv", "assignments.csv", "orders.csv")
    assert again.returncode == 0
    done = worked("commissions", "run", "--full")
    assert "写入明细 0，删除明细 0" in done.stdout
    assert exports(worked) == expected_lines()


def test_explain_prints_every_line_with_its_reason(worked):
    worked("commissions", "run")
    done = worked("commissions", "explain", "O3")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("订单 O3：客户 华东机电有限公司（C1），2026-04-02，金额 2000.00 元，提成明细 4 行。")
    assert "[2026-04] 刘洋 V2 · 客服 · 继承客户（开发销售已离职） · 销售提成 · 70.00" in out
    assert "提成池 = 2000.00 × 5% = 100.00；刘洋 作为客服占 70%，得 70.00。" in out
    assert "冲回 -17.50，记入 2026-05" in out
    english = worked("--lang", "en", "commissions", "explain", "O3").stdout
    assert english.startswith("Order O3: customer 华东机电有限公司 (C1), 2026-04-02, amount 2000.00 CNY, 4 commission lines.")
    assert "Pool = 2000.00 × 5% = 100.00; 刘洋, as Service, takes 70%: 70.00." in english


def test_explain_unknown_order_is_one_clear_line(worked):
    done = worked("commissions", "explain", "NOPE")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "tandem: 没有编号为 NOPE 的订单。\n"


def test_xlsx_export_holds_the_same_rows(worked, tmp_path):
    worked("commissions", "run")
    done = worked("commissions", "export", "--period", "2026-04", "--format", "xlsx", "--output", "apr.xlsx")
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(tmp_path / "apr.xlsx", read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    # Amounts are numbers in the workbook, exact to the cent.
    assert [(*r[:6], f"{r[6]:.2f}") for r in rows[1:]] == [
        tuple(None if v == "" else v for v in r[:6]) + (r[6],) for r in expected_lines() if r[0] == "2026-04"
    ]
    assert all(isinstance(r[6], int | float) for r in rows[1:])


def test_lock_then_a_late_refund_is_adjusted_in_the_next_open_month(worked, tmp_path):
    worked("commissions", "run")
    done = worked("periods", "lock", "2026-04")
    assert (done.returncode, done.stdout) == (0, "2026-04 已锁账。\n")
    (tmp_path / "late.csv").write_text(
        "order_id,customer_id,order_date,amount,category,refund_of\nR9,C1,2026-04-20,1000.00,,O3\n", encoding="utf-8"
    )
    assert worked("import", "late.csv").returncode == 0
    worked("commissions", "run")
    april = [r for r in exports(worked, ["2026-04"])]
    assert april == [r for r in expected_lines() if r[0] == "2026-04"]
    may = [r for r in exports(worked, ["2026-05"]) if r[5] == "adjustment"]
    assert may == [
        ("2026-05", "O3", "S2", "sales", "inherited", "adjustment", "-15.00"),
        ("2026-05", "O3", "V2", "service", "inherited", "adjustment", "-35.00"),
    ]
    explained = worked("commissions", "explain", "O3").stdout
    assert "2026-04 已锁账，该月本订单记给 刘洋（客服）70.00；按现有数据应为 35.00。差额 -35.00 作为调整计入其后第一个未锁账月份 2026-05。" in explained


def test_unlock_needs_a_known_manager(worked):
    worked("periods", "lock", "2026-04")
    done = worked("periods", "unlock", "2026-04", "--user", "nobody", "--reason", "更正")
    assert (done.returncode, done.stderr) == (1, "tandem: 没有用户名为 nobody 的账号。\n")


def test_statement_export_has_totals_and_explained_lines(worked, tmp_path):
    worked("commissions", "run")
    worked("periods", "lock", "2026-04")
    assert worked("statements", "issue", "2026-04").stdout == "2026-04 出具结算单 3 份。\n"
    done = worked("statements", "export", "--staff", "V2", "--period", "2026-04")
    assert done.returncode == 0, done.stderr
    table = list(csv.reader(io.StringIO(done.stdout)))
    assert table[0] == ["项目", "期间", "订单编号", "客户编号", "日期", "角色", "场景", "类型", "金额", "说明"]
    payable = next(r for r in table if r[0] == "应发提成")
    assert payable[8] == "70.00"
    detail = [r for r in table if r[0] == "明细"]
    assert len(detail) == 1 and detail[0][2] == "O3" and "刘洋 作为客服占 70%" in detail[0][9]
    assert worked("statements", "pay", "2026-04").stdout == "2026-04 已标记发放 3 份。\n"


def test_a_new_database_credits_with_the_shipped_default_plan(tandem):
    # No plan file loaded: the default plan (pool 5%, 70/30 splits) is in force.
    done = tandem("import", "staff.csv", "customers.csv", "assignments.csv", "orders.csv")
    assert done.returncode == 0, done.stderr
    done = tandem("commissions", "run")
    assert "异常 0" in done.stdout
    assert exports(tandem) == expected_lines()


@pytest.fixture
def scratch_postgres():
    """A database of its own on the test PostgreSQL server, for a command run
    against PostgreSQL; skipped when the suite runs on SQLite."""
    import os
    import uuid

    import psycopg

    url = os.environ.get("TANDEM_TEST_DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("PostgreSQL run only (TANDEM_TEST_DATABASE_URL)")
    base, _, _ = url.rpartition("/")
    name = f"tandem_cli_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_worker_processes_on_postgresql(tandem, scratch_postgres):
    env = {"TANDEM_DATABASE_URL": scratch_postgres}
    done = tandem("import", "staff.csv", "customers.csv", "assignments.csv", "orders.csv", env=env)
    assert done.returncode == 0, done.stderr
    done = tandem("commissions", "run", "--full", env={**env, "TANDEM_RUN_WORKERS": "2"})
    assert done.returncode == 0, done.stderr
    rows = []
    for month in MONTHS:
        out = tandem("commissions", "export", "--period", month, env=env).stdout
        rows.extend(tuple(r[:7]) for r in list(csv.reader(io.StringIO(out)))[1:])
    assert [r for r in rows if r[6] != "0.00"] == expected_lines()
