"""Departure and handover through the services: confirmation, every
refusal with nothing written, permissions, the money preview against what
the engine credits afterwards, two confirmations at once."""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tandem.commissions.handover_preview import handover_preview
from tandem.commissions.models import CommissionLine
from tandem.commissions.runs import run_commissions
from tandem.core.errors import InvalidInput
from tandem.customers.models import Assignment
from tandem.customers.services import assignment_open, customer_upsert
from tandem.handover.models import Handover
from tandem.handover.services import NotPermitted, PlanLine, handover_confirm, staff_leave
from tandem.sales.services import order_record
from tandem.staff.models import Staff, Team
from tandem.staff.services import staff_upsert

D = dt.date
LEFT = D(2026, 3, 1)


def _company():
    east = Team.objects.create(name="华东销售部", department="sales")
    west = Team.objects.create(name="华南销售部", department="sales")
    people = [
        ("L", "离职销售", "sales", D(2020, 1, 1), east),
        ("N1", "新销售", "sales", D(2025, 9, 1), east),
        ("O1", "老销售", "sales", D(2019, 1, 1), east),
        ("W1", "华南销售", "sales", D(2025, 9, 1), west),
        ("V1", "客服甲", "service", None, None),
        ("V2", "客服乙", "service", None, None),
        ("M1", "华东经理", "manager", None, east),
        ("M2", "华南经理", "manager", None, west),
        ("GM", "总经理", "manager", None, None),
    ]
    User = get_user_model()
    for sid, name, role, hired, team in people:
        staff, _ = staff_upsert(staff_id=sid, name=name, role=role, hired_on=hired)
        staff.team = team
        staff.user = User.objects.create_user(username=sid.lower(), password="x")
        staff.save()
    for cid, tier, service in (
        ("C1", "standard", "V1"),
        ("C2", "key", "V1"),
        ("C3", "standard", "V2"),
    ):
        customer, _ = customer_upsert(
            customer_id=cid,
            name=f"客户{cid}",
            tier=tier,
            acquired_on=D(2025, 1, 1),
            acquired_by="L",
        )
        assignment_open(
            customer=customer,
            role="sales",
            staff=Staff.objects.get(pk="L"),
            valid_from=D(2025, 1, 1),
            reason="developed",
        )
        assignment_open(
            customer=customer,
            role="service",
            staff=Staff.objects.get(pk=service),
            valid_from=D(2025, 1, 1),
            reason="developed",
        )
    orders = [("O1", "C1", D(2025, 6, 1), "1000.00"), ("O2", "C2", D(2025, 7, 1), "2000.00"),
              ("O3", "C1", D(2026, 4, 1), "500.00"), ("O4", "C2", D(2026, 4, 2), "800.00"),
              ("O5", "C3", D(2026, 3, 1), "300.00")]  # fmt: skip
    for oid, cid, day, amount in orders:
        order_record(order_id=oid, customer=cid, order_date=day, amount=Decimal(amount))


@pytest.fixture
def company(db):
    _company()


def ledger():
    return sorted(
        Assignment.objects.values_list(
            "customer_id", "role", "staff_id", "valid_from", "valid_to", "reason", "end_reason"
        )
    )


def refused(expected_message, expected_problems=(), **kwargs):
    before = ledger()
    with pytest.raises(InvalidInput) as caught:
        handover_confirm(staff_id="L", **kwargs)
    assert str(caught.value) == expected_message
    assert caught.value.problems == list(expected_problems)
    assert ledger() == before
    assert not Handover.objects.exists()


def test_a_departure_without_a_handover_changes_no_row(company):
    before = ledger()
    staff, changed = staff_leave(staff_id="L", left_on=LEFT)
    assert changed and staff.left_on == LEFT
    assert ledger() == before


def test_confirming_the_proposal_closes_the_held_rows_and_opens_the_receivers(company):
    staff_leave(staff_id="L", left_on=LEFT)
    record = handover_confirm(staff_id="L", username="gm")
    assert record.confirmed_by.username == "gm" and record.left_on == LEFT
    # C2 (key, 2000.00) first, to the experienced O1; C1 then C3 (standard) to the new N1.
    assert [(x.line, x.customer_id, x.role, x.to_staff_id) for x in record.lines.all()] == [
        (2, "C2", "sales", "O1"), (3, "C1", "sales", "N1"), (4, "C3", "sales", "N1"),
    ]  # fmt: skip
    rows = [r for r in ledger() if r[0] == "C1"]
    assert rows == [
        ("C1", "sales", "L", D(2025, 1, 1), LEFT, "developed", "handover"),
        ("C1", "sales", "N1", LEFT, None, "handover", ""),
        ("C1", "service", "V1", D(2025, 1, 1), None, "developed", ""),
    ]
    assert not Assignment.objects.filter(staff_id="L", valid_to__isnull=True).exists()


def test_service_rows_are_handed_over_to_service(company):
    staff_leave(staff_id="V1", left_on=LEFT)
    record = handover_confirm(staff_id="V1")
    assert [(x.customer_id, x.role, x.to_staff_id) for x in record.lines.all()] == [
        ("C2", "service", "V2"), ("C1", "service", "V2"),
    ]  # fmt: skip


def test_a_sales_line_without_a_receiver_leaves_the_customer_in_the_pool(company):
    staff_leave(staff_id="L", left_on=LEFT)
    plan = [
        PlanLine(2, "C1", "sales", None),
        PlanLine(3, "C2", "sales", "O1"),
        PlanLine(4, "C3", "sales", "W1"),
    ]
    handover_confirm(staff_id="L", plan=plan, source="plan.csv")
    assert not Assignment.objects.filter(
        customer_id="C1", role="sales", valid_to__isnull=True
    ).exists()
    assert Assignment.objects.get(customer_id="C3", role="sales", valid_from=LEFT).staff_id == "W1"


def test_a_held_row_that_ended_later_keeps_its_end_and_end_reason(company):
    row = Assignment.objects.get(customer_id="C3", role="sales")
    from tandem.customers.services import assignment_close

    assignment_close(assignment=row, valid_to=D(2026, 6, 1), end_reason="release")
    staff_leave(staff_id="L", left_on=LEFT)
    handover_confirm(staff_id="L")
    new = Assignment.objects.get(customer_id="C3", role="sales", valid_from=LEFT)
    assert (new.staff_id, new.valid_to, new.end_reason) == ("N1", D(2026, 6, 1), "release")


GOOD = [("C1", "sales", "N1"), ("C2", "sales", "O1"), ("C3", "sales", "N1")]


def plan_of(rows):
    return [PlanLine(n, c, r, t) for n, (c, r, t) in enumerate(rows, start=2)]


def test_refused_without_a_leaving_day(company):
    refused("员工 L 没有离职日期，请先登记离职（tandem staff leave）")


def test_refused_lines_are_all_listed_and_nothing_is_written(company):
    staff_leave(staff_id="L", left_on=LEFT)
    rows = [("C1", "sales", "NOBODY"), ("C2", "sales", "V1"), ("C2", "sales", "O1"), ("C9", "sales", "N1"),
            ("C1", "service", None)]  # fmt: skip
    refused(
        "离职交接未确认：方案有 7 处问题，未写入任何内容",
        [
            "plan.csv:2: to_staff_id: 未知的员工「NOBODY」",
            "plan.csv:3: to_staff_id: 员工 V1 不是销售人员",
            "plan.csv:4: customer_id: 客户 C2 的销售归属重复（第 3 行已有）",
            "plan.csv:5: customer_id: 客户 C9 的销售归属在 2026-03-01 不由员工 L 持有",
            "plan.csv:6: customer_id: 客户 C1 的客服归属在 2026-03-01 不由员工 L 持有",
            "plan.csv:6: to_staff_id: 客服归属必须指定接收人",
            "plan.csv: customer_id: 方案缺少客户 C3 的销售归属",
        ],
        plan=plan_of(rows),
        source="plan.csv",
    )


def test_refused_when_a_receiver_is_not_active_on_the_leaving_day(company):
    staff_leave(staff_id="L", left_on=LEFT)
    staff_upsert(
        staff_id="GONE", name="已离职", role="sales", hired_on=D(2020, 1, 1), left_on=D(2026, 2, 1)
    )
    staff_upsert(staff_id="LATE", name="未入职", role="sales", hired_on=D(2026, 3, 2))
    refused(
        "离职交接未确认：方案有 2 处问题，未写入任何内容",
        [
            "plan.csv:2: to_staff_id: 员工 GONE 在 2026-03-01 不在职",
            "plan.csv:3: to_staff_id: 员工 LATE 在 2026-03-01 不在职",
        ],
        plan=plan_of([("C1", "sales", "GONE"), ("C2", "sales", "LATE"), ("C3", "sales", "N1")]),
        source="plan.csv",
    )


def test_refused_when_the_user_names_no_login(company):
    staff_leave(staff_id="L", left_on=LEFT)
    refused("--user：没有名为「nobody」的登录账号", username="nobody")


def test_a_service_line_left_empty_by_the_proposal_must_be_decided(company):
    Staff.objects.filter(pk="V2").update(left_on=D(2026, 3, 15))  # stays only 14 days more
    staff_leave(staff_id="V1", left_on=LEFT)
    before = ledger()
    with pytest.raises(InvalidInput) as caught:
        handover_confirm(staff_id="V1")
    assert caught.value.problems == [
        "建议方案:2: to_staff_id: 客服归属必须指定接收人",
        "建议方案:3: to_staff_id: 客服归属必须指定接收人",
    ]
    assert ledger() == before and not Handover.objects.exists()


def test_confirming_again_is_refused(company):
    staff_leave(staff_id="L", left_on=LEFT)
    handover_confirm(staff_id="L")
    before = ledger()
    with pytest.raises(InvalidInput, match="^员工 L 的客户已交接，不能再次确认$"):
        handover_confirm(staff_id="L")
    assert ledger() == before and Handover.objects.count() == 1
    with pytest.raises(
        InvalidInput, match="^员工 L 已于 2026-03-01 离职并完成交接，不能更改离职日期$"
    ):
        staff_leave(staff_id="L", left_on=D(2026, 4, 1))


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("gm", True), ("m1", True), ("m2", False), ("n1", False), ("v1", False)],
)
def test_a_team_manager_hands_over_only_their_teams_leavers(company, username, allowed):
    staff_leave(staff_id="L", left_on=LEFT)
    if allowed:
        assert handover_confirm(staff_id="L", username=username).confirmed_by.username == username
        return
    before = ledger()
    with pytest.raises(NotPermitted, match=f"^账号「{username}」无权处理员工 L 的离职交接$"):
        handover_confirm(staff_id="L", username=username)
    with pytest.raises(NotPermitted):
        staff_leave(staff_id="O1", left_on=LEFT, username=username)
    assert ledger() == before and not Handover.objects.exists()


def credited(since):
    out = defaultdict(int)
    for cid, role, sid, cents in CommissionLine.objects.filter(line_date__gte=since).values_list(
        "customer_id", "role", "staff_id", "amount_cents"
    ):
        out[(cid, role, sid)] += cents
    return {k: v for k, v in out.items() if v}


def test_the_preview_equals_what_the_engine_credits_after_confirming(company):
    staff_leave(staff_id="L", left_on=LEFT)
    run_commissions()
    lines = [(c, r, t) for c, r, t in GOOD]
    preview = handover_preview(leaver_id="L", left_on=LEFT, plan=lines, since=LEFT)
    assert {
        (p.customer_id, p.role, p.staff_id): p.before_cents for p in preview if p.before_cents
    } == credited(LEFT)
    handover_confirm(staff_id="L", plan=plan_of(GOOD), source="plan.csv")
    run_commissions()
    after = {(p.customer_id, p.role, p.staff_id): p.after_cents for p in preview if p.after_cents}
    assert after == credited(LEFT)
    # Inherited customers: service 70 / the new salesperson 30 of the 5% pool.
    assert after[("C1", "service", "V1")] == 1750 and after[("C1", "sales", "N1")] == 750
    # The leaver is credited nothing dated on or after the leaving day.
    assert not CommissionLine.objects.filter(staff_id="L", line_date__gte=LEFT).exists()


def test_the_trailing_preview_shows_what_the_receivers_would_have_been_credited(company):
    staff_leave(staff_id="L", left_on=LEFT)
    rows = handover_preview(leaver_id="L", left_on=LEFT, plan=GOOD)
    got = {(p.customer_id, p.role, p.staff_id): (p.before_cents, p.after_cents) for p in rows}
    # C1's 1000.00 in June 2025: L (developer, still working) had 70% of 50.00.
    assert got[("C1", "sales", "L")] == (3500, 0)
    assert got[("C1", "sales", "N1")] == (0, 3500)
    assert got[("C1", "service", "V1")] == (1500, 1500)


def test_two_confirmations_at_once_exactly_one_wins(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only (TANDEM_TEST_DATABASE_URL): SQLite serialises whole-database writes"
        )
    _company()
    staff_leave(staff_id="L", left_on=LEFT)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def confirm():
        from django.db import connections

        try:
            barrier.wait()
            handover_confirm(staff_id="L")
            outcomes.append("ok")
        except InvalidInput as exc:
            outcomes.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "员工 L 的客户已交接，不能再次确认"]
    assert Handover.objects.count() == 1
    assert Assignment.objects.filter(valid_from=LEFT, reason="handover").count() == 3
