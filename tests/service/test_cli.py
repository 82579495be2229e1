"""`tandem scorecards export`, `tandem scorecards rules load` and `tandem desk
sweep`, run as the real command on the worked example."""

from __future__ import annotations

import csv
import io

import pytest


@pytest.fixture
def company(tandem):
    done = tandem("import", "staff.csv", "customers.csv", "assignments.csv", "orders.csv")
    assert done.returncode == 0, done.stderr
    assert tandem("plans", "load", "plans.toml").returncode == 0
    return tandem


def test_export_prints_the_spec_columns_to_stdout(company):
    done = company("scorecards", "export", "--period", "2026-02")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["period", "staff_id", "role", "measure", "value"]
    assert ["2026-02", "V1", "service", "credited_revenue_referral", "100.00"] in rows
    assert ["2026-02", "S2", "sales", "credited_revenue_referral", "233.33"] in rows
    assert ["2026-02", "V1", "service", "csat", ""] in rows
    assert ["2026-02", "S1", "sales", "key_retention", "1.0000"] in rows


def test_export_of_a_range_to_a_file_and_to_xlsx(company, tmp_path):
    done = company("scorecards", "export", "--period", "2026-04", "--to", "2026-05", "--output", "sc.csv")
    assert done.returncode == 0, done.stderr
    with (tmp_path / "sc.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert ["2026-04..2026-05", "V2", "service", "credited_revenue", "1050.00"] in rows
    done = company("scorecards", "export", "--period", "2026-04", "--format", "xlsx", "--output", "sc.xlsx")
    assert done.returncode == 0, done.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "sc.xlsx", read_only=True).worksheets[0]
    values = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ("period", "staff_id", "role", "measure", "value")
    assert ("2026-04", "V2", "service", "credited_revenue", "1400.00") in values


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "tandem: 期间格式应为 YYYY-MM（如 2026-04），收到：2026-13"),
        (["--period", "2026-05", "--to", "2026-04"], "tandem: 结束期间 2026-04 早于开始期间 2026-05"),
        (["--period", "2026-05", "--format", "xlsx"], "tandem: XLSX 导出需要 --output 文件名。"),
    ],
)
def test_export_refusals(company, args, message):
    done = company("scorecards", "export", *args)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == message


def test_rules_load_then_the_export_uses_them(company, tmp_path):
    (tmp_path / "rules.toml").write_text(
        "[scorecards.weights.service]\ncredited_revenue = 0\nrepeat_rate = 0\nreferrals = 10\n", encoding="utf-8"
    )
    done = company("scorecards", "rules", "load", "rules.toml")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "已载入考核规则：挽回期 90 天，越级扣分 2 分/次，每月最多 10 分"
    rows = list(csv.reader(io.StringIO(company("scorecards", "export", "--period", "2026-02").stdout)))
    # Scored on referrals alone: V1 referred 1, V2 none → median 0.5.
    assert ["2026-02", "V1", "service", "score", "150.00"] in rows
    assert ["2026-02", "V2", "service", "score", "0.00"] in rows


def test_rules_load_lists_every_problem(company, tmp_path):
    (tmp_path / "bad.toml").write_text("[scorecards]\nescalation_points = 1.5\ncolour = 1\n", encoding="utf-8")
    done = company("scorecards", "rules", "load", "bad.toml")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "bad.toml: scorecards.escalation_points: 应为整数，收到「1.5」",
        "bad.toml: scorecards.colour: 未知的键",
        "tandem: 考核规则文件无效",
    ]


def test_desk_sweep(company):
    done = company("desk", "sweep", "--on", "2026-06-01")
    assert done.returncode == 0, done.stderr
    # C1, C3 (owned, silent since acquired) and C4 (unowned); C2 was acquired
    # 2026-02-20, 101 days before: silent too.
    assert done.stdout.strip() == "2026-06-01：新安排签收后回访 0 个，久未联系回访 4 个，超时投诉上报 0 个"
    again = company("desk", "sweep", "--on", "2026-06-01")
    assert "久未联系回访 0 个" in again.stdout
