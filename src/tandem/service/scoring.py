"""Scorecards (考核): every figure of spec/service-desk.md's export, as pure
functions over plain values.

No Django here (an import-linter contract keeps it so): the scorecards
layer reads the database into the values below (`PersonFacts`), these
functions turn them into the printed values, the targets and the score,
and the same functions answer the pages' "which answers, orders and
complaints are behind this figure" (`evidence`). Problems with a rules
file come back as codes (`RulesProblem`); the layer that shows them
translates them.

Exactness: counts are ints, ratios are computed as Fractions and rounded
once, money is integer cents, the Wilson bound is computed with Decimal at
50 significant digits, and every rounding goes through
`tandem.core.money.round_half_up` (half away from zero, never "-0")."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import NamedTuple

from tandem.core.money import from_cents, round_half_up

# --------------------------------------------------------------------------- #
# Vocabulary (the exchange files' values)
# --------------------------------------------------------------------------- #

SATISFIED = "satisfied"
NEUTRAL = "neutral"
DISSATISFIED = "dissatisfied"
UNREACHABLE = "unreachable"
RATED = (SATISFIED, NEUTRAL, DISSATISFIED)

HIGH = "high"
NORMAL = "normal"
LOW = "low"
SEVERITIES = (LOW, NORMAL, HIGH)

SERVICE = "service"
SALES = "sales"
ROLES = (SERVICE, SALES)

# Parts of credited revenue.
NEW = "new"
REFERRAL = "referral"
REPEAT = "repeat"

# Kinds of printed value: how a measure is rounded and printed.
COUNT = "count"
RATE = "rate"
MONEY = "money"
POINTS = "points"
SCORE = "score"

_PLACES = {COUNT: 0, POINTS: 0, RATE: 4, MONEY: 2, SCORE: 2}

# The measures of each role, in the spec's order (the export's row order).
SERVICE_MEASURES: tuple[tuple[str, str], ...] = (
    ("answers", COUNT),
    ("satisfied", COUNT),
    ("dissatisfied", COUNT),
    ("csat", RATE),
    ("csat_lower", RATE),
    ("recovered", COUNT),
    ("csat_adjusted_lower", RATE),
    ("complaints", COUNT),
    ("complaints_recovered", COUNT),
    ("complaints_in_sla", COUNT),
    ("sla_rate", RATE),
    ("escalations", COUNT),
    ("escalation_penalty", POINTS),
    ("repeat_rate", RATE),
    ("inherited_retention", RATE),
    ("referrals", COUNT),
    ("credited_revenue", MONEY),
    ("credited_revenue_new", MONEY),
    ("credited_revenue_referral", MONEY),
    ("credited_revenue_repeat", MONEY),
    ("score", SCORE),
)
SALES_MEASURES: tuple[tuple[str, str], ...] = (
    ("credited_revenue", MONEY),
    ("credited_revenue_new", MONEY),
    ("credited_revenue_referral", MONEY),
    ("credited_revenue_repeat", MONEY),
    ("key_retention", RATE),
    ("score", SCORE),
)
# The row set of the answers and complaints credited to nobody.
NOBODY_MEASURES: tuple[tuple[str, str], ...] = SERVICE_MEASURES[:13]  # answers … escalation_penalty

MEASURES: Mapping[str, tuple[tuple[str, str], ...]] = {SERVICE: SERVICE_MEASURES, SALES: SALES_MEASURES}
KIND: Mapping[str, str] = {m: k for measures in (SERVICE_MEASURES, SALES_MEASURES) for m, k in measures}

# Measures that may carry a weight or a fixed target: every measure of the
# role but the score itself and the penalty (which the score subtracts).
NOT_SCORED = frozenset({"score", "escalation_penalty"})


def scored_measures(role: str) -> tuple[str, ...]:
    return tuple(m for m, _kind in MEASURES[role] if m not in NOT_SCORED)


# --------------------------------------------------------------------------- #
# Rules
# --------------------------------------------------------------------------- #

DEFAULT_WEIGHTS: Mapping[str, Mapping[str, Decimal]] = {
    SERVICE: {
        "credited_revenue": Decimal(40),
        "inherited_retention": Decimal(20),
        "repeat_rate": Decimal(10),
        "csat_adjusted_lower": Decimal(20),
        "sla_rate": Decimal(10),
    },
    SALES: {
        "credited_revenue_new": Decimal(50),
        "credited_revenue": Decimal(30),
        "key_retention": Decimal(20),
    },
}
DEFAULT_SLA_DAYS: Mapping[str, int] = {HIGH: 1, NORMAL: 3, LOW: 7}

# Fixed by the spec, not by the rules file.
INHERITED_WINDOW_DAYS = 180
TRAILING_DAYS = 364  # [L − 364 days, L]: a year ending on L
Z = Decimal("1.96")
_WILSON_DIGITS = 50


@dataclass(frozen=True)
class Rules:
    """The scorecard rules (spec: "Rules file"); every field has the spec's
    default. ``weights`` and ``targets`` map a role to measure -> Decimal."""

    recovery_days: int = 90
    escalation_points: int = 2
    escalation_cap: int = 10
    sla_days: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_SLA_DAYS))
    weights: Mapping[str, Mapping[str, Decimal]] = field(
        default_factory=lambda: {role: dict(w) for role, w in DEFAULT_WEIGHTS.items()}
    )
    targets: Mapping[str, Mapping[str, Decimal]] = field(default_factory=lambda: {SERVICE: {}, SALES: {}})


@dataclass(frozen=True)
class RulesProblem:
    """One problem of a rules document: where (a dotted key) and a code.

    Codes: ``unknown_key``, ``not_table``, ``not_integer``, ``negative``,
    ``not_decimal`` (a weight or target that is neither an integer nor a
    quoted decimal), ``float`` (an unquoted decimal: TOML reads it as a
    binary float, inexact), ``unknown_measure``."""

    where: str
    code: str
    value: object = None


_INTEGER_KEYS = ("recovery_days", "escalation_points", "escalation_cap")


def rules_from_document(document: Mapping[str, object]) -> tuple[Rules, list[RulesProblem]]:
    """The rules of a parsed TOML document, and its problems (all of them).

    Every key is optional and a key left out takes its default; a weight
    table names only the measures it changes (set a weight to 0 to leave a
    measure out of the score)."""
    problems: list[RulesProblem] = []
    for key in document:
        if key != "scorecards":
            problems.append(RulesProblem(str(key), "unknown_key"))
    section = document.get("scorecards", {})
    if not isinstance(section, Mapping):
        return Rules(), [*problems, RulesProblem("scorecards", "not_table")]
    values: dict[str, int] = {}
    for key, value in section.items():
        where = f"scorecards.{key}"
        if key in _INTEGER_KEYS:
            number = _non_negative_int(where, value, problems)
            if number is not None:
                values[key] = number
        elif key not in ("sla_days", "weights", "targets"):
            problems.append(RulesProblem(where, "unknown_key"))
    sla_days = dict(DEFAULT_SLA_DAYS)
    sla = section.get("sla_days", {})
    if not isinstance(sla, Mapping):
        problems.append(RulesProblem("scorecards.sla_days", "not_table"))
    else:
        for severity, value in sla.items():
            where = f"scorecards.sla_days.{severity}"
            if severity not in SEVERITIES:
                problems.append(RulesProblem(where, "unknown_key"))
                continue
            number = _non_negative_int(where, value, problems)
            if number is not None:
                sla_days[severity] = number
    weights = {role: dict(w) for role, w in DEFAULT_WEIGHTS.items()}
    targets: dict[str, dict[str, Decimal]] = {SERVICE: {}, SALES: {}}
    for name, into in (("weights", weights), ("targets", targets)):
        table = section.get(name, {})
        if not isinstance(table, Mapping):
            problems.append(RulesProblem(f"scorecards.{name}", "not_table"))
            continue
        for role, measures in table.items():
            at = f"scorecards.{name}.{role}"
            if role not in ROLES:
                problems.append(RulesProblem(at, "unknown_key"))
                continue
            if not isinstance(measures, Mapping):
                problems.append(RulesProblem(at, "not_table"))
                continue
            allowed = scored_measures(role)
            for measure, value in measures.items():
                where = f"{at}.{measure}"
                if measure not in allowed:
                    problems.append(RulesProblem(where, "unknown_measure", measure))
                    continue
                amount = _decimal(where, value, problems, negative_ok=name == "targets")
                if amount is not None:
                    into[role][measure] = amount
    rules = Rules(
        recovery_days=values.get("recovery_days", 90),
        escalation_points=values.get("escalation_points", 2),
        escalation_cap=values.get("escalation_cap", 10),
        sla_days=sla_days,
        weights=weights,
        targets=targets,
    )
    return rules, problems


def _non_negative_int(where: str, value: object, problems: list[RulesProblem]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(RulesProblem(where, "not_integer", value))
        return None
    if value < 0:
        problems.append(RulesProblem(where, "negative", value))
        return None
    return value


def _decimal(where: str, value: object, problems: list[RulesProblem], *, negative_ok: bool) -> Decimal | None:
    if isinstance(value, float):
        problems.append(RulesProblem(where, "float", value))
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        problems.append(RulesProblem(where, "not_decimal", value))
        return None
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        problems.append(RulesProblem(where, "not_decimal", value))
        return None
    if not number.is_finite():
        problems.append(RulesProblem(where, "not_decimal", value))
        return None
    if number < 0 and not negative_ok:
        problems.append(RulesProblem(where, "negative", value))
        return None
    return number


def rules_document(rules: Rules) -> dict[str, object]:
    """The rules as a TOML-shaped document (weights and targets as decimal
    strings): what is stored, and what `rules_from_document` reads back."""
    return {
        "scorecards": {
            "recovery_days": rules.recovery_days,
            "escalation_points": rules.escalation_points,
            "escalation_cap": rules.escalation_cap,
            "sla_days": dict(rules.sla_days),
            "weights": {role: {m: str(w) for m, w in rules.weights.get(role, {}).items()} for role in ROLES},
            "targets": {role: {m: str(t) for m, t in rules.targets.get(role, {}).items()} for role in ROLES},
        }
    }


# --------------------------------------------------------------------------- #
# Periods
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Period:
    """A range of whole calendar months, ``first``..``last`` (both days
    included): the spec's ``P``, with ``L`` its last day."""

    first: date
    last: date

    @classmethod
    def months(cls, start: tuple[int, int], end: tuple[int, int] | None = None) -> Period:
        """The months from ``start`` through ``end`` (year, month)."""
        end = end or start
        last_day = calendar.monthrange(*end)[1]
        return cls(date(start[0], start[1], 1), date(end[0], end[1], last_day))

    @property
    def label(self) -> str:
        """``YYYY-MM``, or ``YYYY-MM..YYYY-MM`` for more than one month."""
        first = f"{self.first.year:04d}-{self.first.month:02d}"
        last = f"{self.last.year:04d}-{self.last.month:02d}"
        return first if first == last else f"{first}..{last}"

    def month_keys(self) -> list[tuple[int, int]]:
        keys = []
        y, m = self.first.year, self.first.month
        while (y, m) <= (self.last.year, self.last.month):
            keys.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return keys

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last

    @property
    def trailing_start(self) -> date:
        """``L − 364 days``."""
        return self.last - timedelta(days=TRAILING_DAYS)


# --------------------------------------------------------------------------- #
# Facts: what the database says about one person (or about nobody)
# --------------------------------------------------------------------------- #


class Answer(NamedTuple):
    """A rated answer credited to the person: a callback with outcome
    satisfied/neutral/dissatisfied, or a survey answer, dated in P.
    ``next_order``: the customer's first sale order dated after ``day``."""

    ident: str
    source: str  # "callback" or "survey"
    customer_id: str
    day: date
    answer: str
    next_order: date | None = None


class Complaint(NamedTuple):
    """A complaint credited to the person, opened in P; ``next_order`` as
    for an answer, after ``opened_on``."""

    ident: str
    customer_id: str
    opened_on: date
    severity: str
    escalated: bool
    resolved_on: date | None = None
    next_order: date | None = None


class Credit(NamedTuple):
    """Credited revenue of one sale order (``refund_id`` empty) or one of
    its refunds dated in P: ``cents`` is ``round_half_up(amount × w)``,
    negative for a refund; ``part`` new, referral or repeat (a refund's
    is its order's)."""

    order_id: str
    customer_id: str
    day: date
    part: str
    cents: int
    weight: Fraction
    refund_id: str = ""


class Account(NamedTuple):
    """A customer in one of the share measures: ``counted`` says whether it
    meets the measure (2+ orders in the year for repeat_rate, an order in
    the window for the retentions). ``since`` is the handover day D of an
    inherited account."""

    customer_id: str
    counted: bool
    since: date | None = None


@dataclass(frozen=True)
class PersonFacts:
    """Everything a person's (or nobody's) scorecard is computed from.
    ``staff_id`` and ``role`` are empty for the answers and complaints
    credited to nobody."""

    staff_id: str
    role: str
    team: str | None = None
    answers: Sequence[Answer] = ()
    complaints: Sequence[Complaint] = ()
    credits: Sequence[Credit] = ()
    served: Sequence[Account] = ()  # repeat_rate
    inherited: Sequence[Account] = ()  # inherited_retention
    referrals: Sequence[str] = ()  # customer ids
    key_accounts: Sequence[Account] = ()  # key_retention


# --------------------------------------------------------------------------- #
# The measures
# --------------------------------------------------------------------------- #


def wilson_lower(satisfied: int, n: int, z: Decimal = Z) -> Decimal | None:
    """The Wilson score interval's lower bound of ``satisfied / n``:
    ``(p + z²/2n − z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n)``, computed with 50
    significant digits (unrounded); None when ``n`` is 0."""
    if n <= 0:
        return None
    if not 0 <= satisfied <= n:
        raise ValueError(f"satisfied {satisfied} of {n}")
    with localcontext() as ctx:
        ctx.prec = _WILSON_DIGITS
        count = Decimal(n)
        p = Decimal(satisfied) / count
        z2 = z * z
        spread = z * (p * (1 - p) / count + z2 / (4 * count * count)).sqrt()
        return (p + z2 / (2 * count) - spread) / (1 + z2 / count)


def _rate(value: Decimal | Fraction | None) -> Decimal | None:
    return None if value is None else round_half_up(value, _PLACES[RATE])


def _share(numerator: int, denominator: int) -> Decimal | None:
    return None if denominator == 0 else _rate(Fraction(numerator, denominator))


def is_recovered(day: date, next_order: date | None, rules: Rules) -> bool:
    """A sale order of the customer dated in ``(day, day + recovery_days]``."""
    return next_order is not None and day < next_order <= day + timedelta(days=rules.recovery_days)


def in_sla(complaint: Complaint, rules: Rules) -> bool:
    """Resolved with ``resolved_on − opened_on ≤`` the severity's SLA days."""
    if complaint.resolved_on is None:
        return False
    return (complaint.resolved_on - complaint.opened_on).days <= rules.sla_days[complaint.severity]


def escalation_penalty(complaints: Iterable[Complaint], period: Period, rules: Rules) -> int:
    """Σ over the calendar months of P of ``min(points × escalations opened
    that month, cap)``."""
    per_month: dict[tuple[int, int], int] = {}
    for c in complaints:
        if c.escalated and c.opened_on in period:
            key = (c.opened_on.year, c.opened_on.month)
            per_month[key] = per_month.get(key, 0) + 1
    return sum(min(rules.escalation_points * n, rules.escalation_cap) for n in per_month.values())


Values = dict[str, Decimal | None]


def satisfaction_values(facts: PersonFacts, period: Period, rules: Rules) -> Values:
    """``answers`` through ``escalation_penalty``."""
    answers = [a for a in facts.answers if a.answer in RATED]
    n = len(answers)
    satisfied = sum(1 for a in answers if a.answer == SATISFIED)
    dissatisfied = sum(1 for a in answers if a.answer == DISSATISFIED)
    recovered = sum(
        1 for a in answers if a.answer == DISSATISFIED and is_recovered(a.day, a.next_order, rules)
    )
    complaints = list(facts.complaints)
    in_time = sum(1 for c in complaints if in_sla(c, rules))
    return {
        "answers": Decimal(n),
        "satisfied": Decimal(satisfied),
        "dissatisfied": Decimal(dissatisfied),
        "csat": _share(satisfied, n),
        "csat_lower": _rate(wilson_lower(satisfied, n)),
        "recovered": Decimal(recovered),
        "csat_adjusted_lower": _rate(wilson_lower(satisfied, n - recovered)),
        "complaints": Decimal(len(complaints)),
        "complaints_recovered": Decimal(
            sum(1 for c in complaints if is_recovered(c.opened_on, c.next_order, rules))
        ),
        "complaints_in_sla": Decimal(in_time),
        "sla_rate": _share(in_time, len(complaints)),
        "escalations": Decimal(sum(1 for c in complaints if c.escalated)),
        "escalation_penalty": Decimal(escalation_penalty(complaints, period, rules)),
    }


def revenue_values(credits: Iterable[Credit]) -> Values:
    """``credited_revenue`` and its three parts."""
    parts = {NEW: 0, REFERRAL: 0, REPEAT: 0}
    for credit in credits:
        parts[credit.part] += credit.cents
    return {
        "credited_revenue": from_cents(sum(parts.values())),
        "credited_revenue_new": from_cents(parts[NEW]),
        "credited_revenue_referral": from_cents(parts[REFERRAL]),
        "credited_revenue_repeat": from_cents(parts[REPEAT]),
    }


def _account_share(accounts: Sequence[Account]) -> Decimal | None:
    return _share(sum(1 for a in accounts if a.counted), len(accounts))


def person_values(facts: PersonFacts, period: Period, rules: Rules) -> Values:
    """Every measure of the person's role but the score, as printed (None:
    nothing to divide by). For nobody (empty role): answers through
    escalation_penalty."""
    if not facts.role:
        return satisfaction_values(facts, period, rules)
    revenue = revenue_values(facts.credits)
    if facts.role == SALES:
        return {**revenue, "key_retention": _account_share(facts.key_accounts)}
    return {
        **satisfaction_values(facts, period, rules),
        "repeat_rate": _account_share(facts.served),
        "inherited_retention": _account_share(facts.inherited),
        "referrals": Decimal(len(facts.referrals)),
        **revenue,
    }


# --------------------------------------------------------------------------- #
# Targets and the score
# --------------------------------------------------------------------------- #


def median(values: Sequence[Decimal]) -> Decimal:
    """The median; of an even count, the mean of the middle two (exact)."""
    if not values:
        raise ValueError("median of nothing")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    low, high = ordered[middle - 1], ordered[middle]
    with localcontext() as ctx:
        ctx.prec = _WILSON_DIGITS
        return (low + high) / 2


def ratio_to_target(value: Decimal, target: Decimal) -> Fraction:
    """``r = min(max(v / t, 0), 1.5)`` for ``t > 0``; for ``t ≤ 0``: 1.5 when
    ``v > 0``, 1 when ``t ≤ v ≤ 0``, else 0."""
    v, t = Fraction(value), Fraction(target)
    if t > 0:
        return min(max(v / t, Fraction(0)), Fraction(3, 2))
    if v > 0:
        return Fraction(3, 2)
    if t <= v <= 0:
        return Fraction(1)
    return Fraction(0)


@dataclass(frozen=True)
class Part:
    """One weighted measure of a score: its value, target (and whether the
    rules fixed it), weight after renormalisation and ratio."""

    measure: str
    value: Decimal
    target: Decimal
    fixed_target: bool
    weight: Fraction
    ratio: Fraction

    @property
    def points(self) -> Fraction:
        return self.weight * self.ratio


@dataclass(frozen=True)
class Card:
    """A person's scorecard (or nobody's, with empty staff_id and role)."""

    staff_id: str
    role: str
    team: str | None
    values: Mapping[str, Decimal | None]
    parts: tuple[Part, ...] = ()
    penalty: int = 0

    @property
    def measures(self) -> tuple[tuple[str, str], ...]:
        return MEASURES[self.role] if self.role else NOBODY_MEASURES

    def value(self, measure: str) -> Decimal | None:
        return self.values.get(measure)


def score(parts: Sequence[Part], penalty: int) -> Decimal | None:
    """``Σ wᵢ·rᵢ − penalty``, rounded half up to 2 decimals; None when no
    weighted measure has a value (nothing to renormalise)."""
    if not parts:
        return None
    return round_half_up(sum((p.points for p in parts), Fraction(0)) - penalty, _PLACES[SCORE])


def _targets(
    cards: Sequence[tuple[PersonFacts, Values]], role: str, measure: str
) -> tuple[dict[str | None, Decimal], Decimal | None]:
    """The team medians of a measure among the listed people of a role who
    have a value for it, and the median of all of them (for people with no
    team)."""
    by_team: dict[str | None, list[Decimal]] = {}
    every: list[Decimal] = []
    for facts, values in cards:
        if facts.role != role:
            continue
        value = values.get(measure)
        if value is None:
            continue
        every.append(value)
        if facts.team is not None:
            by_team.setdefault(facts.team, []).append(value)
    medians = {team: median(values) for team, values in by_team.items()}
    return medians, (median(every) if every else None)


def scorecards(people: Sequence[PersonFacts], period: Period, rules: Rules, nobody: PersonFacts | None = None) -> list[Card]:
    """The scorecards of the listed people (and of nobody, when given), in
    the order given. The default target of a measure is the median of the
    printed values of the listed people of the same role and team who have
    one (of every listed person of the role when the person has no team); a
    target in the rules replaces it."""
    valued = [(facts, person_values(facts, period, rules)) for facts in people]
    medians: dict[tuple[str, str], tuple[dict[str | None, Decimal], Decimal | None]] = {}
    cards: list[Card] = []
    for facts, values in valued:
        weights = rules.weights.get(facts.role, {})
        fixed = rules.targets.get(facts.role, {})
        present = [(m, w) for m, w in weights.items() if values.get(m) is not None]
        total = sum((Fraction(w) for _m, w in present), Fraction(0))
        parts: list[Part] = []
        if total > 0:
            for measure, weight in present:
                value = values[measure]
                assert value is not None
                if measure in fixed:
                    target, is_fixed = fixed[measure], True
                else:
                    key = (facts.role, measure)
                    if key not in medians:
                        medians[key] = _targets(valued, facts.role, measure)
                    by_team, overall = medians[key]
                    found = overall if facts.team is None else by_team.get(facts.team)
                    assert found is not None  # the person's own value is among them
                    target, is_fixed = found, False
                parts.append(
                    Part(measure, value, target, is_fixed, Fraction(weight) * 100 / total, ratio_to_target(value, target))
                )
        penalty = int(values.get("escalation_penalty") or 0) if facts.role == SERVICE else 0
        values = dict(values)
        values["score"] = score(parts, penalty)
        cards.append(Card(facts.staff_id, facts.role, facts.team, values, tuple(parts), penalty))
    if nobody is not None:
        cards.append(Card("", "", None, person_values(nobody, period, rules)))
    return cards


# --------------------------------------------------------------------------- #
# Printing and evidence
# --------------------------------------------------------------------------- #


def format_value(measure: str, value: Decimal | None) -> str:
    """A value as the export prints it: counts and points as integers, rates
    with 4 decimals, money and the score with 2; empty for no value."""
    if value is None:
        return ""
    places = _PLACES[KIND[measure]]
    rounded = round_half_up(value, places)
    return f"{rounded:f}"


@dataclass(frozen=True)
class Evidence:
    """What a figure is made of: the answers, complaints, credits or
    customers it counts (``counted``), out of ``considered``."""

    measure: str
    counted: tuple[object, ...]
    considered: tuple[object, ...]


def evidence(facts: PersonFacts, measure: str, rules: Rules) -> Evidence:
    """The records behind one figure of a scorecard: for a share, the
    records counted and all those considered; for a count or an amount,
    the records it adds up."""
    answers = tuple(a for a in facts.answers if a.answer in RATED)
    dissatisfied = tuple(a for a in answers if a.answer == DISSATISFIED)
    recovered = tuple(a for a in dissatisfied if is_recovered(a.day, a.next_order, rules))
    recovered_ids = {a.ident for a in recovered}
    satisfied = tuple(a for a in answers if a.answer == SATISFIED)
    complaints = tuple(facts.complaints)
    credits = tuple(sorted(facts.credits, key=lambda c: (c.day, c.order_id, c.refund_id)))
    table: dict[str, tuple[tuple[object, ...], tuple[object, ...]]] = {
        "answers": (answers, answers),
        "satisfied": (satisfied, answers),
        "dissatisfied": (dissatisfied, answers),
        "csat": (satisfied, answers),
        "csat_lower": (satisfied, answers),
        "recovered": (recovered, dissatisfied),
        "csat_adjusted_lower": (satisfied, tuple(a for a in answers if a.ident not in recovered_ids)),
        "complaints": (complaints, complaints),
        "complaints_recovered": (
            tuple(c for c in complaints if is_recovered(c.opened_on, c.next_order, rules)),
            complaints,
        ),
        "complaints_in_sla": (tuple(c for c in complaints if in_sla(c, rules)), complaints),
        "sla_rate": (tuple(c for c in complaints if in_sla(c, rules)), complaints),
        "escalations": (tuple(c for c in complaints if c.escalated), complaints),
        "escalation_penalty": (tuple(c for c in complaints if c.escalated), complaints),
        "repeat_rate": (tuple(a for a in facts.served if a.counted), tuple(facts.served)),
        "inherited_retention": (tuple(a for a in facts.inherited if a.counted), tuple(facts.inherited)),
        "key_retention": (tuple(a for a in facts.key_accounts if a.counted), tuple(facts.key_accounts)),
        "referrals": (tuple(facts.referrals), tuple(facts.referrals)),
        "credited_revenue": (credits, credits),
        "credited_revenue_new": (tuple(c for c in credits if c.part == NEW), credits),
        "credited_revenue_referral": (tuple(c for c in credits if c.part == REFERRAL), credits),
        "credited_revenue_repeat": (tuple(c for c in credits if c.part == REPEAT), credits),
    }
    counted, considered = table[measure]
    return Evidence(measure, counted, considered)


__all__ = [
    "COUNT",
    "DISSATISFIED",
    "HIGH",
    "KIND",
    "LOW",
    "MEASURES",
    "MONEY",
    "NEUTRAL",
    "NEW",
    "NOBODY_MEASURES",
    "NORMAL",
    "POINTS",
    "RATE",
    "RATED",
    "REFERRAL",
    "REPEAT",
    "SALES",
    "SALES_MEASURES",
    "SATISFIED",
    "SCORE",
    "SERVICE",
    "SERVICE_MEASURES",
    "UNREACHABLE",
    "Account",
    "Answer",
    "Card",
    "Complaint",
    "Credit",
    "Evidence",
    "Part",
    "Period",
    "PersonFacts",
    "Rules",
    "RulesProblem",
    "escalation_penalty",
    "evidence",
    "format_value",
    "in_sla",
    "is_recovered",
    "median",
    "person_values",
    "ratio_to_target",
    "rules_document",
    "rules_from_document",
    "score",
    "scorecards",
    "wilson_lower",
]
