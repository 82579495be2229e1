"""The staff domain's rules, without a database."""

from __future__ import annotations

import datetime as dt

from tandem.staff.rules import check_dates, staff_violations

D = dt.date


def reasons(**row):
    fields = {"staff_id": "S1", "name": "张伟", "role": "sales", "hired_on": None, "left_on": None, **row}
    return [(v.field, v.reason) for v in staff_violations(**fields)]


def test_a_valid_row():
    assert reasons() == []
    assert reasons(hired_on=D(2024, 1, 1), left_on=D(2024, 1, 2)) == []


def test_every_violation_in_column_order():
    assert reasons(staff_id="", name="", role="", hired_on=D(2024, 1, 2), left_on=D(2024, 1, 2)) == [
        ("staff_id", "不能为空"),
        ("name", "不能为空"),
        ("role", "不能为空"),
        ("left_on", "离职日期必须晚于入职日期"),
    ]


def test_lengths_and_roles():
    assert reasons(staff_id="X" * 65, name="名" * 101, role="boss") == [
        ("staff_id", "长度超过 64 个字符"),
        ("name", "长度超过 100 个字符"),
        ("role", "未知的角色「boss」（允许：sales, service, manager, finance, admin）"),
    ]


def test_dates():
    assert check_dates(None, D(2024, 1, 1)) is None
    assert check_dates(D(2024, 1, 1), None) is None
    assert check_dates(D(2024, 1, 2), D(2024, 1, 1)).message == "离职日期必须晚于入职日期"


def test_messages_on_their_own_name_the_field():
    [violation] = staff_violations(staff_id="S1", name="", role="sales", hired_on=None, left_on=None)
    assert violation.message == "姓名不能为空"
