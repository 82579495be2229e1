"""bench/commissions.py: the increment file follows the exchange rules, and
the four commission benchmarks run end to end on a tiny generated company
(SQLite, under a temporary bench/out)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bench import commissions, generate
from bench import run as runner


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("data")
    generate.generate(data, seed=5, orders=5_000, customers=200, staff=30)
    return data


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _cents(text: str) -> int:
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def test_registered() -> None:
    assert {"run-full", "run-incremental", "preview", "export", "late-data", "startup"} <= set(runner.BENCHMARKS)


def test_increment_is_valid(tiny: Path, tmp_path: Path) -> None:
    path = commissions.increment_file(tiny, tmp_path / "inc.csv", orders=90, refunds=10)
    again = commissions.increment_file(tiny, tmp_path / "again.csv", orders=90, refunds=10)
    assert path.read_bytes() == again.read_bytes()  # deterministic
    customers = {r["customer_id"]: r["acquired_on"] for r in _rows(tiny / "customers.csv")}
    existing = {r["order_id"]: r for r in _rows(tiny / "orders.csv")}
    refunded: dict[str, int] = {}
    for r in existing.values():
        if r["refund_of"]:
            refunded[r["refund_of"]] = refunded.get(r["refund_of"], 0) + _cents(r["amount"])
    last_day = max(r["order_date"] for r in existing.values() if not r["refund_of"])
    rows = _rows(path)
    new_orders = [r for r in rows if not r["refund_of"]]
    refunds = [r for r in rows if r["refund_of"]]
    assert (len(new_orders), len(refunds)) == (90, 10)
    assert not {r["order_id"] for r in rows} & set(existing)
    assert len({r["order_id"] for r in rows}) == len(rows)
    for r in new_orders:
        assert r["order_date"][:7] == last_day[:7]
        assert customers[r["customer_id"]] <= r["order_date"]
        assert _cents(r["amount"]) > 0
    for r in refunds:
        order = existing[r["refund_of"]]
        assert not order["refund_of"]
        assert r["customer_id"] == order["customer_id"]
        assert order["order_date"] <= r["order_date"] <= last_day
        refunded[r["refund_of"]] = refunded.get(r["refund_of"], 0) + _cents(r["amount"])
        assert 0 < refunded[r["refund_of"]] <= _cents(order["amount"])


def test_backfill_is_valid(tiny: Path, tmp_path: Path) -> None:
    orders_path, owners_path = commissions.backfill_files(
        tiny, tmp_path / "o.csv", tmp_path / "a.csv", orders=90, refunds=10, owners=10
    )
    again = commissions.backfill_files(tiny, tmp_path / "o2.csv", tmp_path / "a2.csv", orders=90, refunds=10, owners=10)
    assert (orders_path.read_bytes(), owners_path.read_bytes()) == (again[0].read_bytes(), again[1].read_bytes())
    customers = {r["customer_id"]: r["acquired_on"] for r in _rows(tiny / "customers.csv")}
    existing = {r["order_id"]: r for r in _rows(tiny / "orders.csv")}
    last_day = max(r["order_date"] for r in existing.values() if not r["refund_of"])
    first_day = f"{int(last_day[:4]) - 2}{last_day[4:]}"
    rows = _rows(orders_path)
    new_orders = [r for r in rows if not r["refund_of"]]
    refunds = [r for r in rows if r["refund_of"]]
    assert (len(new_orders), len(refunds)) == (90, 10)
    assert not {r["order_id"] for r in rows} & set(existing)
    # Late: spread over the two years, not only the last months.
    months = {r["order_date"][:7] for r in new_orders}
    assert len(months) > 12
    assert all(first_day < r["order_date"] <= last_day for r in rows)
    for r in new_orders:
        assert customers[r["customer_id"]] <= r["order_date"]
    for r in refunds:
        order = existing[r["refund_of"]]
        assert r["customer_id"] == order["customer_id"]
        assert order["order_date"] <= r["order_date"]
    staff = {r["staff_id"]: r for r in _rows(tiny / "staff.csv")}
    current = {
        r["customer_id"]: r for r in _rows(tiny / "assignments.csv") if r["role"] == "service" and not r["valid_to"]
    }
    owners = _rows(owners_path)
    assert len(owners) == 20
    for closed, opened in zip(owners[::2], owners[1::2], strict=True):
        was = current[closed["customer_id"]]
        assert (closed["staff_id"], closed["valid_from"]) == (was["staff_id"], was["valid_from"])
        assert closed["valid_to"] == opened["valid_from"] > first_day
        assert opened["customer_id"] == closed["customer_id"] and opened["valid_to"] == ""
        new = staff[opened["staff_id"]]
        assert new["role"] == "service" and opened["staff_id"] != closed["staff_id"]
        assert new["hired_on"] <= opened["valid_from"] and (not new["left_on"] or new["left_on"] > opened["valid_from"])


def test_run_numbers_in_both_languages() -> None:
    en = "Commission run done (full): customers 3, orders 9, lines written 18, lines deleted 2, adjustments 0, exceptions 1, in 40 ms."
    zh = "提成计算完成（全量）：客户 3，订单 9，写入明细 18，删除明细 2，调整 0，异常 1，用时 40 毫秒。"
    expected = {"customers": 3, "orders": 9, "written": 18, "deleted": 2, "adjustments": 0, "exceptions": 1, "ms": 40}
    assert commissions._run_numbers(en) == commissions._run_numbers(zh) == expected


def test_benchmarks_end_to_end(tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "OUT", tmp_path)
    monkeypatch.setattr(commissions, "OUT", tmp_path)
    monkeypatch.setattr(commissions, "INCREMENT", (90, 10))
    monkeypatch.setattr(commissions, "PREVIEW_ORDERS", 5)
    monkeypatch.setattr(commissions, "BACKFILL", (90, 10))
    monkeypatch.setattr(commissions, "OWNER_CHANGES", 10)
    monkeypatch.setattr(commissions, "STARTUP_RUNS", 2)
    results = {}
    for name in ("run-full", "run-incremental", "preview", "export", "late-data", "startup"):
        with runner.fresh_target(name, None, tiny) as target:
            results[name] = {m.step: m for m in runner.BENCHMARKS[name](target)}
    full = results["run-full"]
    assert "lines written 0, deleted 0" in full["run --full (no change)"].note
    assert "exceptions 0" in full["run --full (first)"].note
    incremental = results["run-incremental"]
    assert "read 100, created 100" in incremental["setup: import 100 rows"].note
    assert "customers 0," not in incremental["run (incremental)"].note
    assert "customers 0," in incremental["run (incremental, no change)"].note
    preview = results["preview"]
    assert preview["order_record, one new order (median)"].wall_s > 0
    assert "over 5 calls" in preview["customer_preview inside it (median)"].note
    export = results["export"]
    assert all(m.wall_s > 0 for m in export.values())
    assert not list(tmp_path.glob("export-*"))
    late = results["late-data"]
    assert "read 100, created 100" in late["setup: import 100 late rows"].note
    assert "read 20, created 10, updated 10" in late["setup: import 10 new service owners"].note
    assert "customers 0," not in late["run (incremental)"].note
    assert "customers 0," in late["run (incremental, no change)"].note
    assert "lines written 0, deleted 0" in late["check: run --full"].note
    assert "over 2 runs" in results["startup"]["tandem --help (median)"].note
