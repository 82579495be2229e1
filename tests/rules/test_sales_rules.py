"""The sales domain's rules, without a database: amounts, an order's
fields, refunds and changed orders (with dates as dates or as ISO text,
as the bulk path keeps them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tandem.core.rules import RuleError
from tandem.sales.rules import (
    RefundFacts,
    amount_to_cents,
    check_amount,
    order_change_violation,
    order_violations,
    parse_amount,
    refund_violation,
)

D = dt.date
BAD = "（应为用“.”分隔、最多两位小数的数字）"


@pytest.mark.parametrize(
    ("text", "cents"),
    [("1", 100), ("0.5", 50), ("12.05", 1205), ("12.5", 1250), ("0", 0), ("999999999999.99", 99999999999999)],
)
def test_parse_amount(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize("text", ["", "-1", "+1", "1.", ".5", "1.234", "1,000", "1e3", "1000000000000", "¥1"])
def test_parse_amount_refuses(text):
    assert parse_amount(text) is None


def test_check_amount():
    assert check_amount("10") is None
    assert (check_amount("").field, check_amount("").reason, check_amount("").message) == ("amount", "不能为空", "金额不能为空")
    assert check_amount("0.00").reason == "金额必须大于 0"
    assert check_amount("1.234").reason == f"金额格式不正确：「1.234」{BAD}"


def test_amount_to_cents():
    assert amount_to_cents("12.5") == 1250
    assert amount_to_cents(" 12.5 ") == 1250
    assert amount_to_cents(Decimal("12.50")) == 1250
    assert amount_to_cents(7) == 700
    for value, message in [
        ("1.234", f"金额格式不正确：「1.234」{BAD}"),
        (Decimal("1.234"), f"金额格式不正确：「1.234」{BAD}"),
        (Decimal("1E12"), f"金额格式不正确：「1E+12」{BAD}"),
        (True, f"金额格式不正确：「True」{BAD}"),
        ("abc", f"金额格式不正确：「abc」{BAD}"),
        (0, "金额必须大于 0"),
        (Decimal("-1"), "金额必须大于 0"),
        ("0", "金额必须大于 0"),
    ]:
        with pytest.raises(RuleError) as excinfo:
            amount_to_cents(value)
        assert (str(excinfo.value), excinfo.value.violation.field) == (message, "amount"), value


def test_order_violations():
    assert order_violations(order_id="O1", customer_id="C1", category="", refund_of="") == []
    found = order_violations(order_id="", customer_id="X" * 65, category="X" * 65, refund_of="X" * 65)
    assert [(v.field, v.reason) for v in found] == [
        ("order_id", "不能为空"),
        ("customer_id", "长度超过 64 个字符"),
        ("category", "长度超过 64 个字符"),
        ("refund_of", "长度超过 64 个字符"),
    ]
    assert found[0].message == "订单编号不能为空"


def refund(**changes):
    fields = {
        "refund_id": "R1",
        "refund_date": D(2026, 6, 1),
        "customer_id": "C1",
        "cents": 100_00,
        "order_id": "O1",
        "order_date": D(2026, 5, 1),
        "order_customer_id": "C1",
        "order_cents": 1000_00,
        "order_is_refund": False,
        "refunded_before": 0,
        **changes,
    }
    violation = refund_violation(**fields)
    return None if violation is None else (violation.field, violation.reason)


def test_refund_rules_in_order():
    assert refund() is None
    assert refund(refunded_before=900_00) is None  # exactly the order
    assert refund(order_is_refund=True, refund_date=D(2026, 1, 1)) == (
        "refund_of",
        "不能对退款再退款（「O1」本身是退款）",
    )
    assert refund(order_id="R1") == ("refund_of", "不能对退款再退款（「R1」本身是退款）")
    assert refund(refund_date=D(2026, 4, 30), customer_id="C2") == (
        "order_date",
        "退款日期 2026-04-30 早于订单「O1」的日期 2026-05-01",
    )
    assert refund(customer_id="C2", cents=2000_00) == (
        "customer_id",
        "退款的客户「C2」与订单「O1」的客户「C1」不同",
    )
    assert refund(customer_id=None, order_customer_id="C9") is None  # the order's customer is taken
    assert refund(refunded_before=900_01) == ("amount", "退款合计 1000.01 超过订单「O1」的金额 1000.00")


def test_refund_rules_with_iso_text_dates():
    assert refund(refund_date="2026-05-01", order_date="2026-05-01") is None
    assert refund(refund_date="2026-04-30", order_date="2026-05-01") == (
        "order_date",
        "退款日期 2026-04-30 早于订单「O1」的日期 2026-05-01",
    )


def changed(**changes):
    fields = {
        "customer_id": "C1",
        "order_date": D(2026, 4, 2),
        "cents": 2000_00,
        "becomes_refund": False,
        "refunds": [RefundFacts("O5", "C1", D(2026, 5, 3), 500_00), RefundFacts("O4", "C1", D(2026, 5, 3), 100_00)],
        **changes,
    }
    violation = order_change_violation(**fields)
    return None if violation is None else (violation.field, violation.reason)


def test_changed_order_against_its_refunds():
    assert changed() is None
    assert changed(refunds=[], becomes_refund=True, cents=1) is None
    assert changed(becomes_refund=True) == ("refund_of", "该订单已有退款，不能改为退款")
    assert changed(cents=599_99, order_date=D(2027, 1, 1)) == (
        "amount",
        "修改后的金额 599.99 小于该订单已有的退款合计 600.00",
    )
    # The earliest refund is named (the smaller id on the same day).
    assert changed(order_date=D(2026, 5, 4), customer_id="C3") == (
        "order_date",
        "修改后的日期晚于该订单已有退款「O4」的日期 2026-05-03",
    )
    assert changed(order_date=D(2026, 5, 3)) is None
    assert changed(customer_id="C3") == ("customer_id", "该订单已有退款，不能更换客户")
