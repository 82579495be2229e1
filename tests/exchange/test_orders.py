"""Orders and refunds: every invalid case with its exact message, nothing
written when any row is bad; changes and refunds against the database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from tandem.core.errors import InvalidInput
from tandem.sales.models import Order
from tests.facts import pending

from .conftest import counts, problems, run

pytestmark = pytest.mark.django_db

HEADER = "order_id,customer_id,order_date,amount,category,refund_of\n"
LONG = "X" * 65


def fails(write, rows: str) -> list[str]:
    """Import an orders file over the base data; it must fail and write nothing."""
    write("new.csv", HEADER + rows)
    before = counts()
    found = problems("new.csv")
    assert counts() == before
    return found


def test_empty_required_fields(base, write):
    assert fails(write, ",C1,2026-06-01,10,,\nO7,,2026-06-01,10,,\nO8,C1,,10,,\nO9,C1,2026-06-01,,,\n") == [
        "new.csv:2: order_id: 不能为空",
        "new.csv:3: customer_id: 不能为空",
        "new.csv:4: order_date: 不能为空",
        "new.csv:5: amount: 不能为空",
    ]


def test_ids_longer_than_64(base, write):
    assert fails(write, f"{LONG},C1,2026-06-01,10,,\nO7,{LONG},2026-06-01,10,,\nO8,C1,2026-06-01,10,,{LONG}\n") == [
        "new.csv:2: order_id: 长度超过 64 个字符",
        "new.csv:3: customer_id: 长度超过 64 个字符",
        "new.csv:4: refund_of: 长度超过 64 个字符",
    ]


def test_category_longer_than_64(base, write):
    assert fails(write, f"O7,C1,2026-06-01,10,{LONG},\n") == ["new.csv:2: category: 长度超过 64 个字符"]


def test_malformed_dates(base, write):
    assert fails(write, "O7,C1,2026-13-01,10,,\nO8,C1,2026/06/01,10,,\nO9,C1,20260601,10,,\n") == [
        "new.csv:2: order_date: 日期格式不正确：「2026-13-01」（应为 YYYY-MM-DD）",
        "new.csv:3: order_date: 日期格式不正确：「2026/06/01」（应为 YYYY-MM-DD）",
        "new.csv:4: order_date: 日期格式不正确：「20260601」（应为 YYYY-MM-DD）",
    ]


@pytest.mark.parametrize("amount", ["12.345", "1,000", "-5", "1e3", "12.", ".5", "+5", "12,50", "¥12"])
def test_malformed_amounts(base, write, amount):
    quoted = f'"{amount}"' if "," in amount else amount
    assert fails(write, f"O7,C1,2026-06-01,{quoted},,\n") == [
        f"new.csv:2: amount: 金额格式不正确：「{amount}」（应为用“.”分隔、最多两位小数的数字）"
    ]


def test_amount_must_be_positive(base, write):
    assert fails(write, "O7,C1,2026-06-01,0,,\nO8,C1,2026-06-01,0.00,,\n") == [
        "new.csv:2: amount: 金额必须大于 0",
        "new.csv:3: amount: 金额必须大于 0",
    ]


def test_unknown_customer_and_order(base, write):
    assert fails(write, "O7,C9,2026-06-01,10,,\nR1,C1,2026-06-01,10,,O99\n") == [
        "new.csv:2: customer_id: 未知的客户「C9」",
        "new.csv:3: refund_of: 未知的订单「O99」",
    ]


def test_refund_of_a_refund_in_the_database_and_in_the_file(base, write):
    assert fails(write, "R1,C1,2026-06-01,10,,O5\nR2,C1,2026-06-02,10,,R3\nR3,C1,2026-06-01,10,,O1\n") == [
        "new.csv:2: refund_of: 不能对退款再退款（「O5」本身是退款）",
        "new.csv:3: refund_of: 不能对退款再退款（「R3」本身是退款）",
    ]


def test_refund_of_itself(base, write):
    assert fails(write, "R1,C1,2026-06-01,10,,R1\n") == [
        "new.csv:2: refund_of: 不能对退款再退款（「R1」本身是退款）"
    ]


def test_refund_dated_before_its_order(base, write):
    assert fails(write, "R1,C1,2026-02-09,10,,O1\nO7,C1,2026-07-01,50,,\nR2,C1,2026-06-30,10,,O7\n") == [
        "new.csv:2: order_date: 退款日期 2026-02-09 早于订单「O1」的日期 2026-02-10",
        "new.csv:4: order_date: 退款日期 2026-06-30 早于订单「O7」的日期 2026-07-01",
    ]


def test_refunds_exceeding_the_order_counting_the_database(base, write):
    # O3 is 2000.00 with 500.00 refunded already (O5).
    assert fails(write, "R1,C1,2026-06-01,1000.00,,O3\nR2,C1,2026-06-02,500.01,,O3\n") == [
        "new.csv:3: amount: 退款合计 2000.01 超过订单「O3」的金额 2000.00"
    ]


def test_refunds_exceeding_an_order_of_the_same_file(base, write):
    assert fails(write, "R2,C1,2026-07-03,60,,O7\nO7,C1,2026-07-01,100,,\nR1,C1,2026-07-02,50,,O7\n") == [
        "new.csv:2: amount: 退款合计 110.00 超过订单「O7」的金额 100.00"
    ]


def test_refund_of_another_customers_order(base, write):
    assert fails(write, "R1,C2,2026-06-01,10,,O1\n") == [
        "new.csv:2: customer_id: 退款的客户「C2」与订单「O1」的客户「C1」不同"
    ]


def test_same_id_twice_with_different_content(base, write):
    assert fails(write, "O7,C1,2026-06-01,10,,\nO8,C1,2026-06-01,10,,\nO7,C1,2026-06-01,10.50,,\nO7,C1,2026-06-01,10,,\n") == [
        "new.csv:2: order_id: 编号「O7」在本文件中出现多次且内容不同（第 2, 4 行）",
        "new.csv:4: order_id: 编号「O7」在本文件中出现多次且内容不同（第 2, 4 行）",
        "new.csv:5: order_id: 编号「O7」在本文件中出现多次且内容不同（第 2, 4 行）",
    ]


def test_identical_duplicates_are_fine(base, write):
    write("new.csv", HEADER + "O7,C1,2026-06-01,10,,\nO7,C1,2026-06-01,10.00,,\n")
    [result] = run("new.csv")
    assert (result.read, result.created, result.unchanged, result.rejected) == (2, 1, 1, 0)
    assert Order.objects.get(pk="O7").amount == Decimal("10.00")


def test_changed_amount_below_its_refunds(base, write):
    assert fails(write, "O3,C1,2026-04-02,499.99,,\n") == [
        "new.csv:2: amount: 修改后的金额 499.99 小于该订单已有的退款合计 500.00"
    ]


def test_changed_date_after_its_refund(base, write):
    assert fails(write, "O3,C1,2026-05-04,2000.00,,\n") == [
        "new.csv:2: order_date: 修改后的日期晚于该订单已有退款「O5」的日期 2026-05-03"
    ]


def test_changed_customer_of_an_order_with_refunds(base, write):
    assert fails(write, "O3,C3,2026-04-02,2000.00,,\n") == ["new.csv:2: customer_id: 该订单已有退款，不能更换客户"]


def test_order_with_refunds_cannot_become_a_refund(base, write):
    assert fails(write, "O3,C1,2026-04-02,2000.00,,O1\n") == ["new.csv:2: refund_of: 该订单已有退款，不能改为退款"]


def test_a_refund_changed_together_with_its_order_is_checked_as_a_whole(base, write):
    # Lowering O3 is fine when its refund O5 is lowered in the same file.
    write("new.csv", HEADER + "O3,C1,2026-04-02,400.00,,\nO5,C1,2026-05-03,300.00,,O3\n")
    [result] = run("new.csv")
    assert (result.created, result.updated) == (0, 2)
    assert Order.objects.get(pk="O3").amount == Decimal("400.00")
    assert Order.objects.get(pk="O5").amount == Decimal("300.00")


def test_every_problem_is_listed_and_the_message_counts_them(base, write):
    write("new.csv", HEADER + "O7,C9,2026-06-01,0,,\nR1,C1,2026-06-01,10,,O99\n")
    before = counts()
    with pytest.raises(InvalidInput) as excinfo:
        run("new.csv")
    assert excinfo.value.problems == [
        "new.csv:2: customer_id: 未知的客户「C9」",
        "new.csv:2: amount: 金额必须大于 0",
        "new.csv:3: refund_of: 未知的订单「O99」",
    ]
    assert str(excinfo.value) == "导入失败：共 3 处错误，没有写入任何数据"
    assert counts() == before


def test_changed_rows_update_and_mark_old_and_new_customers_dirty(base, write):
    write("new.csv", HEADER + "O1,C3,2026-02-11,1000.50,parts,\nO7,C4,2026-06-01,10,,\nO2,C2,2026-02-20,333.33,,\n")
    [result] = run("new.csv")
    assert (result.read, result.created, result.updated, result.unchanged) == (3, 1, 1, 1)
    o1 = Order.objects.get(pk="O1")
    assert (o1.customer_id, str(o1.order_date), o1.amount, o1.category) == ("C3", "2026-02-11", Decimal("1000.50"), "parts")
    # Each mark says from which day the customer's lines can differ: a
    # changed order from the earlier of its old and new dates.
    assert pending() == {
        "C1": date(2026, 2, 10),
        "C3": date(2026, 2, 10),
        "C4": date(2026, 6, 1),
    }


def test_a_first_orders_import_marks_each_customer_from_its_earliest_row(write):
    from .conftest import BASE, clear_dirty

    for name, text in BASE.items():
        write(name, text)
    run("staff.csv", "customers.csv", "assignments.csv")
    clear_dirty()
    run("orders.csv")  # into an empty orders table
    assert pending() == {
        "C1": date(2026, 2, 10),
        "C2": date(2026, 2, 20),
        "C3": date(2026, 4, 5),
        "C4": date(2026, 4, 10),
    }


def test_a_new_refund_marks_its_customer_from_the_refund_date(base, write):
    write("new.csv", HEADER + "R9,C1,2026-05-20,100.00,,O3\n")
    run("new.csv")
    assert pending() == {"C1": date(2026, 5, 20)}


def test_large_loads_rebuild_the_indexes(base, write, monkeypatch):
    from tandem.core import db
    from tandem.sales import bulk

    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 1)
    rows = "".join(f"N{i:04d},C{1 + i % 4},2026-06-{1 + i % 28:02d},{i + 1}.25,,\n" for i in range(200))
    write("new.csv", HEADER + rows + "RN1,C1,2026-07-01,1.25,,N0000\n")
    table = Order._meta.db_table
    before_indexes = sorted(db.secondary_indexes(table))
    postgres = connection.vendor == "postgresql"
    before_keys = sorted(db.foreign_keys(table))
    # What the table has while the new rows go in.
    during = []
    load = bulk.load_rows

    def observed(*args, **kwargs):
        during.append((db.secondary_indexes(table), db.foreign_keys(table)))
        return load(*args, **kwargs)

    monkeypatch.setattr(bulk, "load_rows", observed)
    [result] = run("new.csv")
    assert result.created == 201
    assert during == [([], [])]
    assert sorted(db.secondary_indexes(table)) == before_indexes
    assert len(before_indexes) >= 2  # PostgreSQL adds "_like" indexes
    assert sorted(db.foreign_keys(table)) == before_keys
    assert len(before_keys) == (2 if postgres else 0)
    assert Order.objects.filter(customer_id="C1", order_date__gte="2026-06-01").count() == 51
    assert Order.objects.get(pk="RN1").refund_of_id == "N0000"


def test_a_rejected_row_leaves_the_database_row_for_refunds_to_refer_to(base, write):
    write("new.csv", HEADER + "O3,C1,2026-04-02,12.345,,\nR1,C1,2026-06-01,100,,O3\n")
    [result] = run("new.csv", skip=True)
    assert (result.created, result.rejected) == (1, 1)
    assert Order.objects.get(pk="O3").amount == Decimal("2000.00")
    assert Order.objects.get(pk="R1").refund_of_id == "O3"
