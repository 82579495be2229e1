"""Spec §1, §2 and §4 on the pure rule functions; §1 (who is on the account
on a day) through the engine, which finds participants with code of its own."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from tandem.commissions.plan_rules import PlanProblem
from tandem.commissions.rules import (
    ROLE_ORDER,
    SALES,
    SERVICE,
    PlanBook,
    make_splitter,
    plan_problems,
    split_pool,
)
from tandem.core.money import pool_cents, ratio

from .factories import D, assign, history, lookups, order, plan, run, staff

# --------------------------------------------------------------------------- #
# §1 dates and who is on the account
# --------------------------------------------------------------------------- #


def participant(rows, d, people) -> str | None:
    """The participant of the rows' role on ``d`` as runs find it: the staff
    member compute_customer credits for an order of that day, None when the
    order goes unassigned (the rows are the customer's only ones)."""
    (role,) = {row.role for row in rows}
    (line,) = run(history("C9", [order("P", d.isoformat(), 10000)], assignments=rows), lookups(people)).lines
    assert line.role == (role if line.staff_id else "unassigned")
    return line.staff_id or None


@pytest.mark.parametrize("role", ["sales", "service"])
def test_rule_1_active_from_hired_on_until_the_day_before_left_on(role):
    people = staff(S1=("2024-01-01", "2026-03-01"))
    rows = [assign(role, "S1", "1900-01-01")]
    assert participant(rows, D("2023-12-31"), people) is None
    assert participant(rows, D("2024-01-01"), people) == "S1"
    assert participant(rows, D("2026-02-28"), people) == "S1"
    # left_on is the first day the person no longer works here
    assert participant(rows, D("2026-03-01"), people) is None
    assert participant(rows, D("1900-01-01"), staff(S1=(None, None))) == "S1"


def test_rule_1_assignment_valid_to_is_exclusive():
    people = staff(S1=(None, None), S2=(None, None))
    rows = [assign("sales", "S1", "2025-01-01", "2025-06-01"), assign("sales", "S2", "2025-06-01")]
    assert participant(rows, D("2024-12-31"), people) is None
    assert participant(rows, D("2025-01-01"), people) == "S1"
    assert participant(rows, D("2025-05-31"), people) == "S1"
    assert participant(rows, D("2025-06-01"), people) == "S2"
    assert participant(rows, D("2099-01-01"), people) == "S2"


def test_rule_1_gap_between_rows_has_no_participant():
    people = staff(S1=(None, None), S2=(None, None))
    rows = [assign("sales", "S1", "2025-01-01", "2025-02-01"), assign("sales", "S2", "2025-03-01")]
    assert participant(rows, D("2025-01-31"), people) == "S1"
    assert participant(rows, D("2025-02-01"), people) is None  # valid_to: the row has ended
    assert participant(rows, D("2025-02-15"), people) is None
    assert participant(rows, D("2025-03-01"), people) == "S2"


def test_rule_1_departed_owner_is_no_participant():
    # S1 left 2026-03-01 but the row was never closed.
    people = staff(S1=("2024-01-01", "2026-03-01"))
    rows = [assign("sales", "S1", "2025-05-01")]
    assert participant(rows, D("2026-02-28"), people) == "S1"
    assert participant(rows, D("2026-03-01"), people) is None


def test_rule_1_not_yet_hired_is_no_participant():
    people = staff(S1=("2025-02-01", None))
    rows = [assign("sales", "S1", "2025-01-01")]
    assert participant(rows, D("2025-01-15"), people) is None
    assert participant(rows, D("2025-02-01"), people) == "S1"


def test_rule_1_unknown_staff_is_no_participant():
    rows = [assign("sales", "GHOST", "2025-01-01")]
    assert participant(rows, D("2025-06-01"), {}) is None


# --------------------------------------------------------------------------- #
# §2 the plan in force
# --------------------------------------------------------------------------- #


def test_rule_2_latest_plan_in_force():
    p1900 = plan("默认", "1900-01-01")
    p2026 = plan("2026", "2026-01-01", pool_rate="0.04")
    p2027 = plan("2027", "2027-01-01", pool_rate="0.03")
    book = PlanBook([p2027, p1900, p2026])  # any order
    assert book.in_force(D("1899-12-31")) is None
    assert book.in_force(D("1900-01-01")) is p1900
    assert book.in_force(D("2025-12-31")) is p1900
    assert book.in_force(D("2026-01-01")) is p2026
    assert book.in_force(D("2026-12-31")) is p2026
    assert book.in_force(D("2030-01-01")) is p2027


def test_rule_2_covering_range_ends_where_the_next_plan_starts():
    p1900 = plan("默认", "1900-01-01")
    p2026 = plan("2026", "2026-01-01")
    book = PlanBook([p1900, p2026])
    assert book.covering_range(p1900) == (D("1900-01-01"), D("2026-01-01"))
    assert book.covering_range(p2026) == (D("2026-01-01"), None)


def test_rule_2_no_plan_in_an_empty_book():
    assert PlanBook([]).in_force(D("2026-01-01")) is None


def test_rule_2_a_plan_is_identified_by_its_effective_from():
    with pytest.raises(ValueError, match="两个方案的生效日期相同：2026-01-01"):
        PlanBook([plan("a", "2026-01-01"), plan("b", "2026-01-01")])


def test_rule_2_plan_book_refuses_an_invalid_plan():
    bad = plan(splits={**_default_splits(), "standard": {"sales": "0.70", "service": "0.20"}})
    with pytest.raises(ValueError, match=r"splits\.standard: split_sum \{'scenario': 'standard', 'total': '0\.90'\}"):
        PlanBook([bad])


def _default_splits() -> dict[str, dict[str, str]]:
    return {
        "standard": {"sales": "0.70", "service": "0.30"},
        "inherited": {"service": "0.70", "sales": "0.30"},
        "referral": {"sales": "0.70", "referrer_service": "0.30"},
    }


def test_rule_2_default_plan_is_valid():
    assert plan_problems(plan()) == ()


def test_rule_2_weights_of_a_scenario_sum_to_exactly_one():
    # 0.7 + 0.3000001 is not 1: no tolerance.
    splits = _default_splits()
    splits["standard"] = {"sales": "0.7", "service": "0.3000001"}
    assert plan_problems(plan(splits=splits)) == (
        PlanProblem("split_sum", "splits.standard", {"scenario": "standard", "total": "1.0000001"}),
    )


def test_rule_2_a_scenario_may_leave_a_role_out_with_weight_zero():
    splits = _default_splits()
    splits["standard"] = {"sales": "1"}
    assert plan_problems(plan(splits=splits)) == ()


def test_rule_2_unknown_scenario_and_role_are_rejected():
    splits = _default_splits()
    splits["bonus"] = {"sales": "1"}
    splits["standard"] = {"sales": "0.70", "referrer_service": "0.30"}
    assert plan_problems(plan(splits=splits)) == (
        PlanProblem("unknown_scenario", "splits.bonus", {"allowed": "standard, inherited, referral"}),
        PlanProblem(
            "role_not_allowed",
            "splits.standard.referrer_service",
            {"scenario": "standard", "allowed": "sales, service"},
        ),
    )


def test_rule_2_referral_roles_are_sales_and_referrer_service():
    splits = _default_splits()
    splits["referral"] = {"sales": "0.70", "service": "0.30"}
    assert [(p.code, p.field) for p in plan_problems(plan(splits=splits))] == [
        ("role_not_allowed", "splits.referral.service")
    ]


def test_rule_2_all_three_scenarios_are_required():
    splits = _default_splits()
    del splits["inherited"]
    assert plan_problems(plan(splits=splits)) == (PlanProblem("scenario_missing", "splits.inherited"),)


def test_rule_2_negative_rates_and_weights_are_rejected():
    splits = _default_splits()
    splits["inherited"] = {"service": "1.30", "sales": "-0.30"}
    p = plan(pool_rate="-0.05", category_rates={"equipment": "-0.01"}, splits=splits)
    assert plan_problems(p) == (
        PlanProblem("not_a_decimal", "pool_rate", {"value": "-0.05"}),
        PlanProblem("not_a_decimal", "category_rates.equipment", {"value": "-0.01"}),
        PlanProblem("out_of_range", "splits.inherited.service", {"value": "1.30"}),
        PlanProblem("not_a_decimal", "splits.inherited.sales", {"value": "-0.30"}),
    )


def test_rule_2_rates_above_one_are_rejected():
    assert plan_problems(plan(pool_rate="1.5")) == (PlanProblem("out_of_range", "pool_rate", {"value": "1.5"}),)


def test_rule_2_empty_plan_name_is_rejected():
    assert plan_problems(plan(name=" ")) == (PlanProblem("required", "name"),)


# --------------------------------------------------------------------------- #
# §4 pool and split
# --------------------------------------------------------------------------- #


def test_rule_4_pool_is_rounded_half_up_to_the_cent():
    # 333.33 × 0.05 = 16.6665 → 16.67 ; 0.10 × 0.05 = 0.005 → 0.01 ; 0.09 × 0.05 = 0.0045 → 0.00
    assert pool_cents(33333, ratio("0.05")) == 1667
    assert pool_cents(10, ratio("0.05")) == 1
    assert pool_cents(9, ratio("0.05")) == 0


def test_rule_4_largest_remainder_gives_the_spare_cent_to_the_largest_fraction():
    # Worked example 2: 16.67 × 0.7 = 11.669, × 0.3 = 5.001 → floors 11.66 + 5.00 = 16.66;
    # the spare cent goes to sales (fraction .9 > .1): 11.67 / 5.00.
    assert split_pool(1667, [(SALES, 7, 10), ("referrer_service", 3, 10)]) == [
        (SALES, 1167),
        ("referrer_service", 500),
    ]


def test_rule_4_largest_remainder_tie_goes_to_sales():
    # 0.05 split 50/50: 2.5 cents each; floors 2 + 2, one spare cent, fractions tie → sales.
    assert split_pool(5, [(SALES, 1, 2), (SERVICE, 1, 2)]) == [(SALES, 3), (SERVICE, 2)]
    # Role order, not list order, breaks the tie.
    assert split_pool(5, [(SERVICE, 1, 2), (SALES, 1, 2)]) == [(SERVICE, 2), (SALES, 3)]


def test_rule_4_largest_remainder_tie_goes_to_service_before_referrer_service():
    assert split_pool(1, [("referrer_service", 1, 2), (SERVICE, 1, 2)]) == [
        ("referrer_service", 0),
        (SERVICE, 1),
    ]


def test_rule_4_three_way_tie_follows_role_order():
    # 2 cents over thirds: floors 0/0/0, fractions tie → sales, then service.
    third = (1, 3)
    assert split_pool(2, [("referrer_service", *third), (SERVICE, *third), (SALES, *third)]) == [
        ("referrer_service", 0),
        (SERVICE, 1),
        (SALES, 1),
    ]


def test_rule_4_renormalise_when_sales_absent():
    # Only service present with 0.7: it takes the whole pool.
    assert split_pool(500, [(SERVICE, 7, 10)]) == [(SERVICE, 500)]


def test_rule_4_renormalise_in_proportion_over_the_present_roles():
    # 0.5 / 0.3 present (0.2 absent): 5/8 and 3/8 of 1.00 = 62.5 / 37.5 → tie → sales 63, service 37.
    splitter = make_splitter([(SALES, 5, 10), (SERVICE, 3, 10)])
    assert splitter is not None
    assert splitter.weights == (Fraction(5, 8), Fraction(3, 8))
    assert splitter.split(100) == (63, 37)


def test_rule_4_unassigned_when_no_participant():
    assert split_pool(400, []) == []


def test_rule_4_present_roles_weighing_zero_mean_unassigned():
    assert split_pool(400, [(SERVICE, 0, 1)]) == []


def test_rule_4_a_present_role_weighing_zero_gets_a_zero_share():
    assert split_pool(400, [(SALES, 1, 1), (SERVICE, 0, 1)]) == [(SALES, 400), (SERVICE, 0)]


def test_rule_4_weights_with_different_denominators():
    # 0.333 and 0.667 (thousandths) over 1.00: 33.3 / 66.7 → 33 + 66, spare to .7 → service.
    assert split_pool(100, [(SALES, 333, 1000), (SERVICE, 667, 1000)]) == [
        (SALES, 33),
        (SERVICE, 67),
    ]


def test_rule_4_split_sums_to_the_pool_for_every_pool():
    for pool in range(0, 2000):
        shares = split_pool(pool, [(SALES, 7, 10), (SERVICE, 3, 10)])
        assert sum(c for _, c in shares) == pool


def test_role_order_is_sales_service_referrer_service():
    assert ROLE_ORDER == ("sales", "service", "referrer_service")


def test_plan_ratios_are_exact_integers():
    book = PlanBook([plan(category_rates={"equipment": "0.035"})])
    compiled = book.compiled_in_force(D("2026-01-01"))
    assert compiled is not None
    assert compiled.pool_rate == (Decimal("0.05"), (5, 100))
    assert compiled.rates["equipment"] == (Decimal("0.035"), (35, 1000))
    assert compiled.scenarios["inherited"].ratios == ((30, 100), (70, 100))
