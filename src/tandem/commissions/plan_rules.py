"""What makes a commission plan valid (spec/commission-rules.md §2,
spec/exchange-format.md), over plain values.

No Django here: the plan file loader, the admin form, the plan service and
the engine's `PlanBook` all check plans with these functions, written in the
scenarios and roles named here. A problem is a code with parameters,
never text; each edge words it in the user's language
(`tandem.commissions.plan_messages`).

A plan arrives as a mapping with the keys of the plan file: ``name``,
``effective_from`` (a date, or its ISO text), ``pool_rate``,
``category_rates`` (optional) and ``splits``; rates and weights are decimal
strings, kept exactly as written.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

# Scenarios (spec §3).
STANDARD = "standard"
INHERITED = "inherited"
REFERRAL = "referral"
SCENARIOS: tuple[str, ...] = (STANDARD, INHERITED, REFERRAL)

# Roles (spec §1, §3, §4).
SALES = "sales"
SERVICE = "service"
REFERRER_SERVICE = "referrer_service"

# The roles each scenario credits, in role order.
SCENARIO_ROLES: Mapping[str, tuple[str, ...]] = {
    STANDARD: (SALES, SERVICE),
    INHERITED: (SALES, SERVICE),
    REFERRAL: (SALES, REFERRER_SERVICE),
}

PLAN_FIELDS = ("name", "effective_from", "pool_rate", "category_rates", "splits")
NAME_MAX = 200
CATEGORY_MAX = 64
POOL_RATE_PLACES = 6  # Plan.pool_rate keeps six decimals
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")

# The problems a plan can have; `params` of each in brackets.
NOT_A_TABLE = "not_a_table"  # the plan is no mapping
UNKNOWN_FIELD = "unknown_field"  # (allowed)
REQUIRED = "required"
TOO_LONG = "too_long"  # (max)
NOT_A_DATE = "not_a_date"
SAME_DATE = "same_date"  # (other: the index of the plan with that date)
RATE_NOT_TEXT = "rate_not_text"
NOT_A_DECIMAL = "not_a_decimal"  # (value)
OUT_OF_RANGE = "out_of_range"  # (value)
TOO_MANY_PLACES = "too_many_places"  # (places)
RATES_NOT_A_TABLE = "rates_not_a_table"
CATEGORY_EMPTY = "category_empty"
CATEGORY_TOO_LONG = "category_too_long"  # (max)
SPLITS_MISSING = "splits_missing"
UNKNOWN_SCENARIO = "unknown_scenario"  # (allowed)
SCENARIO_MISSING = "scenario_missing"
SPLIT_NOT_A_TABLE = "split_not_a_table"
ROLE_NOT_ALLOWED = "role_not_allowed"  # (scenario, allowed)
SPLIT_SUM = "split_sum"  # (scenario, total)

CODES = (
    NOT_A_TABLE,
    UNKNOWN_FIELD,
    REQUIRED,
    TOO_LONG,
    NOT_A_DATE,
    SAME_DATE,
    RATE_NOT_TEXT,
    NOT_A_DECIMAL,
    OUT_OF_RANGE,
    TOO_MANY_PLACES,
    RATES_NOT_A_TABLE,
    CATEGORY_EMPTY,
    CATEGORY_TOO_LONG,
    SPLITS_MISSING,
    UNKNOWN_SCENARIO,
    SCENARIO_MISSING,
    SPLIT_NOT_A_TABLE,
    ROLE_NOT_ALLOWED,
    SPLIT_SUM,
)


@dataclass(frozen=True)
class PlanProblem:
    """``code`` names the rule broken; ``field`` says where in the plan, as
    a dotted path ("pool_rate", "splits.standard.sales"; empty: the plan
    itself); ``params`` holds the values a message about it shows."""

    code: str
    field: str
    params: Mapping[str, str | int] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class PlanSpec:
    """A valid plan: the name trimmed, rates and weights as written."""

    name: str
    effective_from: date
    pool_rate: str
    category_rates: dict[str, str]
    splits: dict[str, dict[str, str]]


@dataclass(frozen=True)
class PlanCheck:
    """One plan checked: its spec when valid, else every problem found."""

    spec: PlanSpec | None
    problems: tuple[PlanProblem, ...]


def plan_check(values: object) -> PlanCheck:
    """Check one plan."""
    return _check(values, 0, {})


def plans_check(plans: Sequence[object]) -> list[PlanCheck]:
    """Check plans given together: each on its own, and no two of them may
    take effect on the same day (a plan is identified by that day)."""
    seen: dict[date, int] = {}
    return [_check(values, i, seen) for i, values in enumerate(plans)]


class _Problems:
    def __init__(self) -> None:
        self.found: list[PlanProblem] = []

    def add(self, code: str, where: str, **params: str | int) -> None:
        self.found.append(PlanProblem(code, where, params))

    def rate(self, where: str, value: object, *, places: int | None = None) -> str | None:
        """A rate or weight: a decimal string between 0 and 1."""
        if not isinstance(value, str):
            self.add(RATE_NOT_TEXT, where)
            return None
        text = value.strip()
        if not _DECIMAL.fullmatch(text):
            self.add(NOT_A_DECIMAL, where, value=value)
            return None
        number = Decimal(text)
        if number > 1:
            self.add(OUT_OF_RANGE, where, value=value)
            return None
        exponent = number.as_tuple().exponent
        if places is not None and isinstance(exponent, int) and -exponent > places:
            self.add(TOO_MANY_PLACES, where, places=places)
            return None
        return text


def _check(values: object, index: int, seen: dict[date, int]) -> PlanCheck:
    if not isinstance(values, Mapping):
        return PlanCheck(None, (PlanProblem(NOT_A_TABLE, ""),))
    check = _Problems()
    for key in values:
        if key not in PLAN_FIELDS:
            check.add(UNKNOWN_FIELD, str(key), allowed=", ".join(PLAN_FIELDS))
    name = values.get("name")
    if not isinstance(name, str) or not name.strip():
        check.add(REQUIRED, "name")
    elif len(name.strip()) > NAME_MAX:
        check.add(TOO_LONG, "name", max=NAME_MAX)
    effective_from = _date(values.get("effective_from"))
    if effective_from is None:
        check.add(NOT_A_DATE, "effective_from")
    elif effective_from in seen:
        check.add(SAME_DATE, "effective_from", other=seen[effective_from])
    else:
        seen[effective_from] = index
    if "pool_rate" not in values:
        check.add(REQUIRED, "pool_rate")
        pool_rate = None
    else:
        pool_rate = check.rate("pool_rate", values["pool_rate"], places=POOL_RATE_PLACES)
    category_rates = _category_rates(check, values.get("category_rates", {}))
    splits = _splits(check, values.get("splits"))
    if check.found or effective_from is None or pool_rate is None or not isinstance(name, str):
        return PlanCheck(None, tuple(check.found))
    spec = PlanSpec(
        name=name.strip(),
        effective_from=effective_from,
        pool_rate=pool_rate,
        category_rates=category_rates,
        splits=splits,
    )
    return PlanCheck(spec, ())


def _date(value: object) -> date | None:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return None
    # A datetime is a date too, but a plan takes effect on a day.
    if isinstance(value, datetime) or not isinstance(value, date):
        return None
    return value


def _category_rates(check: _Problems, raw: object) -> dict[str, str]:
    rates: dict[str, str] = {}
    if not isinstance(raw, Mapping):
        check.add(RATES_NOT_A_TABLE, "category_rates")
        return rates
    for category, rate in raw.items():
        category = str(category)
        where = f"category_rates.{category}"
        if not category.strip():
            check.add(CATEGORY_EMPTY, "category_rates")
            continue
        if len(category) > CATEGORY_MAX:
            check.add(CATEGORY_TOO_LONG, where, max=CATEGORY_MAX)
        value = check.rate(where, rate)
        if value is not None:
            rates[category] = value
    return rates


def _splits(check: _Problems, raw: object) -> dict[str, dict[str, str]]:
    splits: dict[str, dict[str, str]] = {}
    if not isinstance(raw, Mapping):
        check.add(SPLITS_MISSING, "splits")
        return splits
    for scenario in raw:
        if scenario not in SCENARIO_ROLES:
            check.add(UNKNOWN_SCENARIO, f"splits.{scenario}", allowed=", ".join(SCENARIO_ROLES))
    for scenario, roles in SCENARIO_ROLES.items():
        where = f"splits.{scenario}"
        split = raw.get(scenario)
        if split is None:
            check.add(SCENARIO_MISSING, where)
            continue
        if not isinstance(split, Mapping):
            check.add(SPLIT_NOT_A_TABLE, where)
            continue
        weights: dict[str, str] = {}
        complete = True
        for role, weight in split.items():
            if role not in roles:
                check.add(ROLE_NOT_ALLOWED, f"{where}.{role}", scenario=scenario, allowed=", ".join(roles))
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
                check.add(SPLIT_SUM, where, scenario=scenario, total=str(total))
        splits[scenario] = weights
    return splits
