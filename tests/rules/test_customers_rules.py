"""The customers domain's rules, without a database: customer rows, ledger
rows, overlaps (one at a time and for a whole file), reasons of new rows."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from tandem.customers.rules import (
    assignment_reason,
    assignment_violations,
    check_period,
    customer_violations,
    find_overlaps,
    first_overlap,
    overlap_violation,
    overlaps_resolve,
    span_text,
)

D = dt.date


def span(customer, role, start, end=None, staff="S1", name=""):
    return SimpleNamespace(customer_id=customer, role=role, valid_from=start, valid_to=end, staff_id=staff, name=name)


def test_customer_violations():
    ok = {"customer_id": "C1", "name": "华东", "tier": "key", "acquired_by": None, "referred_by": None}
    assert customer_violations(**ok) == []
    found = customer_violations(**{**ok, "tier": "vip", "acquired_by": "X" * 65, "referred_by": "C1"})
    assert [(v.field, v.reason) for v in found] == [
        ("tier", "未知的客户等级「vip」（允许：key, standard）"),
        ("acquired_by", "长度超过 64 个字符"),
        ("referred_by", "客户不能转介绍自己"),
    ]
    [empty] = customer_violations(**{**ok, "name": ""})
    assert empty.message == "名称不能为空"


def test_assignment_violations():
    ok = {"customer_id": "C1", "role": "sales", "staff_id": "S1", "valid_from": D(2026, 1, 1), "valid_to": None}
    assert assignment_violations(**ok) == []
    found = assignment_violations(**{**ok, "role": "manager", "valid_to": D(2026, 1, 1)})
    assert [(v.field, v.reason) for v in found] == [
        ("role", "未知的角色「manager」（允许：sales, service）"),
        ("valid_to", "截止日期必须晚于起始日期"),
    ]
    assert found[1].message == "截止日期 2026-01-01 必须晚于起始日期 2026-01-01"
    assert check_period(None, D(2026, 1, 1)) is None


def test_find_overlaps():
    a = span("C1", "sales", D(2025, 1, 1), D(2025, 6, 1), name="a")
    b = span("C1", "sales", D(2025, 6, 1), None, name="b")  # touches a: fine
    c = span("C1", "sales", D(2025, 3, 1), D(2025, 4, 1), name="c")  # inside a
    d = span("C1", "service", D(2025, 3, 1), None, name="d")  # another role
    e = span("C2", "sales", D(2024, 1, 1), None, name="e")
    f = span("C2", "sales", D(2030, 1, 1), D(2031, 1, 1), name="f")  # after an open row
    pairs = find_overlaps([a, b, c, d, e, f])
    assert sorted((x.name, y.name) for x, y in pairs) == [("a", "c"), ("e", "f")]
    assert find_overlaps([a, b, d]) == []
    assert first_overlap([a, b, d], c) is a
    assert first_overlap([a, d], b) is None


def test_overlap_violation_reads_in_a_file_and_on_its_own():
    new = span("C1", "sales", D(2026, 1, 1))
    old = span("C1", "sales", D(2025, 1, 10), D(2026, 3, 1))
    violation = overlap_violation(new, old, "S1")
    assert violation.field == "valid_from"
    assert violation.reason == "与已有的归属重叠（S1，[2025-01-10, 2026-03-01)）"
    assert violation.message == "客户「C1」的销售归属 [2026-01-01, …) 与已有的归属（S1，[2025-01-10, 2026-03-01)）重叠"
    assert span_text(D(2025, 1, 1), None) == "[2025-01-01, …)"


def test_overlaps_resolve_rejects_new_rows_and_puts_stored_rows_back():
    stored_open = span("C1", "sales", D(2025, 1, 1), None, staff="S1")
    stored = {("C1", "sales", D(2025, 1, 1)): stored_open}
    # Line 2 replaces the stored row (closing it); line 3 overlaps line 2's
    # new end; line 4 overlaps only line 3, which is rejected first.
    l2 = span("C1", "sales", D(2025, 1, 1), D(2025, 6, 1), staff="S1")
    l3 = span("C1", "sales", D(2025, 5, 1), D(2025, 9, 1), staff="S2")
    l4 = span("C1", "sales", D(2025, 8, 1), None, staff="S3")
    new = {("C1", "sales", s.valid_from): s for s in (l2, l3, l4)}
    rejected = overlaps_resolve(new, stored)
    assert [(bad.staff_id, other.staff_id) for bad, other in rejected] == [("S2", "S1")]
    assert list(new.values()) == [l2, l4]
    # A rejected row that replaced a stored one puts it back, and the next
    # round checks against it.
    l5 = span("C1", "sales", D(2025, 1, 1), D(2025, 2, 1), staff="S9")
    l6 = span("C1", "sales", D(2024, 6, 1), D(2025, 3, 1), staff="S8")
    new = {("C1", "sales", s.valid_from): s for s in (l5, l6)}
    rejected = overlaps_resolve(new, stored)
    assert [(bad.staff_id, other.staff_id) for bad, other in rejected] == [("S9", "S8"), ("S8", "S1")]
    assert new == {}


def test_assignment_reason():
    first = {"role": "sales", "staff_id": "S1", "valid_from": D(2026, 1, 1), "previous_staff_left_on": None}
    assert assignment_reason(**first, is_first=True, acquired_by="S1") == "developed"
    assert assignment_reason(**first, is_first=True, acquired_by="S2") == "reassignment"
    assert assignment_reason(**{**first, "role": "service"}, is_first=True, acquired_by=None) == "developed"
    later = {**first, "is_first": False, "acquired_by": None}
    assert assignment_reason(**later) == "reassignment"
    assert assignment_reason(**{**later, "previous_staff_left_on": D(2026, 1, 1)}) == "handover"
    assert assignment_reason(**{**later, "previous_staff_left_on": D(2026, 1, 2)}) == "reassignment"
