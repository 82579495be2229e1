"""The incremental run equals a full recomputation, on random histories and
random changes (orders, refunds, departures, handovers, plans, locks)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tandem.commissions.models import CommissionLine, DirtyCustomer, PeriodLock, Plan
from tandem.commissions.runs import run_commissions
from tandem.commissions.services import customers_mark_dirty

from .worked import DEFAULT_SPLITS

pytestmark = pytest.mark.django_db

START = date(2025, 1, 1)
SALES = ["S1", "S2", "S3"]
SERVICE = ["V1", "V2"]
CUSTOMERS = ["C1", "C2", "C3", "C4", "C5"]


def day(n: int) -> date:
    return START + timedelta(days=n)


order_st = st.tuples(st.sampled_from(CUSTOMERS), st.integers(0, 360), st.integers(1, 500_000))
change_st = st.one_of(
    st.tuples(st.just("order"), order_st),
    st.tuples(st.just("refund"), st.integers(0, 50), st.integers(0, 60), st.integers(1, 100)),
    st.tuples(st.just("leave"), st.sampled_from(SALES + SERVICE), st.integers(30, 360)),
    st.tuples(st.just("handover"), st.sampled_from(CUSTOMERS), st.sampled_from(["sales", "service"]),
              st.integers(1, 360)),
    st.tuples(st.just("plan"), st.integers(0, 360), st.sampled_from(["0.03", "0.05", "0.08"])),
    st.tuples(st.just("lock"), st.integers(0, 11)),
)


def setup_company(orders) -> None:
    from tandem.customers.models import Assignment, Customer
    from tandem.sales.models import Order
    from tandem.staff.models import Staff

    Plan.objects.create(name="p0", effective_from=date(1900, 1, 1), pool_rate=Decimal("0.05"), splits=DEFAULT_SPLITS)
    for sid in SALES:
        Staff.objects.create(staff_id=sid, name=sid, role="sales")
    for sid in SERVICE:
        Staff.objects.create(staff_id=sid, name=sid, role="service")
    for i, cid in enumerate(CUSTOMERS):
        Customer.objects.create(
            customer_id=cid, name=cid, acquired_on=START, acquired_by_id=SALES[i % 3],
            referred_by_id=CUSTOMERS[i - 1] if i in (1, 3) else None,
        )
        Assignment.objects.create(customer_id=cid, role="sales", staff_id=SALES[i % 3], valid_from=START)
        if i != 4:
            Assignment.objects.create(customer_id=cid, role="service", staff_id=SERVICE[i % 2], valid_from=START)
    for n, (cid, d, cents) in enumerate(orders):
        Order.objects.create(order_id=f"O{n:03d}", customer_id=cid, order_date=day(d),
                             amount=Decimal(cents) / 100)
    customers_mark_dirty(customer_ids=CUSTOMERS)


def apply(change, seq: int) -> None:
    """Apply a change and mark what the writers mark."""
    from tandem.customers.models import Assignment, Customer
    from tandem.sales.models import Order
    from tandem.staff.models import Staff

    kind = change[0]
    if kind == "order":
        cid, d, cents = change[1]
        Order.objects.create(order_id=f"N{seq:03d}", customer_id=cid, order_date=day(d), amount=Decimal(cents) / 100)
        # As the importer marks: lines can change from the order's date on.
        customers_mark_dirty(customer_ids=[cid], since={cid: day(d)})
    elif kind == "refund":
        _, pick, after, pct = change
        orders = list(Order.objects.filter(refund_of__isnull=True).order_by("order_id"))
        if not orders:
            return
        order = orders[pick % len(orders)]
        refunded = sum((r.amount for r in order.refunds.all()), Decimal("0"))
        amount = ((order.amount - refunded) * pct / 100).quantize(Decimal("0.01"))
        if amount <= 0:
            return
        refund_date = order.order_date + timedelta(days=after)
        Order.objects.create(order_id=f"R{seq:03d}", customer_id=order.customer_id,
                             order_date=refund_date, amount=amount, refund_of=order)
        customers_mark_dirty(customer_ids=[order.customer_id], since={order.customer_id: refund_date})
    elif kind == "leave":
        _, sid, d = change
        Staff.objects.filter(staff_id=sid).update(left_on=day(d))
        touched = set(Assignment.objects.filter(staff_id=sid).values_list("customer_id", flat=True))
        touched |= set(Customer.objects.filter(acquired_by_id=sid).values_list("customer_id", flat=True))
        customers_mark_dirty(customer_ids=touched)
    elif kind == "handover":
        _, cid, role, d = change
        current = Assignment.objects.filter(customer_id=cid, role=role, valid_to__isnull=True).first()
        if current is None or current.valid_from >= day(d):
            return
        current.valid_to = day(d)
        current.save()
        pool = SALES if role == "sales" else SERVICE
        new = pool[(pool.index(current.staff_id) + 1) % len(pool)]
        Assignment.objects.create(customer_id=cid, role=role, staff_id=new, valid_from=day(d), reason="handover")
        customers_mark_dirty(customer_ids=[cid])
    elif kind == "plan":
        _, d, rate = change
        Plan.objects.update_or_create(
            effective_from=day(d), defaults={"name": f"p{d}", "pool_rate": Decimal(rate), "splits": DEFAULT_SPLITS}
        )
        customers_mark_dirty(customer_ids=Order.objects.filter(order_date__gte=day(d)).values_list("customer_id", flat=True))
    elif kind == "lock":
        month = f"2025-{change[1] + 1:02d}"
        PeriodLock.objects.get_or_create(period=month)


def snapshot():
    return sorted(CommissionLine.objects.values_list(
        "period", "order_id", "staff_id", "role", "scenario", "kind", "amount_cents", "adjusts_period"))


def reset():
    from tandem.customers.models import Assignment, Customer
    from tandem.sales.models import Order
    from tandem.staff.models import Staff

    CommissionLine.objects.all().delete()
    DirtyCustomer.objects.all().delete()
    PeriodLock.objects.all().delete()
    Plan.objects.all().delete()
    Order.objects.filter(refund_of__isnull=False).delete()
    Order.objects.all().delete()
    Assignment.objects.all().delete()
    Customer.objects.update(referred_by=None)
    Customer.objects.all().delete()
    Staff.objects.all().delete()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(orders=st.lists(order_st, min_size=1, max_size=12), changes=st.lists(change_st, max_size=8),
       runs=st.lists(st.booleans(), min_size=8, max_size=8))
# The referrer's new service owner is credited on the referred customer's first order.
@example(orders=[("C2", 200, 10_000)], changes=[("handover", "C1", "service", 100)], runs=[True] * 8)
# A departure turns later orders of the developer's customers into `inherited`.
@example(orders=[("C1", 200, 10_000), ("C1", 20, 500)], changes=[("leave", "S1", 100)], runs=[True] * 8)
# A new order dated before the first one takes the referral from it.
@example(orders=[("C2", 200, 10_000)], changes=[("order", ("C2", 10, 500))], runs=[True] * 8)
# Adjustments posted for a locked month stay when a later order only
# compares the months from its own on.
@example(
    orders=[("C1", 20, 10_000)],
    changes=[("lock", 0), ("plan", 0, "0.08"), ("order", ("C1", 200, 500)), ("refund", 0, 200, 50)],
    runs=[True, True, False, True] + [True] * 4,
)
def test_incremental_run_equals_full_run(orders, changes, runs):
    reset()
    setup_company(orders)
    run_commissions()
    for seq, change in enumerate(changes):
        apply(change, seq)
        # Sometimes several changes before a run: their marks merge.
        if runs[seq]:
            run_commissions()
    run_commissions()
    incremental = snapshot()
    full = run_commissions(full=True)
    assert (full.lines_written, full.lines_deleted) == (0, 0)
    assert snapshot() == incremental


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(orders=st.lists(order_st, min_size=1, max_size=12), changes=st.lists(change_st, max_size=8),
       lock=st.integers(0, 11))
def test_locked_months_never_change(orders, changes, lock):
    reset()
    setup_company(orders)
    run_commissions()
    month = f"2025-{lock + 1:02d}"
    PeriodLock.objects.create(period=month)
    held = sorted(CommissionLine.objects.filter(period=month).values_list())
    for seq, change in enumerate(changes):
        apply(change, seq)
        run_commissions(full=seq % 2 == 0)
    assert sorted(CommissionLine.objects.filter(period=month).values_list()) == held
