"""The words for the problems of `tandem.commissions.plan_rules`, in the
active language (zh-Hans; English through the catalog in locale/en). The
plan file loader, the admin and the pages all word a problem here, so they
say the same thing."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import plan_rules as r

_REASONS: dict[str, Promise] = {
    r.NOT_A_TABLE: _("应为表（[[plans]]）"),
    r.UNKNOWN_FIELD: _("未知的字段（允许：%(allowed)s）"),
    r.REQUIRED: _("不能为空"),
    r.TOO_LONG: _("长度超过 %(max)d 个字符"),
    r.NOT_A_DATE: _("应为日期，如 2026-01-01"),
    r.SAME_DATE: _("与 plans[%(other)d] 的生效日期相同"),
    r.RATE_NOT_TEXT: _('应为用引号括起的小数，如 "0.05"'),
    r.NOT_A_DECIMAL: _("不是有效的小数：「%(value)s」"),
    r.OUT_OF_RANGE: _("必须在 0 到 1 之间：「%(value)s」"),
    r.TOO_MANY_PLACES: _("小数位数不能超过 %(places)d 位"),
    r.RATES_NOT_A_TABLE: _('应为表，如 { equipment = "0.03" }'),
    r.CATEGORY_EMPTY: _("品类名称不能为空"),
    r.CATEGORY_TOO_LONG: _("品类名称长度超过 %(max)d 个字符"),
    r.SPLITS_MISSING: _("缺少分配比例（[plans.splits]）"),
    r.UNKNOWN_SCENARIO: _("未知的场景（允许：%(allowed)s）"),
    r.SCENARIO_MISSING: _("缺少该场景的分配比例"),
    r.SPLIT_NOT_A_TABLE: _('应为表，如 { sales = "0.70", service = "0.30" }'),
    r.ROLE_NOT_ALLOWED: _("该场景不允许此角色（允许：%(allowed)s）"),
    r.SPLIT_SUM: _("分配比例之和必须恰好为 1，当前为 %(total)s"),
}


def plan_problem_reason(problem: r.PlanProblem) -> str:
    """The reason alone, without where it is."""
    return str(_REASONS[problem.code]) % dict(problem.params)


def plan_problem_text(problem: r.PlanProblem, *, plan: str = "") -> str:
    """``plan.field: reason``, e.g. ``plans[0].splits.standard: ...``; the
    plan's own problems name the plan alone."""
    where = ".".join(part for part in (plan, problem.field) if part)
    reason = plan_problem_reason(problem)
    return f"{where}: {reason}" if where else reason


def plans_problems_text(checks: Sequence[r.PlanCheck]) -> list[str]:
    """Every problem of plans given together, as ``plans[i].field: reason``."""
    return [
        plan_problem_text(problem, plan=f"plans[{i}]")
        for i, check in enumerate(checks)
        for problem in check.problems
    ]
