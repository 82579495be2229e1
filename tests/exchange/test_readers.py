"""Reading files: encodings, XLSX, header detection and header problems."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook

from tandem.core.errors import InvalidInput
from tandem.customers.models import Customer
from tandem.exchange.readers import ORDERS, STAFF, cell_text, open_source
from tandem.sales.models import Order
from tandem.staff.models import Staff

from .conftest import BASE, CUSTOMERS, counts, problems, run
from .conftest import STAFF as STAFF_CSV

pytestmark = pytest.mark.django_db


def test_bom_and_no_bom_read_the_same(write):
    write("staff.csv", STAFF_CSV, bom=True)
    write("customers.csv", CUSTOMERS, bom=False)
    results = run("staff.csv", "customers.csv")
    assert [(r.kind, r.created) for r in results] == [("staff", 4), ("customers", 4)]
    assert Staff.objects.get(pk="S1").name == "张伟"
    assert Customer.objects.get(pk="C2").referred_by_id == "C1"


def test_kind_is_told_from_the_header_with_columns_in_any_order(write):
    write("a.csv", "role,left_on,name,staff_id,hired_on\nsales,,张伟,S1,2024-01-01\n")
    write("b.csv", "referred_by,tier,customer_id,acquired_by,name,acquired_on\n,key,C1,S1,华东,2025-01-10\n")
    write("c.csv", "amount,refund_of,order_date,order_id,category,customer_id\n12.5,,2026-01-02,O1,parts,C1\n")
    write("d.csv", "valid_to,staff_id,valid_from,role,customer_id\n,S1,2025-01-10,sales,C1\n")
    assert [open_source(n).kind for n in ("a.csv", "b.csv", "c.csv", "d.csv")] == [
        "staff",
        "customers",
        "orders",
        "assignments",
    ]
    run("c.csv", "d.csv", "a.csv", "b.csv")
    staff = Staff.objects.get(pk="S1")
    assert (staff.name, staff.role, staff.hired_on, staff.left_on) == ("张伟", "sales", dt.date(2024, 1, 1), None)
    order = Order.objects.get(pk="O1")
    assert (order.customer_id, order.order_date, order.amount, order.category, order.refund_of_id) == (
        "C1",
        dt.date(2026, 1, 2),
        Decimal("12.50"),
        "parts",
        None,
    )


def test_optional_columns_may_be_left_out_of_the_header(write):
    write("staff.csv", "staff_id,name,role\nS1,张伟,sales\n")
    run("staff.csv")
    assert Staff.objects.get(pk="S1").left_on is None


def test_blank_lines_are_skipped_and_still_counted(write):
    write("staff.csv", "staff_id,name,role\n\nS1,张伟,sales\n,,\nS2,李娜,boss\n")
    assert problems("staff.csv") == [
        "staff.csv:5: role: 未知的角色「boss」（允许：sales, service, manager, finance, admin）"
    ]


def _xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_xlsx_imports_the_same_as_csv(write, workdir):
    _xlsx(
        workdir / "staff.xlsx",
        [
            ["staff_id", "name", "role", "hired_on", "left_on"],
            ["S1", "张伟", "sales", dt.datetime(2024, 1, 1), dt.date(2026, 3, 1)],
            ["S2", "李娜", "sales", dt.date(2024, 6, 1), None],
            ["V1", "王芳", "service", None, None],
            ["V2", "刘洋", "service", None, None],
        ],
    )
    _xlsx(
        workdir / "orders.xlsx",
        [
            ["order_id", "customer_id", "order_date", "amount", "category", "refund_of"],
            ["O1", "C1", dt.date(2026, 2, 10), 1000, None, None],
            ["O2", "C2", dt.date(2026, 2, 20), 333.33, None, None],
            ["O3", "C1", dt.date(2026, 4, 2), 2000.0, None, None],
            ["O4", "C3", dt.date(2026, 4, 5), Decimal("100.00"), None, None],
            ["O5", "C1", dt.date(2026, 5, 3), 500, None, "O3"],
            ["O6", "C4", dt.date(2026, 4, 10), 80, "", None],
        ],
    )
    for name in ("customers.csv", "assignments.csv", "orders.csv", "staff.csv"):
        write(name, BASE[name])
    run("orders.xlsx", "staff.xlsx", "customers.csv", "assignments.csv")
    before = counts()
    # The CSV files hold the same rows: nothing to change.
    results = run("staff.csv", "orders.csv")
    assert [(r.created, r.updated, r.unchanged) for r in results] == [(0, 0, 4), (0, 0, 6)]
    assert counts() == before
    assert Order.objects.get(pk="O2").amount == Decimal("333.33")


def test_cell_text_is_what_a_csv_would_hold():
    assert cell_text(None) == ""
    assert cell_text(dt.date(2026, 1, 2)) == "2026-01-02"
    assert cell_text(dt.datetime(2026, 1, 2)) == "2026-01-02"
    assert cell_text(dt.datetime(2026, 1, 2, 9, 30)) == "2026-01-02 09:30:00"
    assert cell_text(1000) == "1000"
    assert cell_text(1000.0) == "1000"
    assert cell_text(333.33) == "333.33"
    assert cell_text(0.1 + 0.2) == "0.30000000000000004"
    assert cell_text(1e-7) == "0.0000001"
    assert cell_text(Decimal("12.50")) == "12.50"
    assert cell_text(12345678901) == "12345678901"
    assert cell_text("  S1 ") == "  S1 "


def test_xlsx_cells_are_checked_like_csv_text(workdir):
    _xlsx(
        workdir / "orders.xlsx",
        [
            ["order_id", "customer_id", "order_date", "amount"],
            ["O1", "C1", dt.date(2026, 1, 1), 12.345],
            ["O2", "C1", "2026/01/02", 0],
        ],
    )
    assert open_source("orders.xlsx").kind == ORDERS
    assert problems("orders.xlsx") == [
        "orders.xlsx:2: customer_id: 未知的客户「C1」",
        "orders.xlsx:2: amount: 金额格式不正确：「12.345」（应为用“.”分隔、最多两位小数的数字）",
        "orders.xlsx:3: customer_id: 未知的客户「C1」",
        "orders.xlsx:3: order_date: 日期格式不正确：「2026/01/02」（应为 YYYY-MM-DD）",
        "orders.xlsx:3: amount: 金额必须大于 0",
    ]


def test_missing_required_column(write):
    write("orders.csv", "order_id,customer_id,order_date,category\nO1,C1,2026-01-01,\n")
    before = counts()
    with pytest.raises(InvalidInput) as excinfo:
        run("orders.csv")
    assert excinfo.value.problems == ["orders.csv:1: amount: 缺少必需的列（订单文件）"]
    assert str(excinfo.value) == "无法导入：1 处文件错误，没有写入任何数据"
    assert counts() == before


def test_extra_and_duplicate_columns(write):
    write("staff.csv", "staff_id,name,role,note,name\nS1,张伟,sales,x,y\n")
    assert problems("staff.csv") == [
        "staff.csv:1: note: 多余的列（员工文件的列为：staff_id, name, role, hired_on, left_on, team）",
        "staff.csv:1: name: 列名重复",
    ]


def test_unrecognisable_header(write):
    write("x.csv", "foo,bar\n1,2\n")
    assert problems("x.csv") == [
        "x.csv:1: 表头: 无法从表头识别文件类型（应为以下之一："
        "员工: staff_id, name, role, hired_on, left_on, team；"
        "客户: customer_id, name, tier, acquired_on, acquired_by, referred_by；"
        "归属: customer_id, role, staff_id, valid_from, valid_to；"
        "订单: order_id, customer_id, order_date, amount, category, refund_of；"
        "跟进记录: followup_id, customer_id, staff_id, followed_on, channel, note；"
        "回访: callback_id, customer_id, staff_id, called_on, outcome, score, note；"
        "投诉: complaint_id, customer_id, opened_on, severity, escalated, channel, resolved_on, note；"
        "满意度调查: survey_id, customer_id, answered_on, answer, score, comment）"
    ]


def test_empty_file_missing_file_and_not_utf8(write, workdir):
    write("empty.csv", "")
    (workdir / "gbk.csv").write_bytes("staff_id,name,role\nS1,张伟,sales\n".encode("gbk"))
    write("staff.csv", STAFF_CSV)
    before = counts()
    assert problems("staff.csv", "empty.csv", "nope.csv", "gbk.csv") == [
        "empty.csv: 文件为空，没有表头",
        "nope.csv: 找不到文件",
        "gbk.csv:2: 编码: 文件不是 UTF-8 编码（在 Excel 中请另存为“CSV UTF-8”）",
    ]
    assert counts() == before


def test_not_utf8_further_down_the_file(workdir):
    rows = "".join(f"S{i},张{i},sales\n" for i in range(1, 2001))
    (workdir / "staff.csv").write_bytes(
        ("staff_id,name,role\n" + rows).encode("utf-8") + "S9999,李娜,sales\n".encode("gbk")
    )
    before = counts()
    assert problems("staff.csv") == [
        "staff.csv:2002: 编码: 文件不是 UTF-8 编码（在 Excel 中请另存为“CSV UTF-8”）"
    ]
    assert counts() == before


def test_cells_beyond_the_header(write):
    write("staff.csv", "staff_id,name,role\nS1,张伟,sales,,\nS2,李娜,sales,x\n")
    assert problems("staff.csv") == ["staff.csv:3: *: 该行有 1 个多余的单元格（表头之外）"]


def test_open_source_reports_kind_and_positions(write):
    write("s.csv", "name,staff_id,role\n")
    source = open_source("s.csv")
    assert source.kind == STAFF
    assert source.positions == (1, 0, 2, None, None, None)
