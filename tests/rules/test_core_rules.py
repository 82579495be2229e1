"""The checks every domain shares, and how a violation reads in a file's
problem line and on its own. No database: these are plain functions."""

from __future__ import annotations

import pytest

from tandem.core.errors import InvalidInput
from tandem.core.rules import RuleError, Violation, check_choice, check_id, check_text, raise_first


def test_check_id():
    assert check_id("order_id", "订单编号", "O1") is None
    assert check_id("order_id", "订单编号", "X" * 64) is None
    assert check_id("order_id", "订单编号", "") == Violation("order_id", "不能为空", "订单编号不能为空")
    assert check_id("order_id", "订单编号", "X" * 65) == Violation(
        "order_id", "长度超过 64 个字符", "订单编号长度超过 64 个字符"
    )
    assert check_id("refund_of", "退款对应订单", "", required=False) is None


def test_check_text():
    assert check_text("name", "姓名", "名" * 100, 100) is None
    assert check_text("name", "姓名", "名" * 101, 100).reason == "长度超过 100 个字符"
    assert check_text("category", "品类", "", 64, required=False) is None


def test_check_choice():
    def unknown(value, allowed):
        return f"{value} not in {allowed}"

    assert check_choice("tier", "客户等级", "key", ["key", "standard"], unknown) is None
    assert check_choice("tier", "客户等级", "", ["key"], unknown) == Violation("tier", "不能为空", "客户等级不能为空")
    assert check_choice("tier", "客户等级", "vip", ["key"], unknown) == Violation(
        "tier", "vip not in ['key']", "vip not in ['key']"
    )


def test_raise_first_raises_the_first_violation_as_an_invalid_input():
    first = Violation.of("amount", "金额必须大于 0")
    raise_first([None, None])
    with pytest.raises(InvalidInput) as excinfo:
        raise_first([None, first, Violation.of("order_date", "later")])
    assert isinstance(excinfo.value, RuleError)
    assert excinfo.value.violation is first
    assert str(excinfo.value) == "金额必须大于 0"
