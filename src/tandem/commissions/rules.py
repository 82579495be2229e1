"""The commission rules of spec/commission-rules.md as pure values and functions.

No Django here: the engine, the live preview and the plan simulation all use
these over plain values. Money is integer cents; rates and weights are exact
integer ratios taken once per plan from ``tandem.core.money.ratio``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from math import lcm

from tandem.core.money import ratio

# The scenarios (spec §3) and roles (spec §1, §3, §4) a plan is written in,
# with the roles each scenario credits; named here for the engine too.
from .plan_rules import INHERITED as INHERITED
from .plan_rules import REFERRAL as REFERRAL
from .plan_rules import REFERRER_SERVICE as REFERRER_SERVICE
from .plan_rules import SALES as SALES
from .plan_rules import SCENARIO_ROLES as SCENARIO_ROLES
from .plan_rules import SCENARIOS as SCENARIOS
from .plan_rules import SERVICE as SERVICE
from .plan_rules import STANDARD as STANDARD
from .plan_rules import PlanProblem, plan_check

UNASSIGNED = "unassigned"
ROLE_ORDER: tuple[str, ...] = (SALES, SERVICE, REFERRER_SERVICE)
# Rank used to order lines of one order; the unassigned line comes last.
ROLE_RANK: Mapping[str, int] = {SALES: 0, SERVICE: 1, REFERRER_SERVICE: 2, UNASSIGNED: 3}

ONE = Fraction(1)


# --------------------------------------------------------------------------- #
# Staff and assignments (spec §1)
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class StaffActivity:
    """When a staff member works for the company; ``left_on`` is the first day
    they no longer do."""

    hired_on: date | None
    left_on: date | None

    def is_active(self, d: date) -> bool:
        if self.hired_on is not None and d < self.hired_on:
            return False
        return self.left_on is None or d < self.left_on


@dataclass(frozen=True, slots=True)
class Assignment:
    """``staff_id`` holds ``role`` on a customer for ``valid_from <= d < valid_to``."""

    role: str
    staff_id: str
    valid_from: date
    valid_to: date | None


def assignment_on(assignments: Sequence[Assignment], d: date) -> Assignment | None:
    """The assignment row covering ``d`` among rows of one role sorted by
    ``valid_from`` (rows of one role never overlap)."""
    lo, hi = 0, len(assignments)
    while lo < hi:  # bisect_right on valid_from, without building a key list
        mid = (lo + hi) // 2
        if d < assignments[mid].valid_from:
            hi = mid
        else:
            lo = mid + 1
    if lo == 0:
        return None
    row = assignments[lo - 1]
    if row.valid_to is not None and d >= row.valid_to:
        return None
    return row


def participant(
    assignments: Sequence[Assignment], d: date, staff: Mapping[str, StaffActivity]
) -> str | None:
    """The participant of a role on ``d`` (spec §1): the staff member of the
    role's assignment on ``d`` if that person is active on ``d``, else None.
    A staff id missing from ``staff`` counts as not active."""
    row = assignment_on(assignments, d)
    if row is None:
        return None
    activity = staff.get(row.staff_id)
    if activity is None or not activity.is_active(d):
        return None
    return row.staff_id


# --------------------------------------------------------------------------- #
# Plans (spec §2)
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    effective_from: date
    pool_rate: Decimal
    category_rates: Mapping[str, Decimal]
    splits: Mapping[str, Mapping[str, Decimal]]


@dataclass(frozen=True, slots=True)
class ScenarioSplit:
    """A scenario's weights in one plan: per role in role order, the nominal
    Decimal (None when the plan does not name the role, which then weighs 0)
    and the exact integer ratio."""

    roles: tuple[str, ...]
    nominal: tuple[Decimal | None, ...]
    ratios: tuple[tuple[int, int], ...]

    @property
    def named(self) -> tuple[tuple[str, Decimal], ...]:
        """(role, weight) for the roles the plan names, in role order."""
        return tuple((r, w) for r, w in zip(self.roles, self.nominal, strict=True) if w is not None)


@dataclass(frozen=True, slots=True, eq=False)
class CompiledPlan:
    """A valid plan with its rates and weights as integer ratios, ready for the
    hot path. ``rates`` maps a category to (Decimal, ratio)."""

    plan: Plan
    pool_rate: tuple[Decimal, tuple[int, int]]
    rates: Mapping[str, tuple[Decimal, tuple[int, int]]]
    scenarios: Mapping[str, ScenarioSplit]
    # Engine-side memo: (scenario, roles present) -> split facts. Filled lazily.
    memo: dict[object, object] = field(default_factory=dict, repr=False)


def plan_problems(plan: Plan) -> tuple[PlanProblem, ...]:
    """The problems of a plan (`plan_rules`, the rules every writer checks),
    its Decimals written out as a plan file writes them."""
    values = {
        "name": plan.name,
        "effective_from": plan.effective_from,
        "pool_rate": _text(plan.pool_rate),
        "category_rates": {category: _text(rate) for category, rate in plan.category_rates.items()},
        "splits": {
            scenario: {role: _text(weight) for role, weight in weights.items()}
            for scenario, weights in plan.splits.items()
        },
    }
    return plan_check(values).problems


def _text(value: object) -> object:
    return format(value, "f") if isinstance(value, Decimal) else value


def compile_plan(plan: Plan) -> CompiledPlan:
    problems = plan_problems(plan)
    if problems:
        # Every writer checks plans with the same rules: this is a plan
        # written around Tandem, reported by its problems' codes.
        found = "; ".join(f"{p.field or '-'}: {p.code} {dict(p.params)}" for p in problems)
        raise ValueError(f"invalid plan {plan.name!r} from {plan.effective_from}: {found}")
    pool_rate = Decimal(plan.pool_rate)
    rates = {
        category: (Decimal(rate), ratio(Decimal(rate)))
        for category, rate in plan.category_rates.items()
    }
    scenarios = {}
    for scenario, roles in SCENARIO_ROLES.items():
        split = plan.splits[scenario]
        nominal = tuple(Decimal(split[role]) if role in split else None for role in roles)
        ratios = tuple(ratio(w) if w is not None else (0, 1) for w in nominal)
        scenarios[scenario] = ScenarioSplit(roles, nominal, ratios)
    return CompiledPlan(plan, (pool_rate, ratio(pool_rate)), rates, scenarios)


class PlanBook:
    """The plans of a company, answering which plan is in force on a date.

    Raises ValueError when a plan is invalid or two plans share an
    ``effective_from`` (a plan is identified by that date)."""

    __slots__ = ("_compiled", "_starts", "_by_date")

    def __init__(self, plans: Iterable[Plan]) -> None:
        ordered = sorted(plans, key=lambda p: p.effective_from)
        starts = [p.effective_from for p in ordered]
        for previous, current in zip(starts, starts[1:], strict=False):
            if previous == current:
                raise ValueError(f"两个方案的生效日期相同：{current.isoformat()}")
        self._compiled: list[CompiledPlan] = [compile_plan(p) for p in ordered]
        self._starts: list[date] = starts
        self._by_date: dict[date, CompiledPlan | None] = {}

    @property
    def plans(self) -> list[Plan]:
        return [c.plan for c in self._compiled]

    def compiled_in_force(self, d: date) -> CompiledPlan | None:
        try:
            return self._by_date[d]
        except KeyError:
            pass
        i = bisect_right(self._starts, d)
        found = self._compiled[i - 1] if i else None
        self._by_date[d] = found
        return found

    def in_force(self, d: date) -> Plan | None:
        """The plan with the latest ``effective_from <= d``, or None."""
        compiled = self.compiled_in_force(d)
        return compiled.plan if compiled is not None else None

    def covering_range(self, plan: Plan) -> tuple[date, date | None]:
        """The dates ``[from, to_exclusive)`` on which ``plan`` is in force;
        ``to_exclusive`` is None for the latest plan."""
        for i, compiled in enumerate(self._compiled):
            if compiled.plan is plan or compiled.plan.effective_from == plan.effective_from:
                following = self._starts[i + 1] if i + 1 < len(self._starts) else None
                return plan.effective_from, following
        raise KeyError(plan.name)


# --------------------------------------------------------------------------- #
# Pool and split (spec §4)
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True, eq=False)
class Splitter:
    """A renormalised split over the roles that have a participant.

    ``shares[i] / total`` is role i's weight after renormalisation; ``ranks``
    break remainder ties in role order. Build once, apply to many pools."""

    roles: tuple[str, ...]
    shares: tuple[int, ...]
    total: int
    ranks: tuple[int, ...]
    weights: tuple[Fraction, ...]

    def split(self, pool: int) -> tuple[int, ...]:
        """Cents per role (in ``roles`` order); the result sums to ``pool``."""
        total = self.total
        shares = self.shares
        n = len(shares)
        if n == 1:
            return (pool,)
        if n == 2:  # every scenario has two roles: the common case, unrolled
            a, ra = divmod(pool * shares[0], total)
            b, rb = divmod(pool * shares[1], total)
            if a + b == pool:
                return (a, b)
            # one cent left: the larger remainder, else the earlier role
            ranks = self.ranks
            if ra > rb or (ra == rb and ranks[0] < ranks[1]):
                return (a + 1, b)
            return (a, b + 1)
        floors = []
        rems = []
        for share in shares:
            q, r = divmod(pool * share, total)
            floors.append(q)
            rems.append(r)
        left = pool - sum(floors)
        if left:
            ranks = self.ranks
            order = sorted(range(len(shares)), key=lambda i: (-rems[i], ranks[i]))
            for i in order[:left]:
                floors[i] += 1
        return tuple(floors)


def make_splitter(weights: Sequence[tuple[str, int, int]]) -> Splitter | None:
    """A splitter for ``(role, num, den)`` weights of the roles that have a
    participant; None when there is none or their weights sum to 0 (the caller
    then credits the whole pool to one ``unassigned`` line)."""
    if not weights:
        return None
    common = lcm(*(den for _, _, den in weights))
    shares = tuple(num * (common // den) for _, num, den in weights)
    total = sum(shares)
    if total == 0:
        return None
    roles = tuple(role for role, _, _ in weights)
    ranks = tuple(ROLE_RANK.get(role, len(ROLE_RANK)) for role in roles)
    fractions = tuple(Fraction(share, total) for share in shares)
    return Splitter(roles, shares, total, ranks, fractions)


def split_pool(pool_cents: int, weights: Sequence[tuple[str, int, int]]) -> list[tuple[str, int]]:
    """Split ``pool_cents`` over the roles with a participant (spec §4).

    Weights are renormalised over the given roles; each role gets
    ``floor(pool * weight)`` and the cents left over go one each to the
    largest fractional parts, ties in role order (sales, service,
    referrer_service). Returns [] when no role can take the pool (no role, or
    weights summing to 0): the caller emits one ``unassigned`` line."""
    splitter = make_splitter(weights)
    if splitter is None:
        return []
    return list(zip(splitter.roles, splitter.split(pool_cents), strict=True))
