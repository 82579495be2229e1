"""Whole imports: the worked example, idempotence, history, --skip-invalid
and English messages."""

from __future__ import annotations

import csv
import datetime as dt
import shutil

import pytest
from django.utils import translation

from tandem.core.errors import InvalidInput
from tandem.customers.models import Assignment
from tandem.exchange.importers import import_files
from tandem.sales.models import Order
from tandem.staff.models import Staff
from tests.facts import pending

from ..fixtures import WORKED
from .conftest import clear_dirty, counts, problems, run

pytestmark = pytest.mark.django_db

WORKED_FILES = ("orders.csv", "assignments.csv", "customers.csv", "staff.csv")


def test_worked_example_imports_cleanly_in_any_order_and_twice_changes_nothing():
    paths = [str(WORKED / name) for name in WORKED_FILES]
    results = import_files(paths)
    assert [(r.kind, r.read, r.created, r.updated, r.unchanged, r.rejected) for r in results] == [
        ("staff", 4, 4, 0, 0, 0),
        ("customers", 4, 4, 0, 0, 0),
        ("assignments", 8, 8, 0, 0, 0),
        ("orders", 6, 6, 0, 0, 0),
    ]
    assert set(pending()) == {"C1", "C2", "C3", "C4"}
    refund = Order.objects.get(pk="O5")
    assert (refund.refund_of_id, refund.customer_id, str(refund.amount)) == ("O3", "C1", "500.00")
    assert Assignment.objects.get(customer_id="C1", role="sales", valid_from=dt.date(2026, 3, 1)).reason == "handover"

    clear_dirty()
    before = counts()
    again = import_files(list(reversed(paths)))
    assert [(r.kind, r.created, r.updated, r.unchanged) for r in again] == [
        ("staff", 0, 0, 4),
        ("customers", 0, 0, 4),
        ("assignments", 0, 0, 8),
        ("orders", 0, 0, 6),
    ]
    assert counts() == before  # no rows, no history rows, no dirty marks


def test_summary_lines(write, base):
    [result] = run("orders.csv")
    assert result.summary() == "orders.csv：订单，读取 6 行，新增 0，更新 0，未变 6，拒绝 0"
    with translation.override("en"):
        assert result.summary() == "orders.csv: orders, read 6, created 0, updated 0, unchanged 6, rejected 0"


def test_a_changed_row_updates_and_its_history_shows_it(base, write):
    write("staff.csv", "staff_id,name,role,hired_on,left_on\nS2,李娜,sales,2024-06-01,2026-09-01\n")
    before = counts()
    [result] = run("staff.csv")
    assert (result.updated, result.unchanged) == (1, 0)
    assert counts()["staff_history"] == before["staff_history"] + 1
    latest = Staff.history.filter(staff_id="S2").latest("history_id")
    assert (latest.history_type, latest.left_on, latest.history_change_reason) == (
        "~",
        dt.date(2026, 9, 1),
        "import staff.csv",
    )
    # S2 holds C1 and C2 (sales): both must be recomputed.
    assert {"C1", "C2"} <= set(pending())


def test_creation_history_matches_simple_history(base):
    first = Staff.history.filter(staff_id="S1").get()
    assert (first.history_type, first.name, first.left_on, first.history_user_id) == (
        "+",
        "张伟",
        dt.date(2026, 3, 1),
        None,
    )
    assert first.history_change_reason == "import staff.csv"
    assert first.instance.staff_id == "S1"
    row = Assignment.objects.get(customer_id="C3", role="sales")
    assert [h.history_type for h in row.history.all()] == ["+"]
    assert row.history.get().staff_id == "S1"


def test_nothing_is_written_when_one_file_of_several_is_bad(write):
    shutil.copy(WORKED / "staff.csv", "staff.csv")
    shutil.copy(WORKED / "customers.csv", "customers.csv")
    write("orders.csv", "order_id,customer_id,order_date,amount\nO1,C1,2026-02-10,0\n")
    before = counts()
    with pytest.raises(InvalidInput) as excinfo:
        run("staff.csv", "customers.csv", "orders.csv")
    assert excinfo.value.problems == ["orders.csv:2: amount: 金额必须大于 0"]
    assert counts() == before


def test_skip_invalid_imports_the_valid_rows_and_writes_the_rejects(base, write, workdir):
    write("s.csv", "staff_id,name,role\nS7,甲,sales\nS8,乙,boss\n")
    write(
        "o.csv",
        "order_id,customer_id,amount,order_date,refund_of\n"
        "O7,C1,10,2026-06-01,\n"
        "O8,C9,10,2026-06-01,\n"
        "O9,C1,-1,2026-06-01,\n"
        "R7,C1,5,2026-06-02,O7\n"
        "R9,C1,5,2026-06-02,O9\n"
        "R8,C1,5000,2026-06-02,O3\n",
    )
    results = run("o.csv", "s.csv", skip=True)
    assert [(r.kind, r.read, r.created, r.rejected) for r in results] == [("staff", 2, 1, 1), ("orders", 6, 2, 4)]
    assert set(Order.objects.filter(order_date__gte="2026-06-01").values_list("order_id", flat=True)) == {"O7", "R7"}
    assert Staff.objects.filter(pk="S7").exists() and not Staff.objects.filter(pk="S8").exists()
    assert results[1].rejects_path == "o.rejects.csv"
    raw = (workdir / "o.rejects.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(workdir / "o.rejects.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        ["order_id", "customer_id", "amount", "order_date", "refund_of", "reason"],
        ["O8", "C9", "10", "2026-06-01", "", "customer_id: 未知的客户「C9」"],
        ["O9", "C1", "-1", "2026-06-01", "", "amount: 金额格式不正确：「-1」（应为用“.”分隔、最多两位小数的数字）"],
        ["R9", "C1", "5", "2026-06-02", "O9", "refund_of: 订单「O9」所在的行被拒绝（o.csv:4）"],
        ["R8", "C1", "5000", "2026-06-02", "O3", "amount: 退款合计 5500.00 超过订单「O3」的金额 2000.00"],
    ]
    with open(workdir / "s.rejects.csv", encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh)) == [
            ["staff_id", "name", "role", "reason"],
            ["S8", "乙", "boss", "role: 未知的角色「boss」（允许：sales, service, manager, finance, admin）"],
        ]


def test_skip_invalid_with_nothing_invalid_writes_no_rejects_file(base, workdir):
    results = run("orders.csv", skip=True)
    assert results[0].rejects_path is None
    assert not (workdir / "orders.rejects.csv").exists()


def test_problems_in_english(base, write):
    write("o.csv", "order_id,customer_id,order_date,amount,refund_of\nO7,C9,2026-6-1,1.234,\nR1,C1,2026-06-01,10,O5\n")
    with translation.override("en"):
        with pytest.raises(InvalidInput) as excinfo:
            run("o.csv")
        assert str(excinfo.value) == "import failed: 4 problems, nothing was written"
    assert excinfo.value.problems == [
        'o.csv:2: customer_id: unknown customer "C9"',
        'o.csv:2: order_date: malformed date "2026-6-1" (expected YYYY-MM-DD)',
        "o.csv:2: amount: malformed amount \"1.234\" (expected a plain decimal with '.' and at most two decimals)",
        'o.csv:3: refund_of: cannot refund a refund ("O5" is a refund)',
    ]


def test_header_problems_in_english(write):
    write("o.csv", "order_id,customer_id,order_date,note\n")
    with translation.override("en"):
        assert problems("o.csv") == [
            "o.csv:1: note: unknown column (orders files have: order_id, customer_id, order_date, amount, category, refund_of)",
            "o.csv:1: amount: required column missing (orders file)",
        ]
