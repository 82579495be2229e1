"""Reading what the scorecards are computed from: the database's answers,
complaints, orders, customers and ownership ledger, turned into the pure
values of `tandem.service.scoring` (one `PersonFacts` per listed person,
and one for what is credited to nobody).

Everything is read once per export, in a few set-based queries (a year of a
million-order company is read in seconds): the ledger and the customers
whole, the orders of the range, per customer its count of orders in the
trailing year, and for each dissatisfied answer and each complaint the
customer's next sale order (one index probe each). Attribution (who is the
service participant of a customer on a day) and credited revenue (the
participants, scenario and weights of commission-rules §1–§4) are computed
here with the commission rules' own pure functions, so they are the
engine's to the cent."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db import connection

from tandem.commissions import rules as commission
from tandem.commissions.runs import load_plans
from tandem.core.money import pool_cents
from tandem.customers.models import Assignment, Customer
from tandem.sales.models import Order
from tandem.service import scoring
from tandem.service.models import Callback, Complaint, SurveyAnswer
from tandem.service.scoring import Account, Answer, Credit, Period, PersonFacts, Rules
from tandem.staff.models import Staff

_CHUNK = 500
_LISTED_ROLES = (scoring.SERVICE, scoring.SALES)


class _Dates:
    """ISO text (SQLite) or dates (PostgreSQL) to dates, cached."""

    def __init__(self) -> None:
        self.cache: dict[object, dt.date] = {}

    def __call__(self, value: object) -> dt.date:
        found = self.cache.get(value)
        if found is None:
            found = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
            self.cache[value] = found
        return found

    def optional(self, value: object) -> dt.date | None:
        return None if value is None or value == "" else self(value)


def _date(column: str) -> str:
    # On SQLite a bare date column goes through Django's converter; as text
    # it comes back raw and _Dates caches it.
    return column if connection.vendor == "postgresql" else f"CAST({column} AS TEXT)"


def _cents(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST({column} * 100 AS BIGINT)"
    return f"CAST(ROUND({column} * 100) AS INTEGER)"


def _fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(n: int) -> str:
    return ",".join(["%s"] * n)


_ORDERS = Order._meta.db_table
_CUSTOMERS = Customer._meta.db_table
_ASSIGNMENTS = Assignment._meta.db_table
_STAFF = Staff._meta.db_table
_CALLBACKS = Callback._meta.db_table
_SURVEYS = SurveyAnswer._meta.db_table
_COMPLAINTS = Complaint._meta.db_table


# --------------------------------------------------------------------------- #
# The ledger and the customers
# --------------------------------------------------------------------------- #


@dataclass
class Ledger:
    """Every staff member's dates and every customer's assignment rows, by
    role, sorted by ``valid_from``: who the participant of a role is on any
    day (commission-rules §1)."""

    staff: dict[str, commission.StaffActivity]
    rows: dict[str, dict[str, list[commission.Assignment]]]

    def participant(self, customer_id: str, role: str, day: dt.date) -> str | None:
        rows = self.rows.get(customer_id, {}).get(role)
        if not rows:
            return None
        return commission.participant(rows, day, self.staff)


def read_ledger(dates: _Dates) -> Ledger:
    staff = {
        sid: commission.StaffActivity(dates.optional(hired), dates.optional(left))
        for sid, hired, left in _fetch(
            f"SELECT staff_id, {_date('hired_on')}, {_date('left_on')} FROM {_STAFF}"
        )
    }
    rows: dict[str, dict[str, list[commission.Assignment]]] = defaultdict(lambda: defaultdict(list))
    for customer_id, role, staff_id, valid_from, valid_to in _fetch(
        f"SELECT customer_id, role, staff_id, {_date('valid_from')}, {_date('valid_to')} FROM {_ASSIGNMENTS}"
    ):
        rows[customer_id][role].append(
            commission.Assignment(role, staff_id, dates(valid_from), dates.optional(valid_to))
        )
    for by_role in rows.values():
        for role_rows in by_role.values():
            role_rows.sort(key=lambda a: a.valid_from)
    return Ledger(staff, rows)


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    tier: str
    acquired_on: dt.date
    acquired_by: str | None
    referred_by: str | None


def read_customers(dates: _Dates) -> dict[str, CustomerFacts]:
    return {
        cid: CustomerFacts(tier, dates(acquired), by or None, ref or None)
        for cid, tier, acquired, by, ref in _fetch(
            f"SELECT customer_id, tier, {_date('acquired_on')}, acquired_by_id, referred_by_id FROM {_CUSTOMERS}"
        )
    }


# --------------------------------------------------------------------------- #
# People
# --------------------------------------------------------------------------- #


@dataclass
class Person:
    staff_id: str
    role: str
    team: str | None
    answers: list[Answer] = field(default_factory=list)
    complaints: list[scoring.Complaint] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    served: list[Account] = field(default_factory=list)
    inherited: list[Account] = field(default_factory=list)
    referrals: list[str] = field(default_factory=list)
    key_accounts: list[Account] = field(default_factory=list)

    def facts(self) -> PersonFacts:
        return PersonFacts(
            self.staff_id,
            self.role,
            self.team,
            tuple(self.answers),
            tuple(self.complaints),
            tuple(self.credits),
            tuple(self.served),
            tuple(self.inherited),
            tuple(self.referrals),
            tuple(self.key_accounts),
        )


def listed_people(period: Period, staff_ids: Iterable[str] | None = None) -> list[Person]:
    """The staff of role sales or service active on some day of the range
    (optionally only these), by staff_id. A person's team is the team they
    are in now."""
    people = (
        Staff.objects.filter(role__in=_LISTED_ROLES)
        .exclude(hired_on__gt=period.last)
        .exclude(left_on__lte=period.first)
        .order_by("staff_id")
        .values_list("staff_id", "role", "team_id")
    )
    wanted = None if staff_ids is None else set(staff_ids)
    return [
        Person(sid, role, None if team is None else str(team))
        for sid, role, team in people
        if wanted is None or sid in wanted
    ]


# --------------------------------------------------------------------------- #
# Answers and complaints
# --------------------------------------------------------------------------- #


def _next_order_sql(customer: str, day: str) -> str:
    """The customer's first sale order dated after ``day`` (one index probe
    on the orders' customer index)."""
    return (
        f"(SELECT MIN(o.order_date) FROM {_ORDERS} o WHERE o.customer_id = {customer} "
        f"AND o.refund_of_id IS NULL AND o.order_date > {day})"
    )


def read_answers(period: Period, dates: _Dates) -> list[Answer]:
    """The rated answers dated in the range: callbacks with outcome
    satisfied, neutral or dissatisfied, and survey answers. A dissatisfied
    one carries its customer's next sale order (recovery)."""
    answers: list[Answer] = []
    next_for = "CASE WHEN {answer} = 'dissatisfied' THEN {next} END"
    callbacks = (
        f"SELECT c.callback_id, c.customer_id, {_date('c.called_on')}, c.outcome, "
        + next_for.format(answer="c.outcome", next=_next_order_sql("c.customer_id", "c.called_on"))
        + f" FROM {_CALLBACKS} c WHERE c.called_on BETWEEN %s AND %s "
        "AND c.outcome IN ('satisfied', 'neutral', 'dissatisfied')"
    )
    for ident, customer_id, day, outcome, following in _fetch(callbacks, [period.first, period.last]):
        answers.append(Answer(ident, "callback", customer_id, dates(day), outcome, dates.optional(following)))
    surveys = (
        f"SELECT s.survey_id, s.customer_id, {_date('s.answered_on')}, s.answer, "
        + next_for.format(answer="s.answer", next=_next_order_sql("s.customer_id", "s.answered_on"))
        + f" FROM {_SURVEYS} s WHERE s.answered_on BETWEEN %s AND %s"
    )
    for ident, customer_id, day, answer, following in _fetch(surveys, [period.first, period.last]):
        answers.append(Answer(ident, "survey", customer_id, dates(day), answer, dates.optional(following)))
    return answers


def read_complaints(period: Period, dates: _Dates) -> list[scoring.Complaint]:
    sql = (
        f"SELECT k.complaint_id, k.customer_id, {_date('k.opened_on')}, k.severity, k.escalated, "
        f"{_date('k.resolved_on')}, {_next_order_sql('k.customer_id', 'k.opened_on')} "
        f"FROM {_COMPLAINTS} k WHERE k.opened_on BETWEEN %s AND %s"
    )
    return [
        scoring.Complaint(
            ident, customer_id, dates(opened), severity, bool(escalated), dates.optional(resolved),
            dates.optional(following),
        )  # fmt: skip
        for ident, customer_id, opened, severity, escalated, resolved, following in _fetch(
            sql, [period.first, period.last]
        )
    ]


# --------------------------------------------------------------------------- #
# Credited revenue (commission-rules §2–§4)
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class _Sale:
    order_id: str
    customer_id: str
    day: dt.date
    cents: int


class Crediting:
    """Who is credited how much of an order: the participants of the
    scenario's roles on the order's date, their weights renormalised over
    the roles that have one, summed per person (one person may hold two
    roles)."""

    def __init__(self, ledger: Ledger, customers: dict[str, CustomerFacts]) -> None:
        self.ledger = ledger
        self.customers = customers
        self.plans = load_plans()
        self._splits: dict[tuple[object, str, tuple[bool, ...]], commission.Splitter | None] = {}

    def scenario(self, sale: _Sale, first: bool) -> str:
        facts = self.customers[sale.customer_id]
        if facts.referred_by and facts.referred_by != sale.customer_id and first:
            return commission.REFERRAL
        developer = facts.acquired_by
        if developer is not None:
            activity = self.ledger.staff.get(developer)
            if activity is not None and activity.left_on is not None and activity.left_on <= sale.day:
                return commission.INHERITED
        return commission.STANDARD

    def weights(self, sale: _Sale, scenario: str) -> dict[str, Fraction]:
        """staff_id -> weight after renormalisation; empty when the order has
        no plan in force or no role has a participant."""
        compiled = self.plans.compiled_in_force(sale.day)
        if compiled is None:
            return {}
        split = compiled.scenarios[scenario]
        people: list[str | None] = []
        for role in split.roles:
            if role == commission.REFERRER_SERVICE:
                referrer = self.customers[sale.customer_id].referred_by
                people.append(self.ledger.participant(referrer, commission.SERVICE, sale.day) if referrer else None)
            else:
                people.append(self.ledger.participant(sale.customer_id, role, sale.day))
        present = tuple(p is not None for p in people)
        key = (compiled, scenario, present)
        if key not in self._splits:
            self._splits[key] = commission.make_splitter(
                [(role, num, den) for role, (num, den), here in zip(split.roles, split.ratios, present, strict=True) if here]
            )
        splitter = self._splits[key]
        if splitter is None:
            return {}
        held = [p for p in people if p is not None]
        weights: dict[str, Fraction] = {}
        for staff_id, weight in zip(held, splitter.weights, strict=True):
            weights[staff_id] = weights.get(staff_id, Fraction(0)) + weight
        return weights


def _part(scenario: str, first: bool) -> str:
    if scenario == commission.REFERRAL:
        return scoring.REFERRAL
    return scoring.NEW if first else scoring.REPEAT


def read_credits(period: Period, crediting: Crediting, dates: _Dates) -> dict[str, list[Credit]]:
    """staff_id -> the credits of the sale orders dated in the range and of
    the refunds dated in it (each at its order's weights, negative)."""
    sales = [
        _Sale(order_id, customer_id, dates(day), cents)
        for order_id, customer_id, day, cents in _fetch(
            f"SELECT order_id, customer_id, {_date('order_date')}, {_cents('amount')} FROM {_ORDERS} "
            "WHERE refund_of_id IS NULL AND order_date BETWEEN %s AND %s",
            [period.first, period.last],
        )
    ]
    refunds = _fetch(
        f"SELECT r.order_id, {_date('r.order_date')}, {_cents('r.amount')}, o.order_id, o.customer_id, "
        f"{_date('o.order_date')}, {_cents('o.amount')} FROM {_ORDERS} r JOIN {_ORDERS} o ON o.order_id = r.refund_of_id "
        "WHERE r.order_date BETWEEN %s AND %s",
        [period.first, period.last],
    )
    firsts = _first_orders(period, sales, [(oid, cid, dates(day)) for _r, _d, _c, oid, cid, day, _a in refunds])
    credits: dict[str, list[Credit]] = defaultdict(list)
    for sale in sales:
        first = firsts.get(sale.customer_id) == sale.order_id
        scenario = crediting.scenario(sale, first)
        part = _part(scenario, first)
        for staff_id, weight in crediting.weights(sale, scenario).items():
            if weight:
                cents = pool_cents(sale.cents, (weight.numerator, weight.denominator))
                credits[staff_id].append(Credit(sale.order_id, sale.customer_id, sale.day, part, cents, weight))
    for refund_id, refund_day, refund_cents, order_id, customer_id, order_day, order_cents in refunds:
        sale = _Sale(order_id, customer_id, dates(order_day), order_cents)
        first = firsts.get(customer_id) == order_id
        scenario = crediting.scenario(sale, first)
        part = _part(scenario, first)
        for staff_id, weight in crediting.weights(sale, scenario).items():
            if weight:
                cents = pool_cents(refund_cents, (weight.numerator, weight.denominator))
                credits[staff_id].append(
                    Credit(order_id, customer_id, dates(refund_day), part, -cents, weight, refund_id)
                )
    return credits


def _first_orders(
    period: Period, sales: Sequence[_Sale], refunded: Sequence[tuple[str, str, dt.date]]
) -> dict[str, str]:
    """customer_id -> the id of its first sale order (commission-rules §3:
    earliest date, ties by order_id), for the customers whose first order
    is among the orders of the range or the orders refunded in it."""
    firsts: dict[str, str] = {}
    in_range: dict[str, tuple[dt.date, str]] = {}
    for sale in sales:
        key = (sale.day, sale.order_id)
        if sale.customer_id not in in_range or key < in_range[sale.customer_id]:
            in_range[sale.customer_id] = key
    # A customer with no sale order before the range: its first order is the
    # earliest of the range (all of which are read).
    customers = sorted(in_range)
    earlier: set[str] = set()
    for chunk in _chunks(customers):
        earlier.update(
            cid
            for (cid,) in _fetch(
                f"SELECT DISTINCT customer_id FROM {_ORDERS} WHERE customer_id IN ({_marks(len(chunk))}) "
                "AND refund_of_id IS NULL AND order_date < %s",
                [*chunk, period.first],
            )
        )
    for cid, (_day, order_id) in in_range.items():
        if cid not in earlier:
            firsts[cid] = order_id
    # Refunded orders from before the range: asked one by one (few).
    for order_id, customer_id, day in refunded:
        if customer_id in firsts or day >= period.first:
            continue
        (before,) = _fetch(
            f"SELECT COUNT(*) FROM {_ORDERS} WHERE customer_id = %s AND refund_of_id IS NULL "
            "AND (order_date < %s OR (order_date = %s AND order_id < %s))",
            [customer_id, day, day, order_id],
        )[0]
        if before == 0:
            firsts[customer_id] = order_id
    return firsts


# --------------------------------------------------------------------------- #
# Accounts: repeat purchases, inherited accounts, key accounts, referrals
# --------------------------------------------------------------------------- #


def read_year_orders(period: Period) -> dict[str, int]:
    """customer_id -> its sale orders dated in ``[L − 364 days, L]``."""
    return dict(
        _fetch(
            f"SELECT customer_id, COUNT(*) FROM {_ORDERS} WHERE refund_of_id IS NULL "
            "AND order_date BETWEEN %s AND %s GROUP BY customer_id",
            [period.trailing_start, period.last],
        )
    )


def read_inherited(
    period: Period, ledger: Ledger, customers: dict[str, CustomerFacts]
) -> dict[str, list[Account]]:
    """staff_id -> the inherited accounts of the seed: customers whose
    developer left on D with D + 180 days in ``[L − 364, L]``, served by the
    person on D, counted when they ordered in ``[D, D + 180 days)``."""
    window = dt.timedelta(days=scoring.INHERITED_WINDOW_DAYS)
    leavers = {
        sid: activity.left_on
        for sid, activity in ledger.staff.items()
        if activity.left_on is not None and period.trailing_start <= activity.left_on + window <= period.last
    }
    by_day: dict[dt.date, list[tuple[str, str]]] = defaultdict(list)
    for cid, facts in customers.items():
        left_on = leavers.get(facts.acquired_by) if facts.acquired_by else None
        if left_on is None:
            continue
        server = ledger.participant(cid, commission.SERVICE, left_on)
        if server is not None:
            by_day[left_on].append((cid, server))
    accounts: dict[str, list[Account]] = defaultdict(list)
    for left_on, pairs in sorted(by_day.items()):
        ordered: set[str] = set()
        ids = sorted(cid for cid, _server in pairs)
        for chunk in _chunks(ids):
            ordered.update(
                cid
                for (cid,) in _fetch(
                    f"SELECT DISTINCT customer_id FROM {_ORDERS} WHERE customer_id IN ({_marks(len(chunk))}) "
                    "AND refund_of_id IS NULL AND order_date >= %s AND order_date < %s",
                    [*chunk, left_on, left_on + window],
                )
            )
        for cid, server in sorted(pairs):
            accounts[server].append(Account(cid, cid in ordered, left_on))
    return accounts


# --------------------------------------------------------------------------- #
# Everything
# --------------------------------------------------------------------------- #


@dataclass
class Gathered:
    people: list[PersonFacts]
    nobody: PersonFacts | None


def gather(period: Period, rules: Rules, staff_ids: Iterable[str] | None = None) -> Gathered:
    """The facts of every listed person for the range (or of these people
    only — targets then are their medians), and of what no one is credited
    with (None when nothing is)."""
    dates = _Dates()
    people = listed_people(period, staff_ids)
    by_id = {p.staff_id: p for p in people}
    ledger = read_ledger(dates)
    customers = read_customers(dates)
    nobody = Person("", "", None)

    def credited(customer_id: str, day: dt.date) -> Person | None:
        staff_id = ledger.participant(customer_id, commission.SERVICE, day)
        if staff_id is None:
            return nobody
        return by_id.get(staff_id)

    for answer in read_answers(period, dates):
        person = credited(answer.customer_id, answer.day)
        if person is not None and person.role != scoring.SALES:
            person.answers.append(answer)
    for complaint in read_complaints(period, dates):
        person = credited(complaint.customer_id, complaint.opened_on)
        if person is not None and person.role != scoring.SALES:
            person.complaints.append(complaint)

    crediting = Crediting(ledger, customers)
    for staff_id, credits in read_credits(period, crediting, dates).items():
        person = by_id.get(staff_id)
        if person is not None:
            person.credits.extend(credits)

    year = read_year_orders(period)
    last, start = period.last, period.trailing_start
    for cid, facts in customers.items():
        server = ledger.participant(cid, commission.SERVICE, last)
        if server in by_id and by_id[server].role == scoring.SERVICE:
            by_id[server].served.append(Account(cid, year.get(cid, 0) >= 2))
        if facts.tier == "key":
            seller = ledger.participant(cid, commission.SALES, start)
            if seller in by_id and by_id[seller].role == scoring.SALES:
                by_id[seller].key_accounts.append(Account(cid, year.get(cid, 0) >= 1))
        referrer = facts.referred_by
        if referrer and facts.acquired_on in period:
            server = ledger.participant(referrer, commission.SERVICE, facts.acquired_on)
            if server in by_id and by_id[server].role == scoring.SERVICE:
                by_id[server].referrals.append(cid)
    for staff_id, accounts in read_inherited(period, ledger, customers).items():
        person = by_id.get(staff_id)
        if person is not None and person.role == scoring.SERVICE:
            person.inherited.extend(accounts)

    for person in people:
        person.answers.sort(key=lambda a: (a.day, a.ident))
        person.complaints.sort(key=lambda c: (c.opened_on, c.ident))
        person.credits.sort(key=lambda c: (c.day, c.order_id, c.refund_id))
        person.referrals.sort()
    has_nobody = bool(nobody.answers or nobody.complaints)
    return Gathered([p.facts() for p in people], nobody.facts() if has_nobody else None)
