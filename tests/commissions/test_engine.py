"""Spec §2–§5 on compute_customer: the worked examples, one test per rule,
and the worked example's exchange files against expected-lines.csv."""

from __future__ import annotations

import csv
import tomllib
from collections import defaultdict
from dataclasses import FrozenInstanceError
from decimal import Decimal
from fractions import Fraction

import pytest

from tandem.commissions.engine import (
    NO_PLAN,
    REFUND_OF_UNKNOWN_ORDER,
    REFUNDS_EXCEED_ORDER,
    Line,
    Lookups,
    OrderException,
    compute_customer,
)
from tandem.commissions.rules import PlanBook
from tandem.core.money import format_cents, parse_amount_cents

from ..fixtures import WORKED
from .factories import (
    C1_ASSIGNMENTS,
    WORKED_LOOKUPS,
    D,
    assign,
    history,
    lookups,
    order,
    plan,
    refund,
    run,
    staff,
    summary,
)

EVERYONE = staff(S1=(None, None), S2=(None, None), V1=(None, None), V2=(None, None))
STANDARD_ROWS = [assign("sales", "S1", "2025-01-01"), assign("service", "V1", "2025-01-01")]


# --------------------------------------------------------------------------- #
# The spec's worked examples
# --------------------------------------------------------------------------- #


def test_worked_example_1_standard():
    # 1000.00 × 5% = 50.00; S1 sales 0.7 → 35.00, V1 service 0.3 → 15.00.
    h = history(
        "C1", [order("O1", "2026-02-10", 100000)], assignments=C1_ASSIGNMENTS, acquired_by="S1"
    )
    result = run(h, WORKED_LOOKUPS)
    assert summary(result.lines) == [
        ("2026-02", "O1", "S1", "sales", "standard", "sale", 3500),
        ("2026-02", "O1", "V1", "service", "standard", "sale", 1500),
    ]
    assert result.exceptions == []


def test_worked_example_2_referral_first_order():
    # 333.33 × 5% = 16.6665 → 16.67; S2 sales 11.669 → 11.66 + spare cent = 11.67;
    # C1's service on 2026-02-20 is V1: 5.001 → 5.00.
    h = history(
        "C2",
        [order("O2", "2026-02-20", 33333)],
        assignments=[assign("sales", "S2", "2026-02-20"), assign("service", "V2", "2026-02-20")],
        acquired_by="S2",
        referred_by="C1",
    )
    result = run(h, WORKED_LOOKUPS)
    assert summary(result.lines) == [
        ("2026-02", "O2", "S2", "sales", "referral", "sale", 1167),
        ("2026-02", "O2", "V1", "referrer_service", "referral", "sale", 500),
    ]
    assert all(ln.referrer_id == "C1" for ln in result.lines)


def test_worked_example_3_inherited_after_handover():
    # S1 (developer) left 2026-03-01 <= 2026-04-02: inherited. 2000.00 × 5% = 100.00;
    # V2 service 0.7 → 70.00, S2 sales 0.3 → 30.00.
    h = history(
        "C1", [order("O3", "2026-04-02", 200000)], assignments=C1_ASSIGNMENTS, acquired_by="S1"
    )
    result = run(h, WORKED_LOOKUPS)
    assert summary(result.lines) == [
        ("2026-04", "O3", "S2", "sales", "inherited", "sale", 3000),
        ("2026-04", "O3", "V2", "service", "inherited", "sale", 7000),
    ]
    assert {(ln.developer_id, ln.developer_left_on) for ln in result.lines} == {
        ("S1", D("2026-03-01"))
    }


def test_worked_example_4_inherited_without_handover():
    # C3's sales row is still S1, who left: no participant. 100.00 × 5% = 5.00, all to V1.
    h = history(
        "C3",
        [order("O4", "2026-04-05", 10000)],
        assignments=[assign("sales", "S1", "2025-05-01"), assign("service", "V1", "2025-05-01")],
        acquired_by="S1",
    )
    result = run(h, WORKED_LOOKUPS)
    assert summary(result.lines) == [("2026-04", "O4", "V1", "service", "inherited", "sale", 500)]
    (line,) = result.lines
    assert line.weight == Fraction(1)
    assert line.nominal_weight == Decimal("0.70")
    assert line.absent_roles == ("sales",)


def test_worked_example_5_refund_claws_back():
    # net(2000.00) = 100.00 → V2 70.00, S2 30.00; net(1500.00) = 75.00 → V2 52.50, S2 22.50.
    # Clawback in 2026-05: V2 −17.50, S2 −7.50.
    h = history(
        "C1",
        [order("O3", "2026-04-02", 200000)],
        [refund("O5", "O3", "2026-05-03", 50000)],
        C1_ASSIGNMENTS,
        acquired_by="S1",
    )
    result = run(h, WORKED_LOOKUPS)
    assert summary(result.lines) == [
        ("2026-04", "O3", "S2", "sales", "inherited", "sale", 3000),
        ("2026-05", "O3", "S2", "sales", "inherited", "clawback", -750),
        ("2026-04", "O3", "V2", "service", "inherited", "sale", 7000),
        ("2026-05", "O3", "V2", "service", "inherited", "clawback", -1750),
    ]
    claw = result.lines[3]
    assert (claw.refund_id, claw.refunded_before_cents, claw.refunded_after_cents) == (
        "O5",
        0,
        50000,
    )
    assert (claw.net_before_cents, claw.net_after_cents) == (7000, 5250)
    assert claw.order_date == D("2026-04-02") and claw.line_date == D("2026-05-03")


def test_worked_example_6_no_assignments_is_unassigned():
    # 80.00 × 5% = 4.00, nobody on the account: one unassigned line, empty staff_id.
    h = history("C4", [order("O6", "2026-04-10", 8000)])
    result = run(h, WORKED_LOOKUPS)
    assert summary(result.lines) == [("2026-04", "O6", "", "unassigned", "standard", "sale", 400)]
    assert result.lines[0].weight == 1
    assert result.lines[0].absent_roles == ("sales", "service")


def _worked_rows(name: str) -> list[dict[str, str]]:
    with (WORKED / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _worked_example_lines() -> tuple[list[Line], list[OrderException]]:
    from tandem.commissions.engine import CustomerHistory, Order, Refund
    from tandem.commissions.rules import Assignment, Plan, StaffActivity

    def day(text: str):
        return D(text) if text else None

    with (WORKED / "plans.toml").open("rb") as fh:
        plans = [
            Plan(
                name=p["name"],
                effective_from=p["effective_from"],
                pool_rate=Decimal(p["pool_rate"]),
                category_rates={k: Decimal(v) for k, v in p.get("category_rates", {}).items()},
                splits={
                    s: {r: Decimal(w) for r, w in weights.items()}
                    for s, weights in p["splits"].items()
                },
            )
            for p in tomllib.load(fh)["plans"]
        ]
    people = {
        r["staff_id"]: StaffActivity(day(r["hired_on"]), day(r["left_on"]))
        for r in _worked_rows("staff.csv")
    }
    rows: dict[str, list[Assignment]] = defaultdict(list)
    for r in _worked_rows("assignments.csv"):
        rows[r["customer_id"]].append(
            Assignment(r["role"], r["staff_id"], D(r["valid_from"]), day(r["valid_to"]))
        )
    orders: dict[str, list[Order]] = defaultdict(list)
    refunds: dict[str, list[Refund]] = defaultdict(list)
    order_customer: dict[str, str] = {}
    raw = _worked_rows("orders.csv")
    for r in raw:
        order_customer[r["order_id"]] = r["customer_id"]
    for r in raw:
        cents = parse_amount_cents(r["amount"])
        if r["refund_of"]:
            refunds[order_customer[r["refund_of"]]].append(
                Refund(r["order_id"], r["refund_of"], D(r["order_date"]), cents)
            )
        else:
            orders[r["customer_id"]].append(
                Order(r["order_id"], D(r["order_date"]), cents, r["category"] or None)
            )
    lk = Lookups(
        people,
        PlanBook(plans),
        {
            cid: sorted((a for a in rs if a.role == "service"), key=lambda a: a.valid_from)
            for cid, rs in rows.items()
        },
    )
    lines: list[Line] = []
    exceptions: list[OrderException] = []
    for r in _worked_rows("customers.csv"):
        cid = r["customer_id"]
        result = compute_customer(
            CustomerHistory(
                cid,
                r["acquired_by"] or None,
                r["referred_by"] or None,
                orders[cid],
                refunds[cid],
                rows[cid],
            ),
            lk,
        )
        lines += result.lines
        exceptions += result.exceptions
    return lines, exceptions


def test_worked_example_files_give_expected_lines():
    lines, exceptions = _worked_example_lines()
    got = sorted(
        (
            ln.period,
            ln.order_id,
            ln.staff_id,
            ln.role,
            ln.scenario,
            ln.kind,
            format_cents(ln.amount_cents),
        )
        for ln in lines
        if ln.amount_cents != 0
    )
    expected = sorted(
        tuple(
            r[c] for c in ("period", "order_id", "staff_id", "role", "scenario", "kind", "amount")
        )
        for r in _worked_rows("expected-lines.csv")
    )
    assert got == expected
    assert exceptions == []


# --------------------------------------------------------------------------- #
# §1 participants
# --------------------------------------------------------------------------- #


def test_rule_1_departed_owner_is_no_participant():
    # S1 left 2026-03-01 but still holds an open sales row; V1 takes the whole pool.
    # 100.00 × 5% = 5.00 → V1 5.00 (standard: no developer recorded).
    people = staff(S1=(None, "2026-03-01"), V1=(None, None))
    h = history("C9", [order("A", "2026-03-01", 10000)], assignments=STANDARD_ROWS)
    assert summary(run(h, lookups(people)).lines) == [
        ("2026-03", "A", "V1", "service", "standard", "sale", 500)
    ]


def test_rule_1_participant_is_taken_on_the_order_date():
    # Handover on 2026-03-01: an order of 2026-02-28 credits S1, one of 2026-03-01 credits S2.
    rows = [
        assign("sales", "S1", "2025-01-01", "2026-03-01"),
        assign("sales", "S2", "2026-03-01"),
        assign("service", "V1", "2025-01-01"),
    ]
    h = history(
        "C9", [order("A", "2026-02-28", 10000), order("B", "2026-03-01", 10000)], assignments=rows
    )
    people = [(ln.order_id, ln.staff_id) for ln in run(h, lookups(EVERYONE)).lines]
    assert people == [("A", "S1"), ("A", "V1"), ("B", "S2"), ("B", "V1")]


# --------------------------------------------------------------------------- #
# §2 plan in force
# --------------------------------------------------------------------------- #


def test_rule_2_latest_plan_in_force():
    # 1000.00: before 2026-01-01 at 5% (50.00), from 2026-01-01 at 4% (40.00 → 28.00 / 12.00).
    plans = [plan("默认", "1900-01-01"), plan("2026 方案", "2026-01-01", pool_rate="0.04")]
    h = history(
        "C9",
        [order("A", "2025-12-31", 100000), order("B", "2026-01-01", 100000)],
        assignments=STANDARD_ROWS,
    )
    lines = run(h, lookups(EVERYONE, plans)).lines
    assert [(ln.order_id, ln.plan_name, ln.pool_cents, ln.amount_cents) for ln in lines] == [
        ("A", "默认", 5000, 3500),
        ("A", "默认", 5000, 1500),
        ("B", "2026 方案", 4000, 2800),
        ("B", "2026 方案", 4000, 1200),
    ]
    assert lines[2].plan_from == D("2026-01-01")


def test_rule_2_no_plan_is_exception():
    # The only plan starts 2026-01-01; the 2025 order gets no line but is reported.
    h = history(
        "C9",
        [order("A", "2025-06-01", 10000), order("B", "2026-06-01", 10000)],
        [refund("R1", "A", "2026-07-01", 5000)],
        STANDARD_ROWS,
    )
    result = run(h, lookups(EVERYONE, [plan(effective_from="2026-01-01")]))
    assert {ln.order_id for ln in result.lines} == {"B"}
    assert result.exceptions == [OrderException("A", "C9", D("2025-06-01"), NO_PLAN)]


# --------------------------------------------------------------------------- #
# §3 scenario
# --------------------------------------------------------------------------- #


def _referred(orders, **kw):
    return history(
        "C2",
        orders,
        assignments=[assign("sales", "S2", "2025-01-01"), assign("service", "V2", "2025-01-01")],
        referred_by="C1",
        **kw,
    )


REFERRER = {"C1": [assign("service", "V1", "2025-01-01")]}


def test_rule_3_referral_only_on_first_order():
    # B (2026-01-05) is the first order: referral. A is dated later, though its id
    # sorts first: standard.
    h = _referred([order("B", "2026-01-05", 10000), order("A", "2026-01-06", 10000)])
    lines = run(h, lookups(EVERYONE, referrer_service=REFERRER)).lines
    assert [(ln.order_id, ln.scenario, ln.role, ln.staff_id) for ln in lines] == [
        ("A", "standard", "sales", "S2"),
        ("A", "standard", "service", "V2"),
        ("B", "referral", "sales", "S2"),
        ("B", "referral", "referrer_service", "V1"),
    ]


def test_rule_3_first_order_ties_broken_by_order_id_string():
    # Same date: "O10" < "O9" as plain strings, so O10 is the first order.
    h = _referred([order("O9", "2026-01-05", 10000), order("O10", "2026-01-05", 10000)])
    lines = run(h, lookups(EVERYONE, referrer_service=REFERRER)).lines
    assert {(ln.order_id, ln.scenario) for ln in lines} == {("O10", "referral"), ("O9", "standard")}


def test_rule_3_referrer_service_is_the_referrers_service_on_the_order_date():
    # C1's service was V1 until 2026-01-01, then V2.
    referrer = {
        "C1": [
            assign("service", "V1", "2025-01-01", "2026-01-01"),
            assign("service", "V2", "2026-01-01"),
        ]
    }
    h = _referred([order("A", "2026-01-05", 10000)])
    lines = run(h, lookups(EVERYONE, referrer_service=referrer)).lines
    assert [(ln.role, ln.staff_id, ln.amount_cents) for ln in lines] == [
        ("sales", "S2", 350),
        ("referrer_service", "V2", 150),
    ]


def test_rule_3_referrer_without_service_gives_its_weight_to_sales():
    # Referral still applies; referrer_service has no participant: sales takes 5.00.
    h = _referred([order("A", "2026-01-05", 10000)])
    lines = run(h, lookups(EVERYONE, referrer_service={})).lines
    assert summary(lines) == [("2026-01", "A", "S2", "sales", "referral", "sale", 500)]
    assert lines[0].absent_roles == ("referrer_service",)


def test_rule_3_referral_beats_inherited():
    # Developer S1 left before the first order: the first order is still referral,
    # the second one inherited.
    people = staff(S1=(None, "2025-06-01"), S2=(None, None), V1=(None, None), V2=(None, None))
    h = _referred(
        [order("A", "2026-01-05", 10000), order("B", "2026-02-05", 10000)], acquired_by="S1"
    )
    lines = run(h, lookups(people, referrer_service=REFERRER)).lines
    assert [(ln.order_id, ln.scenario) for ln in lines] == [
        ("A", "referral"),
        ("A", "referral"),
        ("B", "inherited"),
        ("B", "inherited"),
    ]


def test_rule_3_self_referral_is_not_referral():
    h = history(
        "C1", [order("A", "2026-01-05", 10000)], assignments=STANDARD_ROWS, referred_by="C1"
    )
    lines = run(
        h, lookups(EVERYONE, referrer_service={"C1": [assign("service", "V2", "2025-01-01")]})
    ).lines
    assert {ln.scenario for ln in lines} == {"standard"}


def test_rule_3_first_order_is_first_even_without_a_plan():
    # The first order (2025) has no plan in force: reported, and the later order
    # is not promoted to referral.
    h = _referred([order("A", "2025-06-01", 10000), order("B", "2026-06-01", 10000)])
    result = run(h, lookups(EVERYONE, [plan(effective_from="2026-01-01")], REFERRER))
    assert {(ln.order_id, ln.scenario) for ln in result.lines} == {("B", "standard")}
    assert [e.reason_code for e in result.exceptions] == [NO_PLAN]


def test_rule_3_inherited_from_the_developers_left_on():
    # S1 left 2026-03-01: an order on 2026-02-28 is standard, on 2026-03-01 inherited.
    # 100.00 × 5% = 5.00: standard S2 3.50 / V1 1.50; inherited V1 3.50 / S2 1.50.
    people = staff(S1=(None, "2026-03-01"), S2=(None, None), V1=(None, None))
    rows = [assign("sales", "S2", "2025-01-01"), assign("service", "V1", "2025-01-01")]
    h = history(
        "C9",
        [order("A", "2026-02-28", 10000), order("B", "2026-03-01", 10000)],
        assignments=rows,
        acquired_by="S1",
    )
    assert summary(run(h, lookups(people)).lines) == [
        ("2026-02", "A", "S2", "sales", "standard", "sale", 350),
        ("2026-02", "A", "V1", "service", "standard", "sale", 150),
        ("2026-03", "B", "S2", "sales", "inherited", "sale", 150),
        ("2026-03", "B", "V1", "service", "inherited", "sale", 350),
    ]


def test_rule_3_developer_unknown_or_still_here_is_standard():
    people = staff(S1=(None, None), V1=(None, None))
    for developer in ("S1", "NOBODY", None):
        h = history(
            "C9",
            [order("A", "2026-01-05", 10000)],
            assignments=STANDARD_ROWS,
            acquired_by=developer,
        )
        assert {ln.scenario for ln in run(h, lookups(people)).lines} == {"standard"}


# --------------------------------------------------------------------------- #
# §4 pool and split
# --------------------------------------------------------------------------- #


def test_rule_4_category_rate():
    # equipment at 3%: 1000.00 × 3% = 30.00 → 21.00 / 9.00; parts has no rate: 5% = 50.00.
    plans = [plan(category_rates={"equipment": "0.03"})]
    h = history(
        "C9",
        [order("A", "2026-01-05", 100000, "equipment"), order("B", "2026-01-05", 100000, "parts")],
        assignments=STANDARD_ROWS,
    )
    lines = run(h, lookups(EVERYONE, plans)).lines
    assert [
        (ln.order_id, ln.rate, ln.rate_source, ln.pool_cents, ln.amount_cents) for ln in lines
    ] == [
        ("A", Decimal("0.03"), "category", 3000, 2100),
        ("A", Decimal("0.03"), "category", 3000, 900),
        ("B", Decimal("0.05"), "pool_rate", 5000, 3500),
        ("B", Decimal("0.05"), "pool_rate", 5000, 1500),
    ]


def test_rule_4_renormalise_when_sales_absent():
    # Standard, no sales row: service's 0.3 renormalises to 1; 5.00 → V1.
    h = history(
        "C9", [order("A", "2026-01-05", 10000)], assignments=[assign("service", "V1", "2025-01-01")]
    )
    (line,) = run(h, lookups(EVERYONE)).lines
    assert (line.role, line.amount_cents, line.weight, line.nominal_weight) == (
        "service",
        500,
        Fraction(1),
        Decimal("0.30"),
    )
    assert line.absent_roles == ("sales",)


def test_rule_4_unassigned_when_no_participant():
    # Both owners departed: 3.33 × 5% = 0.1665 → 0.17, one unassigned line.
    people = staff(S1=(None, "2025-01-01"), V1=(None, "2025-01-01"))
    h = history("C9", [order("A", "2026-01-05", 333)], assignments=STANDARD_ROWS)
    assert summary(run(h, lookups(people)).lines) == [
        ("2026-01", "A", "", "unassigned", "standard", "sale", 17)
    ]


def test_rule_4_same_person_in_two_roles_gets_two_lines():
    rows = [assign("sales", "S1", "2025-01-01"), assign("service", "S1", "2025-01-01")]
    h = history("C9", [order("A", "2026-01-05", 100000)], assignments=rows)
    assert [(ln.staff_id, ln.role, ln.amount_cents) for ln in run(h, lookups(EVERYONE)).lines] == [
        ("S1", "sales", 3500),
        ("S1", "service", 1500),
    ]


def test_rule_4_present_role_with_zero_weight_gets_a_zero_line():
    # standard = {sales = "1"}: service is present but weighs 0 → 0.00 line; sales 5.00.
    splits = {
        "standard": {"sales": "1"},
        "inherited": {"service": "0.70", "sales": "0.30"},
        "referral": {"sales": "0.70", "referrer_service": "0.30"},
    }
    h = history("C9", [order("A", "2026-01-05", 10000)], assignments=STANDARD_ROWS)
    lines = run(h, lookups(EVERYONE, [plan(splits=splits)])).lines
    assert [(ln.role, ln.amount_cents, ln.nominal_weight) for ln in lines] == [
        ("sales", 500, Decimal("1")),
        ("service", 0, None),
    ]


def test_rule_4_only_zero_weight_roles_present_is_unassigned():
    splits = {
        "standard": {"sales": "1"},
        "inherited": {"service": "0.70", "sales": "0.30"},
        "referral": {"sales": "0.70", "referrer_service": "0.30"},
    }
    h = history("C9", [order("A", "2026-01-05", 10000)], assignments=STANDARD_ROWS[1:])
    lines = run(h, lookups(EVERYONE, [plan(splits=splits)])).lines
    assert summary(lines) == [("2026-01", "A", "", "unassigned", "standard", "sale", 500)]
    assert lines[0].absent_roles == ("sales",)


def test_rule_4_zero_pool_still_has_sale_lines():
    # 0.09 × 5% = 0.0045 → 0.00: the lines exist with 0.
    h = history("C9", [order("A", "2026-01-05", 9)], assignments=STANDARD_ROWS)
    assert [ln.amount_cents for ln in run(h, lookups(EVERYONE)).lines] == [0, 0]


def test_rule_4_lines_of_an_order_sum_to_its_pool():
    # 333.33 × 5% = 16.67 → 11.67 + 5.00 (11.669 takes the spare cent).
    h = history("C9", [order("A", "2026-01-05", 33333)], assignments=STANDARD_ROWS)
    lines = run(h, lookups(EVERYONE)).lines
    assert [ln.amount_cents for ln in lines] == [1167, 500]
    assert sum(ln.amount_cents for ln in lines) == lines[0].pool_cents == 1667


# --------------------------------------------------------------------------- #
# §5 refunds
# --------------------------------------------------------------------------- #


def test_rule_5_clawback_is_net_difference():
    # 333.33 → pool 16.67 → sales 11.67 / service 5.00.
    # Refund 100.00: net(233.33) pool 11.6665 → 11.67 → 8.169 / 3.501 → 8.17 / 3.50.
    # Clawbacks: sales 8.17 − 11.67 = −3.50, service 3.50 − 5.00 = −1.50.
    h = history(
        "C9",
        [order("A", "2026-01-05", 33333)],
        [refund("R1", "A", "2026-02-01", 10000)],
        STANDARD_ROWS,
    )
    assert summary(run(h, lookups(EVERYONE)).lines) == [
        ("2026-01", "A", "S1", "sales", "standard", "sale", 1167),
        ("2026-02", "A", "S1", "sales", "standard", "clawback", -350),
        ("2026-01", "A", "V1", "service", "standard", "sale", 500),
        ("2026-02", "A", "V1", "service", "standard", "clawback", -150),
    ]


def test_rule_5_full_refund_nets_to_zero():
    # 333.33 refunded as 0.01 + 133.32 + 200.00: each person's lines net to exactly 0.
    h = history(
        "C9",
        [order("A", "2026-01-05", 33333)],
        [
            refund("R3", "A", "2026-03-01", 20000),
            refund("R1", "A", "2026-02-01", 1),
            refund("R2", "A", "2026-02-01", 13332),
        ],
        STANDARD_ROWS,
    )
    lines = run(h, lookups(EVERYONE)).lines
    net: dict[tuple[str, str], int] = defaultdict(int)
    for ln in lines:
        net[(ln.staff_id, ln.role)] += ln.amount_cents
    assert net == {("S1", "sales"): 0, ("V1", "service"): 0}


def test_rule_5_refunds_apply_in_date_then_refund_id_order():
    # 1000.00 → pool 50.00 (35.00 / 15.00). R2 and R10 on the same date: "R10" < "R2".
    # R10 300.00: net(700) = 35.00 → 24.50 / 10.50 ; then R2 100.00: net(600) = 30.00 → 21.00 / 9.00.
    h = history(
        "C9",
        [order("A", "2026-01-05", 100000)],
        [refund("R2", "A", "2026-02-01", 10000), refund("R10", "A", "2026-02-01", 30000)],
        STANDARD_ROWS,
    )
    claws = [
        (ln.role, ln.refund_id, ln.refunded_before_cents, ln.refunded_after_cents, ln.amount_cents)
        for ln in run(h, lookups(EVERYONE)).lines
        if ln.kind == "clawback"
    ]
    assert claws == [
        ("sales", "R10", 0, 30000, -1050),
        ("sales", "R2", 30000, 40000, -350),
        ("service", "R10", 0, 30000, -450),
        ("service", "R2", 30000, 40000, -150),
    ]


def test_rule_5_clawback_stays_with_the_departed_earner():
    # S1 earned the sale in January and left in February; the March refund still claws S1.
    people = staff(S1=(None, "2026-02-01"), V1=(None, None))
    h = history(
        "C9",
        [order("A", "2026-01-05", 100000)],
        [refund("R1", "A", "2026-03-01", 100000)],
        STANDARD_ROWS,
    )
    lines = run(h, lookups(people)).lines
    assert [(ln.staff_id, ln.kind, ln.scenario, ln.period, ln.amount_cents) for ln in lines] == [
        ("S1", "sale", "standard", "2026-01", 3500),
        ("S1", "clawback", "standard", "2026-03", -3500),
        ("V1", "sale", "standard", "2026-01", 1500),
        ("V1", "clawback", "standard", "2026-03", -1500),
    ]


def test_rule_5_clawback_of_the_unassigned_line():
    h = history("C9", [order("A", "2026-01-05", 8000)], [refund("R1", "A", "2026-02-01", 8000)])
    assert summary(run(h, lookups(EVERYONE)).lines) == [
        ("2026-01", "A", "", "unassigned", "standard", "sale", 400),
        ("2026-02", "A", "", "unassigned", "standard", "clawback", -400),
    ]


def test_rule_5_zero_clawback_lines_are_skipped():
    # 100.00 → 5.00; refund 0.01: net(99.99) = 4.9995 → 5.00, nothing changes, no clawback line.
    h = history(
        "C9", [order("A", "2026-01-05", 10000)], [refund("R1", "A", "2026-02-01", 1)], STANDARD_ROWS
    )
    assert [ln.kind for ln in run(h, lookups(EVERYONE)).lines] == ["sale", "sale"]


def test_rule_5_refunds_beyond_the_order_are_capped_and_reported():
    # Invalid input (the importer rejects it): the engine never claws back more than the sale.
    h = history(
        "C9",
        [order("A", "2026-01-05", 10000)],
        [refund("R1", "A", "2026-02-01", 8000), refund("R2", "A", "2026-02-02", 8000)],
        STANDARD_ROWS,
    )
    result = run(h, lookups(EVERYONE))
    assert sum(ln.amount_cents for ln in result.lines) == 0
    assert result.exceptions == [OrderException("A", "C9", D("2026-01-05"), REFUNDS_EXCEED_ORDER)]


def test_refund_of_an_order_not_in_the_history_is_reported():
    h = history(
        "C9",
        [order("A", "2026-01-05", 10000)],
        [refund("R1", "Z", "2026-02-01", 100)],
        STANDARD_ROWS,
    )
    result = run(h, lookups(EVERYONE))
    assert result.exceptions == [
        OrderException("Z", "C9", D("2026-02-01"), REFUND_OF_UNKNOWN_ORDER)
    ]


# --------------------------------------------------------------------------- #
# §6 periods and output shape
# --------------------------------------------------------------------------- #


def test_rule_6_a_line_belongs_to_the_month_of_its_date():
    h = history(
        "C9",
        [order("A", "2026-01-31", 10000)],
        [refund("R1", "A", "2026-02-01", 5000)],
        STANDARD_ROWS,
    )
    assert [(ln.kind, ln.period) for ln in run(h, lookups(EVERYONE)).lines] == [
        ("sale", "2026-01"),
        ("clawback", "2026-02"),
        ("sale", "2026-01"),
        ("clawback", "2026-02"),
    ]


def test_lines_are_ordered_by_order_role_kind_date():
    h = history(
        "C9",
        [order("B", "2026-01-01", 10000), order("A", "2026-03-01", 10000)],
        [refund("R9", "B", "2026-05-01", 5000), refund("R1", "B", "2026-04-01", 2000)],
        STANDARD_ROWS,
    )
    lines = run(h, lookups(EVERYONE)).lines
    assert [(ln.order_id, ln.role, ln.kind, ln.refund_id) for ln in lines] == [
        ("A", "sales", "sale", None),
        ("A", "service", "sale", None),
        ("B", "sales", "sale", None),
        ("B", "sales", "clawback", "R1"),
        ("B", "sales", "clawback", "R9"),
        ("B", "service", "sale", None),
        ("B", "service", "clawback", "R1"),
        ("B", "service", "clawback", "R9"),
    ]


def test_lines_are_frozen_values():
    h = history("C9", [order("A", "2026-01-05", 10000)], assignments=STANDARD_ROWS)
    line = run(h, lookups(EVERYONE)).lines[0]
    assert type(line) is Line
    with pytest.raises(FrozenInstanceError):
        line.amount_cents = 1  # type: ignore[misc]
    assert line == Line(**{f: getattr(line, f) for f in Line.__dataclass_fields__})
    assert hash(line) == hash(Line(**{f: getattr(line, f) for f in Line.__dataclass_fields__}))


def test_customer_without_orders_has_no_lines():
    result = run(history("C9", assignments=STANDARD_ROWS, referred_by="C1"), lookups(EVERYONE))
    assert result.lines == [] and result.exceptions == []
