"""Staff and customers: every invalid case with its exact message; nothing
written when any row is bad; rows depending on rejected rows."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.customers.models import Customer
from tandem.staff.models import Staff
from tests.facts import pending

from .conftest import counts, problems, run

pytestmark = pytest.mark.django_db

STAFF_HEADER = "staff_id,name,role,hired_on,left_on\n"
CUSTOMER_HEADER = "customer_id,name,tier,acquired_on,acquired_by,referred_by\n"
LONG = "X" * 65


def fails(write, name: str, text: str, *others: str) -> list[str]:
    write(name, text)
    before = counts()
    found = problems(*others, name)
    assert counts() == before
    return found


# --------------------------------------------------------------------------- staff


def test_staff_empty_required_fields(base, write):
    assert fails(write, "s.csv", STAFF_HEADER + ",甲,sales,,\nS7,,sales,,\nS8,乙,,,\n") == [
        "s.csv:2: staff_id: 不能为空",
        "s.csv:3: name: 不能为空",
        "s.csv:4: role: 不能为空",
    ]


def test_staff_long_id_and_name(base, write):
    assert fails(write, "s.csv", STAFF_HEADER + f"{LONG},甲,sales,,\nS7,{'名' * 101},sales,,\n") == [
        "s.csv:2: staff_id: 长度超过 64 个字符",
        "s.csv:3: name: 长度超过 100 个字符",
    ]


def test_staff_unknown_role(base, write):
    assert fails(write, "s.csv", STAFF_HEADER + "S7,甲,boss,,\n") == [
        "s.csv:2: role: 未知的角色「boss」（允许：sales, service, manager, finance, admin）"
    ]


def test_staff_malformed_dates(base, write):
    assert fails(write, "s.csv", STAFF_HEADER + "S7,甲,sales,2024-02-30,\nS8,乙,sales,,31/12/2025\n") == [
        "s.csv:2: hired_on: 日期格式不正确：「2024-02-30」（应为 YYYY-MM-DD）",
        "s.csv:3: left_on: 日期格式不正确：「31/12/2025」（应为 YYYY-MM-DD）",
    ]


def test_staff_left_on_not_after_hired_on(base, write):
    assert fails(write, "s.csv", STAFF_HEADER + "S7,甲,sales,2024-01-01,2024-01-01\nS8,乙,sales,2024-01-02,2024-01-01\n") == [
        "s.csv:2: left_on: 离职日期必须晚于入职日期",
        "s.csv:3: left_on: 离职日期必须晚于入职日期",
    ]


def test_staff_same_id_with_different_content(base, write):
    assert fails(write, "s.csv", STAFF_HEADER + "S7,甲,sales,,\nS7,甲,service,,\n") == [
        "s.csv:2: staff_id: 编号「S7」在本文件中出现多次且内容不同（第 2, 3 行）",
        "s.csv:3: staff_id: 编号「S7」在本文件中出现多次且内容不同（第 2, 3 行）",
    ]


def test_staff_departure_marks_their_customers_dirty(base, write):
    # V1 serves C1 (until 2026-03-01) and C3; C2 was referred by C1, so its
    # referral orders credit C1's service owner.
    write("s.csv", STAFF_HEADER + "V1,王芳,service,,2026-06-01\n")
    run("s.csv")
    assert Staff.objects.get(pk="V1").left_on == dt.date(2026, 6, 1)
    assert set(pending()) == {"C1", "C2", "C3"}
    history = list(Staff.history.filter(staff_id="V1").order_by("history_date", "history_id"))
    assert [(h.history_type, h.left_on) for h in history] == [("+", None), ("~", dt.date(2026, 6, 1))]
    assert history[-1].history_change_reason == "import s.csv"


def test_staff_rename_does_not_mark_dirty(base, write):
    write("s.csv", STAFF_HEADER + "V1,王芳芳,service,,\n")
    [result] = run("s.csv")
    assert (result.updated, result.unchanged) == (1, 0)
    assert not pending()


# ----------------------------------------------------------------------- customers


def test_customer_empty_required_fields(base, write):
    assert fails(write, "c.csv", CUSTOMER_HEADER + ",甲,key,2025-01-01,,\nC7,,key,2025-01-01,,\nC8,乙,,2025-01-01,,\nC9,丙,key,,,\n") == [
        "c.csv:2: customer_id: 不能为空",
        "c.csv:3: name: 不能为空",
        "c.csv:4: tier: 不能为空",
        "c.csv:5: acquired_on: 不能为空",
    ]


def test_customer_long_fields(base, write):
    assert fails(write, "c.csv", CUSTOMER_HEADER + f"{LONG},甲,key,2025-01-01,,\nC7,{'名' * 201},key,2025-01-01,{LONG},{LONG}\n") == [
        "c.csv:2: customer_id: 长度超过 64 个字符",
        "c.csv:3: name: 长度超过 200 个字符",
        "c.csv:3: acquired_by: 长度超过 64 个字符",
        "c.csv:3: referred_by: 长度超过 64 个字符",
    ]


def test_customer_unknown_tier_and_malformed_date(base, write):
    assert fails(write, "c.csv", CUSTOMER_HEADER + "C7,甲,vip,2025-1-1,,\n") == [
        "c.csv:2: tier: 未知的客户等级「vip」（允许：key, standard）",
        "c.csv:2: acquired_on: 日期格式不正确：「2025-1-1」（应为 YYYY-MM-DD）",
    ]


def test_customer_unknown_references(base, write):
    assert fails(write, "c.csv", CUSTOMER_HEADER + "C7,甲,key,2025-01-01,S9,\nC8,乙,key,2025-01-01,S1,C99\n") == [
        "c.csv:2: acquired_by: 未知的员工「S9」",
        "c.csv:3: referred_by: 未知的客户「C99」",
    ]


def test_customer_referring_itself(base, write):
    assert fails(write, "c.csv", CUSTOMER_HEADER + "C7,甲,key,2025-01-01,,C7\n") == [
        "c.csv:2: referred_by: 客户不能转介绍自己"
    ]


def test_customer_referred_by_a_rejected_row(base, write):
    assert fails(write, "c.csv", CUSTOMER_HEADER + "C9,乙,key,2025-01-01,,C8\nC8,甲,vip,2025-01-01,,\nC7,丙,key,2025-01-01,,C9\n") == [
        "c.csv:2: referred_by: 客户「C8」所在的行被拒绝（c.csv:3）",
        "c.csv:3: tier: 未知的客户等级「vip」（允许：key, standard）",
        "c.csv:4: referred_by: 客户「C9」所在的行被拒绝（c.csv:2）",
    ]


def test_customer_referred_by_a_customer_later_in_the_file(base, write):
    write("c.csv", CUSTOMER_HEADER + "C8,乙,key,2025-01-01,,C7\nC7,甲,key,2025-01-01,,\n")
    run("c.csv")
    assert Customer.objects.get(pk="C8").referred_by_id == "C7"


def test_customer_same_id_with_different_content(base, write):
    assert fails(write, "c.csv", CUSTOMER_HEADER + "C7,甲,key,2025-01-01,,\nC7,甲,standard,2025-01-01,,\n") == [
        "c.csv:2: customer_id: 编号「C7」在本文件中出现多次且内容不同（第 2, 3 行）",
        "c.csv:3: customer_id: 编号「C7」在本文件中出现多次且内容不同（第 2, 3 行）",
    ]


def test_rows_depending_on_a_rejected_row_of_another_file(base, write):
    write("s.csv", STAFF_HEADER + "S9,甲,boss,,\n")
    write("a.csv", "customer_id,role,staff_id,valid_from,valid_to\nC4,sales,S9,2026-01-05,\nC7,service,V1,2026-01-05,\n")
    write("o.csv", "order_id,customer_id,order_date,amount\nO7,C7,2026-02-01,10\n")
    assert fails(write, "c.csv", CUSTOMER_HEADER + "C7,乙,key,2026-01-05,S9,\n", "o.csv", "a.csv", "s.csv") == [
        "s.csv:2: role: 未知的角色「boss」（允许：sales, service, manager, finance, admin）",
        "c.csv:2: acquired_by: 员工「S9」所在的行被拒绝（s.csv:2）",
        "a.csv:2: staff_id: 员工「S9」所在的行被拒绝（s.csv:2）",
        "a.csv:3: customer_id: 客户「C7」所在的行被拒绝（c.csv:2）",
        "o.csv:2: customer_id: 客户「C7」所在的行被拒绝（c.csv:2）",
    ]


def test_customer_reference_changes_mark_dirty(base, write):
    write("c.csv", CUSTOMER_HEADER + "C4,常州新星,key,2026-01-05,S2,C3\nC3,无锡恒达五金实业,standard,2025-05-01,S1,\n")
    [result] = run("c.csv")
    assert (result.updated, result.unchanged) == (2, 0)
    # C3 only changed its name: not dirty.
    assert set(pending()) == {"C4"}
    c4 = Customer.objects.get(pk="C4")
    assert (c4.tier, c4.acquired_by_id, c4.referred_by_id) == ("key", "S2", "C3")
    assert [h.history_type for h in Customer.history.filter(customer_id="C4").order_by("history_id")] == ["+", "~"]
