"""The ownership ledger from files: invalid cases, overlaps within the file
and with the database, replacements, reasons and dirty marks."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.customers.models import Assignment
from tests.facts import pending

from .conftest import counts, problems, run

pytestmark = pytest.mark.django_db

HEADER = "customer_id,role,staff_id,valid_from,valid_to\n"


def fails(write, rows: str) -> list[str]:
    write("a.csv", HEADER + rows)
    before = counts()
    found = problems("a.csv")
    assert counts() == before
    return found


def ledger(customer_id: str, role: str) -> list[tuple]:
    return [
        (a.staff_id, str(a.valid_from), str(a.valid_to) if a.valid_to else None, a.reason)
        for a in Assignment.objects.filter(customer_id=customer_id, role=role).order_by("valid_from")
    ]


def test_empty_required_fields(base, write):
    assert fails(write, ",sales,S1,2026-01-05,\nC4,,S1,2026-01-05,\nC4,sales,,2026-01-05,\nC4,sales,S1,,\n") == [
        "a.csv:2: customer_id: 不能为空",
        "a.csv:3: role: 不能为空",
        "a.csv:4: staff_id: 不能为空",
        "a.csv:5: valid_from: 不能为空",
    ]


def test_unknown_role_customer_and_staff(base, write):
    assert fails(write, "C4,manager,S1,2026-01-05,\nC9,sales,S1,2026-01-05,\nC4,service,V9,2026-01-05,\n") == [
        "a.csv:2: role: 未知的角色「manager」（允许：sales, service）",
        "a.csv:3: customer_id: 未知的客户「C9」",
        "a.csv:4: staff_id: 未知的员工「V9」",
    ]


def test_malformed_dates_and_valid_to_not_after_valid_from(base, write):
    assert fails(write, "C4,sales,S1,2026-01-5,\nC4,service,V1,2026-01-05,2026-01-05\nC4,sales,S2,2026-02-01,2026-01-31\n") == [
        "a.csv:2: valid_from: 日期格式不正确：「2026-01-5」（应为 YYYY-MM-DD）",
        "a.csv:3: valid_to: 截止日期必须晚于起始日期",
        "a.csv:4: valid_to: 截止日期必须晚于起始日期",
    ]


def test_overlap_within_the_file(base, write):
    assert fails(write, "C4,sales,S1,2026-01-05,2026-03-01\nC4,service,V1,2026-01-05,\nC4,sales,S2,2026-02-01,\n") == [
        "a.csv:4: valid_from: 与第 2 行的归属重叠（S1，[2026-01-05, 2026-03-01)）"
    ]


def test_overlap_with_the_database(base, write):
    # C3's sales row S1 [2025-05-01, …) is in the database and stays.
    assert fails(write, "C3,sales,S2,2026-01-01,\nC3,service,V2,2024-01-01,2025-06-01\n") == [
        "a.csv:2: valid_from: 与已有的归属重叠（S1，[2025-05-01, …)）",
        "a.csv:3: valid_from: 与已有的归属重叠（V1，[2025-05-01, …)）",
    ]


def test_same_assignment_twice_with_different_content(base, write):
    assert fails(write, "C4,sales,S1,2026-01-05,\nC4,sales,S2,2026-01-05,\n") == [
        "a.csv:2: valid_from: 同一客户、角色和起始日期的归属在本文件中出现多次且内容不同（第 2, 3 行）",
        "a.csv:3: valid_from: 同一客户、角色和起始日期的归属在本文件中出现多次且内容不同（第 2, 3 行）",
    ]


def test_handover_by_closing_a_database_row_and_adding_the_next(base, write):
    # C3: S1 left on 2026-03-01 and was never handed over; now hand over.
    write("a.csv", HEADER + "C3,sales,S1,2025-05-01,2026-03-01\nC3,sales,S2,2026-03-01,\n")
    [result] = run("a.csv")
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert ledger("C3", "sales") == [
        ("S1", "2025-05-01", "2026-03-01", "developed"),
        ("S2", "2026-03-01", None, "handover"),
    ]
    assert set(pending()) == {"C3"}
    row = Assignment.objects.get(customer_id="C3", role="sales", valid_from=dt.date(2025, 5, 1))
    assert [(h.history_type, h.valid_to) for h in row.history.order_by("history_id")] == [
        ("+", None),
        ("~", dt.date(2026, 3, 1)),
    ]


def test_reasons_of_new_rows(base, write):
    # C4 was developed by nobody: its first sales row is a reassignment; its
    # first service row is developed; V1 never left: the next is a reassignment.
    write("a.csv", HEADER + "C4,sales,S2,2026-01-05,\nC4,service,V1,2026-01-05,2026-02-01\nC4,service,V2,2026-02-01,\n")
    run("a.csv")
    assert ledger("C4", "sales") == [("S2", "2026-01-05", None, "reassignment")]
    assert ledger("C4", "service") == [
        ("V1", "2026-01-05", "2026-02-01", "developed"),
        ("V2", "2026-02-01", None, "reassignment"),
    ]
    assert ledger("C1", "sales") == [
        ("S1", "2025-01-10", "2026-03-01", "developed"),
        ("S2", "2026-03-01", None, "handover"),
    ]


def test_service_change_marks_the_customers_it_referred(base, write):
    # C2 was referred by C1: C1's service owner is credited on C2's first order.
    write("a.csv", HEADER + "C1,service,V2,2026-03-01,2026-09-01\nC1,service,V1,2026-09-01,\n")
    run("a.csv")
    assert set(pending()) == {"C1", "C2"}


def test_reopening_and_closing_against_rows_the_file_leaves_alone(base, write):
    # C1 sales: S1 [2025-01-10, 2026-03-01), S2 [2026-03-01, …). Give the
    # account back to S1 from 2026-06-01.
    write("a.csv", HEADER + "C1,sales,S2,2026-03-01,2026-06-01\nC1,sales,S1,2026-06-01,\n")
    [result] = run("a.csv")
    assert (result.created, result.updated) == (1, 1)
    assert ledger("C1", "sales") == [
        ("S1", "2025-01-10", "2026-03-01", "developed"),
        ("S2", "2026-03-01", "2026-06-01", "handover"),
        ("S1", "2026-06-01", None, "reassignment"),
    ]
    before = counts()
    [again] = run("a.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert counts() == before
    # Extending S2 again would overlap S1's row, which the file leaves alone.
    write("b.csv", HEADER + "C1,sales,S1,2025-01-10,2026-02-01\nC1,sales,S2,2026-03-01,2026-08-01\n")
    assert problems("b.csv") == ["b.csv:3: valid_from: 与已有的归属重叠（S1，[2026-06-01, …)）"]
    assert counts() == before


def test_a_row_overlapping_only_a_rejected_row_is_kept(base, write):
    # Line 3 overlaps line 2 and is rejected; line 4 overlaps only line 3.
    write("a.csv", HEADER + "C4,sales,S1,2026-01-05,2026-03-01\nC4,sales,S2,2026-02-01,2026-06-01\nC4,sales,S1,2026-04-01,\n")
    [result] = run("a.csv", skip=True)
    assert (result.created, result.rejected) == (2, 1)
    assert ledger("C4", "sales") == [
        ("S1", "2026-01-05", "2026-03-01", "reassignment"),
        ("S1", "2026-04-01", None, "handover"),  # S1 had left on 2026-03-01
    ]
