"""Loading commission plans from TOML (spec/exchange-format.md).

A plan is identified by its ``effective_from``: loading inserts new plans and
replaces those with the same date, through the ORM so the history shows every
change. Rates and weights are decimal strings, kept exactly as written.
Problems are reported as ``file: plans[i].field: reason`` (``i`` counts from
0, as the TOML array does), all of them, and nothing is written when there
is any.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.commissions.models import Plan
from tandem.core.changes import plans_changed
from tandem.core.errors import InvalidInput, TandemError

SCENARIO_ROLES: dict[str, tuple[str, ...]] = {
    "standard": ("sales", "service"),
    "inherited": ("sales", "service"),
    "referral": ("sales", "referrer_service"),
}
PLAN_FIELDS = ("name", "effective_from", "pool_rate", "category_rates", "splits")
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
POOL_RATE_PLACES = 6  # Plan.pool_rate keeps six decimals


@dataclass(frozen=True)
class PlanSpec:
    name: str
    effective_from: dt.date
    pool_rate: str
    category_rates: dict[str, str]
    splits: dict[str, dict[str, str]]


@dataclass
class PlansResult:
    path: str
    plans: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return _(
            "%(file)s：方案 %(count)d 个，新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d"
        ) % {
            "file": self.path,
            "count": self.plans,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


class _Checker:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[str] = []

    def add(self, where: str, reason: str) -> None:
        self.problems.append(f"{self.path}: {where}: {reason}")

    def rate(self, where: str, value: Any, *, places: int | None = None) -> str | None:
        """A rate or weight: a decimal string between 0 and 1."""
        if not isinstance(value, str):
            self.add(where, _("应为用引号括起的小数，如 \"0.05\""))
            return None
        text = value.strip()
        if not _DECIMAL.fullmatch(text):
            self.add(where, _("不是有效的小数：「%(value)s」") % {"value": value})
            return None
        number = Decimal(text)
        if number > 1:
            self.add(where, _("必须在 0 到 1 之间：「%(value)s」") % {"value": value})
            return None
        if places is not None and -number.as_tuple().exponent > places:  # type: ignore[operator]
            self.add(where, _("小数位数不能超过 %(places)d 位") % {"places": places})
            return None
        return text


def parse_plans(path: str, text: str) -> list[PlanSpec]:
    """The plans of a TOML text; raises InvalidInput listing every problem."""
    check = _Checker(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(
            _("方案文件无效"), [f"{path}: " + _("TOML 语法错误：%(error)s") % {"error": exc}]
        ) from exc
    for key in data:
        if key != "plans":
            check.add(key, _("未知的字段（方案写在 [[plans]] 中）"))
    plans = data.get("plans")
    if not isinstance(plans, list) or not plans:
        check.add("plans", _("文件中没有方案（[[plans]]）"))
        raise InvalidInput(_("方案文件无效"), check.problems)
    specs: list[PlanSpec] = []
    seen: dict[dt.date, int] = {}
    for i, plan in enumerate(plans):
        at = f"plans[{i}]"
        if not isinstance(plan, dict):
            check.add(at, _("应为表（[[plans]]）"))
            continue
        before = len(check.problems)
        for key in plan:
            if key not in PLAN_FIELDS:
                check.add(f"{at}.{key}", _("未知的字段（允许：%(allowed)s）") % {"allowed": ", ".join(PLAN_FIELDS)})
        name = plan.get("name")
        if not isinstance(name, str) or not name.strip():
            check.add(f"{at}.name", _("不能为空"))
        elif len(name.strip()) > 200:
            check.add(f"{at}.name", _("长度超过 %(max)d 个字符") % {"max": 200})
        effective_from = plan.get("effective_from")
        if isinstance(effective_from, str):
            try:
                effective_from = dt.date.fromisoformat(effective_from)
            except ValueError:
                pass
        if isinstance(effective_from, dt.datetime) or not isinstance(effective_from, dt.date):
            check.add(f"{at}.effective_from", _("应为日期，如 2026-01-01"))
            effective_from = None
        elif effective_from in seen:
            check.add(
                f"{at}.effective_from",
                _("与 plans[%(other)d] 的生效日期相同") % {"other": seen[effective_from]},
            )
        else:
            seen[effective_from] = i
        if "pool_rate" not in plan:
            check.add(f"{at}.pool_rate", _("不能为空"))
            pool_rate = None
        else:
            pool_rate = check.rate(f"{at}.pool_rate", plan["pool_rate"], places=POOL_RATE_PLACES)
        category_rates: dict[str, str] = {}
        raw_rates = plan.get("category_rates", {})
        if not isinstance(raw_rates, dict):
            check.add(f"{at}.category_rates", _("应为表，如 { equipment = \"0.03\" }"))
        else:
            for category, rate in raw_rates.items():
                where = f"{at}.category_rates.{category}"
                if not category.strip():
                    check.add(f"{at}.category_rates", _("品类名称不能为空"))
                    continue
                if len(category) > 64:
                    check.add(where, _("品类名称长度超过 %(max)d 个字符") % {"max": 64})
                value = check.rate(where, rate)
                if value is not None:
                    category_rates[category] = value
        splits: dict[str, dict[str, str]] = {}
        raw_splits = plan.get("splits")
        if not isinstance(raw_splits, dict):
            check.add(f"{at}.splits", _("缺少分配比例（[plans.splits]）"))
        else:
            for scenario in raw_splits:
                if scenario not in SCENARIO_ROLES:
                    check.add(
                        f"{at}.splits.{scenario}",
                        _("未知的场景（允许：%(allowed)s）") % {"allowed": ", ".join(SCENARIO_ROLES)},
                    )
            for scenario, roles in SCENARIO_ROLES.items():
                where = f"{at}.splits.{scenario}"
                split = raw_splits.get(scenario)
                if split is None:
                    check.add(where, _("缺少该场景的分配比例"))
                    continue
                if not isinstance(split, dict):
                    check.add(where, _("应为表，如 { sales = \"0.70\", service = \"0.30\" }"))
                    continue
                weights: dict[str, str] = {}
                complete = True
                for role, weight in split.items():
                    if role not in roles:
                        check.add(
                            f"{where}.{role}",
                            _("该场景不允许此角色（允许：%(allowed)s）") % {"allowed": ", ".join(roles)},
                        )
                        complete = False
                        continue
                    value = check.rate(f"{where}.{role}", weight)
                    if value is None:
                        complete = False
                    else:
                        weights[role] = value
                if complete:
                    total = sum((Decimal(w) for w in weights.values()), Decimal(0))
                    if total != 1:
                        check.add(
                            where,
                            _("分配比例之和必须恰好为 1，当前为 %(total)s") % {"total": total},
                        )
                splits[scenario] = weights
        if len(check.problems) == before and effective_from is not None and pool_rate is not None:
            specs.append(
                PlanSpec(
                    name=name.strip(),  # type: ignore[union-attr]
                    effective_from=effective_from,
                    pool_rate=pool_rate,
                    category_rates=category_rates,
                    splits=splits,
                )
            )
    if check.problems:
        text = "方案文件无效：共 %(count)d 处错误，没有写入任何方案"
        count = len(check.problems)
        raise InvalidInput(ngettext(text, text, count) % {"count": count}, check.problems)
    return specs


def _same(plan: Plan, spec: PlanSpec) -> bool:
    return (
        plan.name == spec.name
        and Decimal(plan.pool_rate) == Decimal(spec.pool_rate)
        and (plan.category_rates or {}) == spec.category_rates
        and plan.splits == spec.splits
    )


def plans_load_text(text: str, *, path: str) -> PlansResult:
    """Validate and load the plans of a TOML text (``path`` names it in
    messages). Inserts or replaces plans by ``effective_from`` in one
    transaction and marks dirty every customer with an order on or after
    the earliest changed plan."""
    specs = parse_plans(path, text)
    result = PlansResult(path=path, plans=len(specs))
    reason = f"plans load {Path(path).name}"[:100]
    with transaction.atomic():
        existing = {
            p.effective_from: p
            for p in Plan.objects.select_for_update().filter(
                effective_from__in=[s.effective_from for s in specs]
            )
        }
        earliest: dt.date | None = None
        for spec in specs:
            plan = existing.get(spec.effective_from)
            if plan is not None and _same(plan, spec):
                result.unchanged += 1
                continue
            if plan is None:
                plan = Plan(effective_from=spec.effective_from)
                result.created += 1
            else:
                result.updated += 1
            plan.name = spec.name
            plan.pool_rate = Decimal(spec.pool_rate)
            plan.category_rates = spec.category_rates
            plan.splits = spec.splits
            plan._change_reason = reason  # type: ignore[attr-defined]
            plan.save()
            if earliest is None or spec.effective_from < earliest:
                earliest = spec.effective_from
        if earliest is not None:
            plans_changed(earliest)
    return result


def plans_load(path: str) -> PlansResult:
    """Load a plan file (see ``plans_load_text``)."""
    p = Path(path)
    if not p.is_file():
        raise TandemError(_("找不到文件：%(file)s") % {"file": path})
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TandemError(_("%(file)s: 文件不是 UTF-8 编码") % {"file": path}) from exc
    return plans_load_text(text, path=path)


def default_plan_text() -> str:
    return (resources.files("tandem.commissions") / "default_plan.toml").read_text(encoding="utf-8")


def plans_ensure_default() -> bool:
    """Load the shipped default plan when no plan exists; True if it did."""
    if Plan.objects.exists():
        return False
    plans_load_text(default_plan_text(), path="default_plan.toml")
    return True
