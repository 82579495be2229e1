"""The plan rules over plain values (no database): problems are codes with
parameters, and the shipped default plan passes them."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import tandem.commissions
from tandem.commissions.plan_rules import PlanProblem, PlanSpec, plan_check, plans_check

DEFAULT_PLAN = Path(tandem.commissions.__file__).parent / "default_plan.toml"

SPLITS = {
    "standard": {"sales": "0.70", "service": "0.30"},
    "inherited": {"service": "0.70", "sales": "0.30"},
    "referral": {"sales": "0.70", "referrer_service": "0.30"},
}


def good(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "协作提成方案 2026",
        "effective_from": dt.date(2026, 1, 1),
        "pool_rate": "0.05",
        "splits": {scenario: dict(weights) for scenario, weights in SPLITS.items()},
    }
    values.update(changes)
    return values


def test_the_shipped_default_plan_passes_the_rules():
    (values,) = tomllib.loads(DEFAULT_PLAN.read_text(encoding="utf-8"))["plans"]
    check = plan_check(values)
    assert check.problems == ()
    assert check.spec == PlanSpec(
        name="默认协作方案",
        effective_from=dt.date(1900, 1, 1),
        pool_rate="0.05",
        category_rates={},
        splits=SPLITS,
    )


def test_a_valid_plan_is_kept_as_written():
    check = plan_check(good(name=" 方案 ", effective_from="2026-01-01", category_rates={"equipment": " 0.030 "}))
    assert check.spec == PlanSpec("方案", dt.date(2026, 1, 1), "0.05", {"equipment": "0.030"}, SPLITS)


def test_split_sum_names_the_scenario_and_the_sum():
    values = good()
    values["splits"]["standard"] = {"sales": "0.60", "service": "0.30"}  # type: ignore[index]
    check = plan_check(values)
    assert check.spec is None
    assert check.problems == (
        PlanProblem("split_sum", "splits.standard", {"scenario": "standard", "total": "0.90"}),
    )


def test_problems_of_every_field_in_order():
    check = plan_check(
        {
            "title": "x",
            "name": "",
            "effective_from": dt.datetime(2026, 1, 1, 8, 0),
            "pool_rate": 0.05,
            "category_rates": {"": "0.1", "x" * 65: "0.0001", "parts": "1.01"},
            "splits": {"bonus": {}, "standard": "0.7", "referral": {"service": "1"}},
        }
    )
    assert check.problems == (
        PlanProblem("unknown_field", "title", {"allowed": "name, effective_from, pool_rate, category_rates, splits"}),
        PlanProblem("required", "name"),
        PlanProblem("not_a_date", "effective_from"),
        PlanProblem("rate_not_text", "pool_rate"),
        PlanProblem("category_empty", "category_rates"),
        PlanProblem("category_too_long", "category_rates." + "x" * 65, {"max": 64}),
        PlanProblem("out_of_range", "category_rates.parts", {"value": "1.01"}),
        PlanProblem("unknown_scenario", "splits.bonus", {"allowed": "standard, inherited, referral"}),
        PlanProblem("split_not_a_table", "splits.standard"),
        PlanProblem("scenario_missing", "splits.inherited"),
        PlanProblem(
            "role_not_allowed", "splits.referral.service", {"scenario": "referral", "allowed": "sales, referrer_service"}
        ),
    )


def test_pool_rate_places_name_length_and_missing_parts():
    assert plan_check(good(pool_rate="0.0000001", name="名" * 201)).problems == (
        PlanProblem("too_long", "name", {"max": 200}),
        PlanProblem("too_many_places", "pool_rate", {"places": 6}),
    )
    values = good(category_rates=["equipment"])
    del values["pool_rate"], values["splits"]
    assert plan_check(values).problems == (
        PlanProblem("required", "pool_rate"),
        PlanProblem("rates_not_a_table", "category_rates"),
        PlanProblem("splits_missing", "splits"),
    )
    assert plan_check(good(pool_rate="5%")).problems == (PlanProblem("not_a_decimal", "pool_rate", {"value": "5%"}),)
    assert plan_check("plan").problems == (PlanProblem("not_a_table", ""),)


def test_plans_given_together_may_not_share_a_day():
    checks = plans_check([good(), good(name="b", effective_from="2027-01-01"), good(name="c")])
    assert [c.spec is not None for c in checks] == [True, True, False]
    assert checks[2].problems == (PlanProblem("same_date", "effective_from", {"other": 0}),)

