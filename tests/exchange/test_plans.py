"""`tandem plans load`: validation messages, insert or replace by date,
history, change facts, and the shipped default plan."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal

import pytest
from django.utils import translation

from tandem.commissions.models import Plan
from tandem.core.errors import InvalidInput, TandemError
from tandem.exchange.plans import plans_ensure_default, plans_load
from tests.facts import pending

from ..fixtures import WORKED
from .conftest import clear_dirty, counts

pytestmark = pytest.mark.django_db

GOOD = """\
[[plans]]
name = "协作提成方案 2026"
effective_from = 2026-01-01
pool_rate = "0.05"
category_rates = { equipment = "0.03" }

[plans.splits]
standard  = { sales = "0.70", service = "0.30" }
inherited = { service = "0.70", sales = "0.30" }
referral  = { sales = "0.70", referrer_service = "0.30" }
"""

SPLITS = {
    "standard": {"sales": "0.70", "service": "0.30"},
    "inherited": {"service": "0.70", "sales": "0.30"},
    "referral": {"sales": "0.70", "referrer_service": "0.30"},
}


@pytest.fixture
def plan_file(workdir):
    def _write(text: str, name: str = "plans.toml") -> str:
        (workdir / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return name

    return _write


def load_fails(path: str) -> list[str]:
    before = counts()
    with pytest.raises(InvalidInput) as excinfo:
        plans_load(path)
    assert counts() == before
    return excinfo.value.problems


def test_load_inserts_and_a_second_load_changes_nothing(plan_file):
    result = plans_load(plan_file(GOOD))
    assert (result.plans, result.created, result.updated, result.unchanged) == (1, 1, 0, 0)
    # Beside the shipped default plan, which stays.
    assert list(Plan.objects.values_list("effective_from", flat=True)) == [dt.date(1900, 1, 1), dt.date(2026, 1, 1)]
    plan = Plan.objects.get(effective_from=dt.date(2026, 1, 1))
    assert (plan.name, plan.effective_from, plan.pool_rate) == (
        "协作提成方案 2026",
        dt.date(2026, 1, 1),
        Decimal("0.05"),
    )
    assert plan.category_rates == {"equipment": "0.03"}
    assert plan.splits == SPLITS
    assert result.summary() == "plans.toml：方案 1 个，新增 1，更新 0，未变 0"
    before = counts()
    again = plans_load("plans.toml")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert counts() == before


def test_replacing_a_plan_keeps_history_and_marks_later_orders_dirty(base, plan_file):
    plans_load(plan_file(GOOD))
    clear_dirty()
    plans_load(plan_file(GOOD.replace('pool_rate = "0.05"', 'pool_rate = "0.06"').replace("2026-01-01", "2026-04-01")))
    # A new plan from 2026-04-01: customers with orders on or after it.
    assert set(pending()) == {"C1", "C3", "C4"}
    clear_dirty()
    result = plans_load(plan_file(GOOD.replace('pool_rate = "0.05"', 'pool_rate = "0.04"')))
    assert (result.created, result.updated) == (0, 1)
    assert Plan.objects.get(effective_from=dt.date(2026, 1, 1)).pool_rate == Decimal("0.04")
    assert [h.history_type for h in Plan.history.filter(effective_from=dt.date(2026, 1, 1)).order_by("history_id")] == [
        "+",
        "~",
    ]
    assert set(pending()) == {"C1", "C2", "C3", "C4"}


def test_worked_example_plan_is_the_default_plan_of_a_new_database():
    plan = Plan.objects.get()
    assert (plan.effective_from, plan.pool_rate, plan.splits, plan.category_rates) == (
        dt.date(1900, 1, 1),
        Decimal("0.05"),
        SPLITS,
        {},
    )
    before = counts()
    result = plans_load(str(WORKED / "plans.toml"))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert counts() == before


def test_the_default_plan_is_loaded_again_only_into_a_database_without_plans():
    assert plans_ensure_default() is False
    Plan.objects.all().delete()
    assert plans_ensure_default() is True
    plan = Plan.objects.get()
    assert (plan.effective_from, plan.pool_rate, plan.splits) == (dt.date(1900, 1, 1), Decimal("0.05"), SPLITS)
    assert plan.history.latest().history_change_reason == "plans load default_plan.toml"
    assert plans_ensure_default() is False


def test_a_plan_file_can_replace_the_default_plan(plan_file):
    result = plans_load(plan_file(GOOD.replace("2026-01-01", "1900-01-01")))
    assert (result.created, result.updated) == (0, 1)
    plan = Plan.objects.get()
    assert (plan.name, plan.category_rates) == ("协作提成方案 2026", {"equipment": "0.03"})
    assert [h.history_type for h in Plan.history.order_by("history_id")] == ["+", "~"]
    assert [h.history_change_reason for h in Plan.history.order_by("history_id")] == [
        "default_plan.toml",
        "plans load plans.toml",
    ]


def test_weights_must_sum_to_exactly_one(plan_file):
    path = plan_file(GOOD.replace('standard  = { sales = "0.70", service = "0.30" }', 'standard  = { sales = "0.70", service = "0.31" }'))
    assert load_fails(path) == ["plans.toml: plans[0].splits.standard: 分配比例之和必须恰好为 1，当前为 1.01"]


def test_problems_in_english(plan_file):
    path = plan_file(GOOD.replace('standard  = { sales = "0.70", service = "0.30" }', 'standard  = { sales = "0.70", service = "0.31" }'))
    with translation.override("en"), pytest.raises(InvalidInput) as excinfo:
        plans_load(path)
    assert str(excinfo.value) == "invalid plan file: 1 problem, no plan was written"
    assert excinfo.value.problems == ["plans.toml: plans[0].splits.standard: the weights must add up to exactly 1, not 1.01"]


def test_rates_and_weights_between_zero_and_one_and_strings(plan_file):
    text = GOOD.replace('pool_rate = "0.05"', 'pool_rate = 0.05').replace(
        'category_rates = { equipment = "0.03" }', 'category_rates = { equipment = "1.5", parts = "-0.1" }'
    ).replace('referral  = { sales = "0.70", referrer_service = "0.30" }', 'referral  = { sales = "1.2", referrer_service = "abc" }')
    assert load_fails(plan_file(text)) == [
        'plans.toml: plans[0].pool_rate: 应为用引号括起的小数，如 "0.05"',
        "plans.toml: plans[0].category_rates.equipment: 必须在 0 到 1 之间：「1.5」",
        "plans.toml: plans[0].category_rates.parts: 不是有效的小数：「-0.1」",
        "plans.toml: plans[0].splits.referral.sales: 必须在 0 到 1 之间：「1.2」",
        "plans.toml: plans[0].splits.referral.referrer_service: 不是有效的小数：「abc」",
    ]


def test_scenarios_and_roles(plan_file):
    text = """\
    [[plans]]
    name = "x"
    effective_from = 2026-01-01
    pool_rate = "0.05"

    [plans.splits]
    standard  = { sales = "0.70", referrer_service = "0.30" }
    referral  = { sales = "0.70", service = "0.30" }
    bonus     = { sales = "1" }
    """
    assert load_fails(plan_file(text)) == [
        "plans.toml: plans[0].splits.bonus: 未知的场景（允许：standard, inherited, referral）",
        "plans.toml: plans[0].splits.standard.referrer_service: 该场景不允许此角色（允许：sales, service）",
        "plans.toml: plans[0].splits.inherited: 缺少该场景的分配比例",
        "plans.toml: plans[0].splits.referral.service: 该场景不允许此角色（允许：sales, referrer_service）",
    ]


def test_name_date_category_and_unknown_keys(plan_file):
    text = """\
    [[plans]]
    name = " "
    effective_from = "2026-02-30"
    pool_rates = "0.05"
    category_rates = { "" = "0.03" }

    [plans.splits]
    standard  = { sales = "0.70", service = "0.30" }
    inherited = { service = "0.70", sales = "0.30" }
    referral  = { sales = "0.70", referrer_service = "0.30" }

    [[plans]]
    name = "b"
    effective_from = 2026-01-01
    pool_rate = "0.0500001"

    [plans.splits]
    standard  = { sales = "1" }
    inherited = { service = "1" }
    referral  = { sales = "1" }

    [[plans]]
    name = "c"
    effective_from = 2026-01-01
    pool_rate = "0.05"
    splits = { standard = { sales = "1" }, inherited = { sales = "1" }, referral = { sales = "1" } }
    """
    assert load_fails(plan_file(text)) == [
        "plans.toml: plans[0].pool_rates: 未知的字段（允许：name, effective_from, pool_rate, category_rates, splits）",
        "plans.toml: plans[0].name: 不能为空",
        "plans.toml: plans[0].effective_from: 应为日期，如 2026-01-01",
        "plans.toml: plans[0].pool_rate: 不能为空",
        "plans.toml: plans[0].category_rates: 品类名称不能为空",
        "plans.toml: plans[1].pool_rate: 小数位数不能超过 6 位",
        "plans.toml: plans[2].effective_from: 与 plans[1] 的生效日期相同",
    ]


def test_no_plans_bad_toml_and_missing_file(plan_file):
    assert load_fails(plan_file("title = 'x'\n")) == [
        "plans.toml: title: 未知的字段（方案写在 [[plans]] 中）",
        "plans.toml: plans: 文件中没有方案（[[plans]]）",
    ]
    problems = load_fails(plan_file("[[plans]\n"))
    assert len(problems) == 1 and problems[0].startswith("plans.toml: TOML 语法错误：")
    with pytest.raises(TandemError) as excinfo:
        plans_load("missing.toml")
    assert str(excinfo.value) == "找不到文件：missing.toml"
