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
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from operator import attrgetter
from typing import Any

from django.db import connection

from tandem.commissions import rules as commission
from tandem.commissions.histories import Dates, date_sql, load_plans
from tandem.core.money import pool_cents
from tandem.customers.models import Assignment, Customer
from tandem.sales.models import Order
from tandem.service import scoring
from tandem.service.models import Callback, Complaint, SurveyAnswer
from tandem.service.scoring import Account, Answer, Credit, Period, PersonFacts, Rules
from tandem.staff.models import Staff

_CHUNK = 500
_LISTED_ROLES = (scoring.SERVICE, scoring.SALES)


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


# One role's rows of a customer, ready for date look-ups: the rows' starts
# (sorted) and per row (valid_to, staff_id, the holder's hired_on, left_on).
_Spans = tuple[list[dt.date], list[tuple[dt.date | None, str, dt.date | None, dt.date | None]]]


@dataclass
class Ledger:
    """Every staff member's dates and every customer's assignment rows, by
    role: who the participant of a role is on any day (commission-rules §1:
    the row covering the day, if its holder is active that day)."""

    staff: dict[str, commission.StaffActivity]
    roles: dict[str, dict[str, _Spans]]  # role -> customer_id -> spans

    def participant(self, customer_id: str, role: str, day: dt.date) -> str | None:
        spans = self.roles[role].get(customer_id)
        if spans is None:
            return None
        starts, rows = spans
        i = bisect_right(starts, day)
        if not i:
            return None
        valid_to, staff_id, hired_on, left_on = rows[i - 1]
        if (
            (valid_to is not None and day >= valid_to)
            or (hired_on is not None and day < hired_on)
            or (left_on is not None and day >= left_on)
        ):
            return None
        return staff_id


def read_ledger(dates: Dates) -> Ledger:
    staff = {
        sid: commission.StaffActivity(dates.optional(hired), dates.optional(left))
        for sid, hired, left in _fetch(
            f"SELECT staff_id, {date_sql('hired_on')}, {date_sql('left_on')} FROM {_STAFF}"
        )
    }
    grouped: dict[str, dict[str, list[tuple[dt.date, dt.date | None, str]]]] = {
        commission.SALES: defaultdict(list),
        commission.SERVICE: defaultdict(list),
    }
    for customer_id, role, staff_id, valid_from, valid_to in _fetch(
        f"SELECT customer_id, role, staff_id, {date_sql('valid_from')}, {date_sql('valid_to')} FROM {_ASSIGNMENTS}"
    ):
        grouped[role][customer_id].append((dates(valid_from), dates.optional(valid_to), staff_id))
    roles: dict[str, dict[str, _Spans]] = {}
    for role, by_customer in grouped.items():
        spans: dict[str, _Spans] = {}
        for customer_id, rows in by_customer.items():
            rows.sort(key=lambda row: row[0])
            spans[customer_id] = (
                [valid_from for valid_from, _to, _sid in rows],
                [(valid_to, sid, staff[sid].hired_on, staff[sid].left_on) for _from, valid_to, sid in rows],
            )
        roles[role] = spans
    return Ledger(staff, roles)


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    tier: str
    acquired_on: dt.date
    acquired_by: str | None
    referred_by: str | None


def read_customers(dates: Dates) -> dict[str, CustomerFacts]:
    return {
        cid: CustomerFacts(tier, dates(acquired), by or None, ref or None)
        for cid, tier, acquired, by, ref in _fetch(
            f"SELECT customer_id, tier, {date_sql('acquired_on')}, acquired_by_id, referred_by_id FROM {_CUSTOMERS}"
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


def read_answers(period: Period, dates: Dates) -> list[Answer]:
    """The rated answers dated in the range: callbacks with outcome
    satisfied, neutral or dissatisfied, and survey answers. A dissatisfied
    one carries its customer's next sale order (recovery)."""
    answers: list[Answer] = []
    next_for = "CASE WHEN {answer} = 'dissatisfied' THEN {next} END"
    callbacks = (
        f"SELECT c.callback_id, c.customer_id, {date_sql('c.called_on')}, c.outcome, "
        + next_for.format(answer="c.outcome", next=_next_order_sql("c.customer_id", "c.called_on"))
        + f" FROM {_CALLBACKS} c WHERE c.called_on BETWEEN %s AND %s "
        "AND c.outcome IN ('satisfied', 'neutral', 'dissatisfied')"
    )
    for ident, customer_id, day, outcome, following in _fetch(callbacks, [period.first, period.last]):
        answers.append(Answer(ident, "callback", customer_id, dates(day), outcome, dates.optional(following)))
    surveys = (
        f"SELECT s.survey_id, s.customer_id, {date_sql('s.answered_on')}, s.answer, "
        + next_for.format(answer="s.answer", next=_next_order_sql("s.customer_id", "s.answered_on"))
        + f" FROM {_SURVEYS} s WHERE s.answered_on BETWEEN %s AND %s"
    )
    for ident, customer_id, day, answer, following in _fetch(surveys, [period.first, period.last]):
        answers.append(Answer(ident, "survey", customer_id, dates(day), answer, dates.optional(following)))
    return answers


def read_complaints(period: Period, dates: Dates) -> list[scoring.Complaint]:
    sql = (
        f"SELECT k.complaint_id, k.customer_id, {date_sql('k.opened_on')}, k.severity, k.escalated, "
        f"{date_sql('k.resolved_on')}, {_next_order_sql('k.customer_id', 'k.opened_on')} "
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


# Per role of a scenario: its renormalised weight and that as an integer ratio.
_Share = tuple[Fraction, tuple[int, int]]
_Shares = tuple[_Share, _Share]


class Crediting:
    """Who is credited how much of an order: the participants of the
    scenario's roles on the order's date, their weights renormalised over
    the roles that have one, summed per person (one person may hold two
    roles)."""

    def __init__(self, ledger: Ledger, customers: dict[str, CustomerFacts]) -> None:
        self.ledger = ledger
        self.customers = customers
        self.plans = load_plans()
        # (plan, scenario, which roles have a participant) -> per role its
        # renormalised weight (None: absent), from the commission rules.
        self._credited: dict[tuple[object, str, str | None, str | None], list[tuple[str, Fraction, tuple[int, int]]]] = {}

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

    def weights(self, sale: _Sale, scenario: str) -> list[tuple[str, Fraction, tuple[int, int]]]:
        """(staff_id, weight after renormalisation, the weight as an integer
        ratio) per person credited; empty when the order has no plan in
        force or no role has a participant. Every scenario has two roles
        (commission-rules §2): the first is always the customer's own."""
        compiled = self.plans.compiled_in_force(sale.day)
        if compiled is None:
            return []
        first_role, second_role = compiled.scenarios[scenario].roles
        customer_id, day = sale.customer_id, sale.day
        participant = self.ledger.participant
        first = participant(customer_id, first_role, day)
        if second_role == commission.REFERRER_SERVICE:
            referrer = self.customers[customer_id].referred_by
            second = participant(referrer, commission.SERVICE, day) if referrer else None
        else:
            second = participant(customer_id, second_role, day)
        key = (compiled, scenario, first, second)
        try:
            return self._credited[key]
        except KeyError:
            pass
        shares = self._shares(compiled, scenario, (first is not None, second is not None))
        credited: list[tuple[str, Fraction, tuple[int, int]]] = []
        if shares is not None:
            (w1, r1), (w2, r2) = shares
            if first is not None and first == second:  # one person in both roles
                both = w1 + w2
                credited.append((first, both, (both.numerator, both.denominator)))
            else:
                if first is not None and w1:
                    credited.append((first, w1, r1))
                if second is not None and w2:
                    credited.append((second, w2, r2))
        # Few distinct (plan, scenario, people) in a range: each is worked out once.
        self._credited[key] = credited
        return credited

    @staticmethod
    def _shares(compiled: commission.CompiledPlan, scenario: str, present: tuple[bool, bool]) -> _Shares | None:
        """The renormalised weights of a scenario's two roles when these have a
        participant (the commission rules' splitter); None when none can
        take the order."""
        split = compiled.scenarios[scenario]
        splitter = commission.make_splitter(
            [(role, num, den) for role, (num, den), here in zip(split.roles, split.ratios, present, strict=True) if here]
        )
        if splitter is None:
            return None
        given = iter(splitter.weights)
        zero = (Fraction(0), (0, 1))
        shares = []
        for here in present:
            if here:
                weight = next(given)
                shares.append((weight, (weight.numerator, weight.denominator)))
            else:
                shares.append(zero)
        return (shares[0], shares[1])


def read_credits(
    period: Period, crediting: Crediting, dates: Dates, *, detail: bool = True
) -> dict[str, list[Credit]]:
    """staff_id -> the credits of the sale orders dated in the range and of
    the refunds dated in it (each at its order's weights, negative). Without
    ``detail`` a person's credits are their totals per part (one Credit per
    part, with no order): what an export prints, without a million records."""
    rows = _fetch(
        f"SELECT order_id, customer_id, {date_sql('order_date')}, {_cents('amount')} FROM {_ORDERS} "
        "WHERE refund_of_id IS NULL AND order_date BETWEEN %s AND %s",
        [period.first, period.last],
    )
    if connection.vendor == "postgresql":  # dates already
        sales = [_Sale(*row) for row in rows]
    else:
        sales = [_Sale(order_id, customer_id, dates(day), cents) for order_id, customer_id, day, cents in rows]
    refunds = [
        (refund_id, dates(refund_day), refund_cents, _Sale(order_id, customer_id, dates(order_day), order_cents))
        for refund_id, refund_day, refund_cents, order_id, customer_id, order_day, order_cents in _fetch(
            f"SELECT r.order_id, {date_sql('r.order_date')}, {_cents('r.amount')}, o.order_id, o.customer_id, "
            f"{date_sql('o.order_date')}, {_cents('o.amount')} FROM {_ORDERS} r "
            f"JOIN {_ORDERS} o ON o.order_id = r.refund_of_id WHERE r.order_date BETWEEN %s AND %s",
            [period.first, period.last],
        )
    ]
    firsts = _first_orders(period, sales, [order for _r, _d, _c, order in refunds])
    credits: dict[str, list[Credit]] = defaultdict(list)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    scenario_of, weights_of = crediting.scenario, crediting.weights
    # Sales (sign 1, dated on the order) and refunds (sign -1, on their day),
    # each at its order's scenario and weights.
    items = [(sale, sale.cents, sale.day, 1, "") for sale in sales]
    items += [(order, cents, day, -1, refund_id) for refund_id, day, cents, order in refunds]
    for sale, cents, day, sign, refund_id in items:
        first = firsts.get(sale.customer_id) == sale.order_id
        scenario = scenario_of(sale, first)
        part = scoring.REFERRAL if scenario == commission.REFERRAL else scoring.NEW if first else scoring.REPEAT
        for staff_id, weight, ratio in weights_of(sale, scenario):
            amount = sign * pool_cents(cents, ratio)  # round_half_up(amount × w)
            if detail:
                credits[staff_id].append(Credit(sale.order_id, sale.customer_id, day, part, amount, weight, refund_id))
            else:
                totals[(staff_id, part)] += amount
    for (staff_id, part), amount in totals.items():
        credits[staff_id].append(Credit("", "", period.last, part, amount, Fraction(0)))
    return credits


def _first_orders(period: Period, sales: Sequence[_Sale], refunded: Sequence[_Sale]) -> dict[str, str]:
    """customer_id -> the id of its first sale order (commission-rules §3:
    earliest date, ties by order_id), for the customers whose first order
    is among the orders of the range or the orders refunded in it."""
    in_range: dict[str, tuple[dt.date, str]] = {}
    for sale in sales:
        key = (sale.day, sale.order_id)
        if sale.customer_id not in in_range or key < in_range[sale.customer_id]:
            in_range[sale.customer_id] = key
    # A customer with no sale order before the range: its first order is the
    # earliest of the range (all of which are read). EXISTS stops at the
    # first earlier order it finds in the customer's index.
    earlier: set[str] = set()
    customers = sorted(in_range)
    for chunk in _chunks(customers):
        earlier.update(
            cid
            for (cid,) in _fetch(
                f"SELECT c.customer_id FROM {_CUSTOMERS} c WHERE c.customer_id IN ({_marks(len(chunk))}) "
                f"AND EXISTS (SELECT 1 FROM {_ORDERS} o WHERE o.customer_id = c.customer_id "
                "AND o.refund_of_id IS NULL AND o.order_date < %s)",
                [*chunk, period.first],
            )
        )
    firsts = {cid: order_id for cid, (_day, order_id) in in_range.items() if cid not in earlier}
    # Orders from before the range refunded in it: no earlier sale order.
    before = sorted({order.order_id for order in refunded if order.day < period.first})
    for chunk in _chunks(before):
        for order_id, customer_id in _fetch(
            f"SELECT o.order_id, o.customer_id FROM {_ORDERS} o WHERE o.order_id IN ({_marks(len(chunk))}) "
            f"AND NOT EXISTS (SELECT 1 FROM {_ORDERS} e WHERE e.customer_id = o.customer_id "
            "AND e.refund_of_id IS NULL AND (e.order_date < o.order_date "
            "OR (e.order_date = o.order_date AND e.order_id < o.order_id)))",
            list(chunk),
        ):
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
                    f"SELECT c.customer_id FROM {_CUSTOMERS} c WHERE c.customer_id IN ({_marks(len(chunk))}) "
                    f"AND EXISTS (SELECT 1 FROM {_ORDERS} o WHERE o.customer_id = c.customer_id "
                    "AND o.refund_of_id IS NULL AND o.order_date >= %s AND o.order_date < %s)",
                    [*chunk, left_on, left_on + window],
                )
            )
        for cid, server in sorted(pairs):
            accounts[server].append(Account(cid, cid in ordered, left_on))
    return accounts


# --------------------------------------------------------------------------- #
# Everything
# --------------------------------------------------------------------------- #


# Each person's answers and complaints in date order (the credits, ~10^6 in
# a year, stay as read: `scoring.evidence` orders the ones a page shows).
_ANSWER_ORDER = attrgetter("day", "ident")
_COMPLAINT_ORDER = attrgetter("opened_on", "ident")


@dataclass
class Gathered:
    people: list[PersonFacts]
    nobody: PersonFacts | None


def gather(
    period: Period, rules: Rules, staff_ids: Iterable[str] | None = None, *, detail: bool = True
) -> Gathered:
    """The facts of every listed person for the range (or of these people
    only — targets then are their medians), and of what no one is credited
    with (None when nothing is). Without ``detail`` credited revenue comes
    as totals per part (`read_credits`): the figures are the same, the
    orders behind them are not listed."""
    dates = Dates()
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
    for staff_id, credits in read_credits(period, crediting, dates, detail=detail).items():
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
        person.answers.sort(key=_ANSWER_ORDER)
        person.complaints.sort(key=_COMPLAINT_ORDER)
        person.referrals.sort()
    has_nobody = bool(nobody.answers or nobody.complaints)
    return Gathered([p.facts() for p in people], nobody.facts() if has_nobody else None)
