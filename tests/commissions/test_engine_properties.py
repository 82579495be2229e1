"""Properties of the engine over random histories and plans (spec §4, §5)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.commissions.engine import (
    CLAWBACK,
    NO_PLAN,
    SALE,
    CustomerHistory,
    Line,
    Lookups,
    Order,
    Refund,
    compute_customer,
    compute_customer_as,
)
from tandem.commissions.rules import (
    ROLE_RANK,
    Assignment,
    Plan,
    PlanBook,
    StaffActivity,
    split_pool,
)
from tandem.core.money import pool_cents, ratio

PROPERTY = settings(max_examples=200, deadline=None)

DAY0 = date(2024, 1, 1)
SPAN = 900
STAFF_IDS = ("S1", "S2", "S3", "V1", "V2")

offsets = st.integers(0, SPAN)
days = offsets.map(lambda n: DAY0 + timedelta(days=n))
optional_days = st.none() | days

# Strategies are built once here: building them inside draws is slow.
staff_tables = st.dictionaries(
    st.sampled_from(STAFF_IDS), st.builds(StaffActivity, optional_days, optional_days)
)


def _rows(role: str, spec: tuple[list[tuple[int, str | None]], int | None]) -> list[Assignment]:
    """Non-overlapping rows from (start, staff or None for a gap) and the last row's length."""
    starts, last_length = spec
    starts = sorted({start: who for start, who in starts}.items())
    rows = []
    for i, (start, who) in enumerate(starts):
        if i + 1 < len(starts):
            end: int | None = starts[i + 1][0]
        else:
            end = None if last_length is None else start + last_length
        if who is not None:
            rows.append(
                Assignment(
                    role,
                    who,
                    DAY0 + timedelta(days=start),
                    None if end is None else DAY0 + timedelta(days=end),
                )
            )
    return rows


_row_specs = st.tuples(
    st.lists(st.tuples(offsets, st.sampled_from((*STAFF_IDS, None))), max_size=3),
    st.none() | st.integers(1, 400),
)
sales_rows = _row_specs.map(lambda spec: _rows("sales", spec))
service_rows = _row_specs.map(lambda spec: _rows("service", spec))

weights = st.integers(0, 1000).map(lambda k: Decimal(k).scaleb(-3))
rates = st.integers(0, 2000).map(lambda k: Decimal(k).scaleb(-4))
category_rates = st.dictionaries(st.sampled_from(["a", "b"]), rates, max_size=2)


def _splits(ws: tuple[Decimal, Decimal, Decimal]) -> dict[str, dict[str, Decimal]]:
    standard, inherited, referral = ws
    return {
        "standard": {"sales": standard, "service": 1 - standard},
        "inherited": {"service": inherited, "sales": 1 - inherited},
        "referral": {"sales": referral, "referrer_service": 1 - referral},
    }


splits = st.tuples(weights, weights, weights).map(_splits)


def _plan_list(spec) -> list[Plan]:
    specs, from_1900 = spec
    specs = sorted(specs, key=lambda t: t[0])
    if from_1900:
        specs[0] = (date(1900, 1, 1), *specs[0][1:])
    return [Plan(f"P{i}", *fields) for i, fields in enumerate(specs)]


plan_lists = st.tuples(
    st.lists(
        st.tuples(days, rates, category_rates, splits),
        min_size=1,
        max_size=3,
        unique_by=lambda t: t[0],
    ),
    st.booleans(),
).map(_plan_list)

order_specs = st.lists(
    st.tuples(
        st.sampled_from([f"O{i}" for i in range(12)]),
        days,
        st.integers(0, 10**8) | st.integers(0, 5000),
        st.sampled_from([None, "a", "b", "c"]),
        # refunds: (percent of what is left, days after the order)
        st.lists(st.tuples(st.integers(0, 100), st.integers(0, 120)), max_size=2),
        st.integers(0, 120),
    ),
    max_size=5,
    unique_by=lambda t: t[0],
)


@st.composite
def histories(draw, full_refunds: bool = False) -> tuple[CustomerHistory, Lookups]:
    orders = []
    refunds = []
    n = 0
    for oid, day, amount, category, refund_specs, last_after in draw(order_specs):
        orders.append(Order(oid, day, amount, category))
        left = amount
        for percent, after in refund_specs:
            cents = left * percent // 100
            left -= cents
            n += 1
            refunds.append(Refund(f"R{n}", oid, day + timedelta(days=after), cents))
        if full_refunds and left:
            n += 1
            refunds.append(Refund(f"R{n}", oid, day + timedelta(days=last_after), left))
    assignments = draw(sales_rows) + draw(service_rows)
    history = CustomerHistory(
        "C",
        draw(st.none() | st.sampled_from(STAFF_IDS)),
        draw(st.sampled_from([None, "R", "C"])),
        orders,
        draw(st.permutations(refunds)),
        draw(st.permutations(assignments)),
    )
    lookups = Lookups(draw(staff_tables), PlanBook(draw(plan_lists)), {"R": draw(service_rows)})
    return history, lookups


@PROPERTY
@given(histories())
def test_sale_lines_of_an_order_sum_to_its_pool(world):
    history, lookups = world
    result = compute_customer(history, lookups)
    sales: dict[str, list] = defaultdict(list)
    for line in result.lines:
        if line.kind == SALE:
            sales[line.order_id].append(line)
    no_plan = {e.order_id for e in result.exceptions if e.reason_code == NO_PLAN}
    for o in history.orders:
        if o.order_id in no_plan:
            assert o.order_id not in sales
            continue
        lines = sales[o.order_id]
        assert lines, "every credited order has sale lines, even of 0.00"
        pool = pool_cents(o.amount_cents, ratio(lines[0].rate))
        assert sum(ln.amount_cents for ln in lines) == pool == lines[0].pool_cents
        assert len({ln.role for ln in lines}) == len(lines)
        assert sum(ln.weight for ln in lines) == 1


@PROPERTY
@given(histories())
def test_clawbacks_never_exceed_what_was_credited(world):
    history, lookups = world
    running: dict[tuple[str, str, str], int] = {}
    for line in compute_customer(history, lookups).lines:
        key = (line.order_id, line.staff_id, line.role)
        if line.kind == SALE:
            assert line.amount_cents >= 0
            running[key] = line.amount_cents
        else:
            assert line.kind == CLAWBACK
            assert line.amount_cents < 0
            running[key] += line.amount_cents
            assert running[key] >= 0
            assert running[key] == line.net_after_cents


@PROPERTY
@given(histories(full_refunds=True))
def test_refunds_totalling_the_order_net_everyone_to_zero(world):
    history, lookups = world
    net: dict[tuple[str, str, str], int] = defaultdict(int)
    for line in compute_customer(history, lookups).lines:
        net[(line.order_id, line.staff_id, line.role)] += line.amount_cents
    assert all(v == 0 for v in net.values())


@PROPERTY
@given(histories())
def test_computing_twice_gives_equal_results(world):
    history, lookups = world
    first = compute_customer(history, lookups)
    again = compute_customer(history, lookups)
    fresh = compute_customer(
        history,
        Lookups(lookups.staff, PlanBook(lookups.plans.plans), lookups.referrer_service),
    )
    assert first == again == fresh


@PROPERTY
@given(histories(), st.none() | days)
def test_compute_customer_as_hands_over_each_line_s_fields_in_order(world, day):
    history, lookups = world
    whole = compute_customer(history, lookups, day)
    made, exceptions = compute_customer_as(history, lookups, lambda *values: values, day)
    names = [f.name for f in fields(Line)]
    assert made == [tuple(getattr(line, name) for name in names) for line in whole.lines]
    assert exceptions == whole.exceptions


@PROPERTY
@given(histories(), days)
def test_emit_from_gives_the_same_lines_from_that_day_and_the_same_exceptions(world, day):
    history, lookups = world
    whole = compute_customer(history, lookups)
    window = compute_customer(history, lookups, emit_from=day)
    assert [line for line in window.lines if line.line_date >= day] == [
        line for line in whole.lines if line.line_date >= day
    ]
    assert window.exceptions == whole.exceptions
    # Orders dated before the day with no refund from the day on are not split at all.
    refunded_late = {r.refund_of for r in history.refunds if r.refund_date >= day}
    assert all(line.order_date >= day or line.order_id in refunded_late for line in window.lines)


@PROPERTY
@given(histories(), days, st.data())
def test_only_gives_the_same_lines_of_those_orders_and_the_same_exceptions(world, day, data):
    history, lookups = world
    whole = compute_customer(history, lookups)
    ids = sorted({o.order_id for o in history.orders} | {"O-unknown"})
    chosen = frozenset(data.draw(st.lists(st.sampled_from(ids), unique=True)))
    some = compute_customer(history, lookups, emit_from=day, only=chosen)
    assert [line for line in some.lines if line.line_date >= day] == [
        line for line in whole.lines if line.order_id in chosen and line.line_date >= day
    ]
    assert all(line.order_id in chosen for line in some.lines)
    assert some.exceptions == whole.exceptions


@PROPERTY
@given(histories(), st.data())
def test_changing_a_plan_only_changes_orders_in_its_covering_range(world, data):
    history, lookups = world
    book = lookups.plans
    old = data.draw(st.sampled_from(book.plans))
    new = Plan(
        old.name + "′",
        old.effective_from,
        data.draw(rates),
        data.draw(category_rates),
        data.draw(splits),
    )
    changed = PlanBook([new if p is old else p for p in book.plans])
    start, end = book.covering_range(old)
    assert changed.covering_range(new) == (start, end)

    def by_order(lk):
        grouped = defaultdict(list)
        for line in compute_customer(history, lk).lines:
            grouped[line.order_id].append(line)
        return grouped

    before = by_order(lookups)
    after = by_order(Lookups(lookups.staff, changed, lookups.referrer_service))
    for o in history.orders:
        if not (start <= o.order_date and (end is None or o.order_date < end)):
            assert before[o.order_id] == after[o.order_id]


@PROPERTY
@given(histories())
def test_every_line_amount_is_an_int_and_lines_are_ordered(world):
    history, lookups = world
    lines = compute_customer(history, lookups).lines
    for line in lines:
        assert type(line.amount_cents) is int
        assert type(line.pool_cents) is int
        assert type(line.order_amount_cents) is int
        assert type(line.weight) is Fraction
    keys = [
        (ln.order_id, ROLE_RANK[ln.role], ln.kind != SALE, ln.line_date, ln.refund_id or "")
        for ln in lines
    ]
    assert keys == sorted(keys)


@PROPERTY
@given(
    st.integers(0, 10**9),
    st.lists(
        st.tuples(st.integers(0, 1000), st.sampled_from([1, 10, 100, 1000, 3, 7])),
        min_size=1,
        max_size=3,
    ),
)
def test_split_is_the_largest_remainder_of_the_renormalised_weights(pool, raw):
    roles = ("sales", "service", "referrer_service")[: len(raw)]
    weights = [(role, num, den) for role, (num, den) in zip(roles, raw, strict=False)]
    total = sum(Fraction(num, den) for _, num, den in weights)
    shares = split_pool(pool, weights)
    if total == 0:
        assert shares == []
        return
    assert sum(c for _, c in shares) == pool
    for (role, num, den), (got_role, cents) in zip(weights, shares, strict=True):
        exact = pool * Fraction(num, den) / total
        assert got_role == role
        assert exact - 1 < cents < exact + 1
