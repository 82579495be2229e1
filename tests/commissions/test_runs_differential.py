"""The incremental run equals a full recomputation, on random histories and
random changes (orders, refunds, departures, handovers, plans, locks) made
through the real writers: the domains' services and the importer."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tandem.commissions.models import CommissionLine, PeriodLock, Plan
from tandem.commissions.runs import run_commissions
from tandem.exchange.plans import plans_load_text
from tests.facts import clear

pytestmark = pytest.mark.django_db

START = date(2025, 1, 1)
SALES = ["S1", "S2", "S3"]
SERVICE = ["V1", "V2"]
CUSTOMERS = ["C1", "C2", "C3", "C4", "C5"]


WRITERS = st.sampled_from(["service", "import"])


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
    # An order edited: moved to another customer and day, a new amount.
    st.tuples(st.just("edit"), st.integers(0, 50), order_st),
)


def _import(tmp: Path, name: str, header: str, rows: list[str]) -> None:
    from tandem.exchange.importers import import_files

    path = tmp / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    import_files([str(path)])


def setup_company(orders, tmp: Path) -> None:
    """The company arrives the way companies do: through the importer."""
    plans_load_text(PLAN.format(name="p0", day="1900-01-01", rate="0.05"), path="plans.toml")
    _import(tmp, "staff.csv", "staff_id,name,role", [f"{s},{s},sales" for s in SALES] + [f"{s},{s},service" for s in SERVICE])
    _import(
        tmp, "customers.csv", "customer_id,name,tier,acquired_on,acquired_by,referred_by",
        [f"{cid},{cid},standard,{START},{SALES[i % 3]},{CUSTOMERS[i - 1] if i in (1, 3) else ''}"
         for i, cid in enumerate(CUSTOMERS)],
    )
    rows = [f"{cid},sales,{SALES[i % 3]},{START}," for i, cid in enumerate(CUSTOMERS)]
    rows += [f"{cid},service,{SERVICE[i % 2]},{START}," for i, cid in enumerate(CUSTOMERS) if i != 4]
    _import(tmp, "assignments.csv", "customer_id,role,staff_id,valid_from,valid_to", rows)
    _import(
        tmp, "orders.csv", "order_id,customer_id,order_date,amount",
        [f"O{n:03d},{cid},{day(d)},{Decimal(cents) / 100}" for n, (cid, d, cents) in enumerate(orders)],
    )


PLAN = """
[[plans]]
name = "{name}"
effective_from = {day}
pool_rate = "{rate}"

[plans.splits]
standard  = {{ sales = "0.70", service = "0.30" }}
inherited = {{ service = "0.70", sales = "0.30" }}
referral  = {{ sales = "0.70", referrer_service = "0.30" }}
"""


def apply(change, seq: int, via: str, tmp: Path) -> None:
    """Apply a change through a real writer: the domain's service, or the
    importer (`via`). Nothing here tells commissions what changed: a writer
    that forgot to record a fact makes the incremental run differ."""
    from tandem.commissions.periods import period_lock
    from tandem.customers.models import Assignment, Customer
    from tandem.customers.services import assignment_open
    from tandem.sales.models import Order
    from tandem.sales.services import order_record, refund_record
    from tandem.staff.models import Staff
    from tandem.staff.services import staff_upsert

    kind = change[0]
    if kind == "order":
        cid, d, cents = change[1]
        amount = Decimal(cents) / 100
        if via == "import":
            _import(tmp, "orders.csv", "order_id,customer_id,order_date,amount", [f"N{seq:03d},{cid},{day(d)},{amount}"])
        else:
            order_record(order_id=f"N{seq:03d}", customer=cid, order_date=day(d), amount=amount)
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
        if via == "import":
            _import(tmp, "orders.csv", "order_id,customer_id,order_date,amount,refund_of",
                    [f"R{seq:03d},{order.customer_id},{refund_date},{amount},{order.order_id}"])
        else:
            refund_record(refund_id=f"R{seq:03d}", order=order, refund_date=refund_date, amount=amount)
    elif kind == "leave":
        _, sid, d = change
        staff = Staff.objects.get(pk=sid)
        if via == "import":
            _import(tmp, "staff.csv", "staff_id,name,role,left_on", [f"{sid},{staff.name},{staff.role},{day(d)}"])
        else:
            staff_upsert(staff_id=sid, name=staff.name, role=staff.role, hired_on=staff.hired_on, left_on=day(d))
    elif kind == "handover":
        _, cid, role, d = change
        current = Assignment.objects.filter(customer_id=cid, role=role, valid_to__isnull=True).first()
        if current is None or current.valid_from >= day(d):
            return
        pool = SALES if role == "sales" else SERVICE
        new = pool[(pool.index(current.staff_id) + 1) % len(pool)]
        if via == "import":
            _import(tmp, "assignments.csv", "customer_id,role,staff_id,valid_from,valid_to", [
                f"{cid},{role},{current.staff_id},{current.valid_from},{day(d)}",
                f"{cid},{role},{new},{day(d)},",
            ])
        else:
            assignment_open(customer=Customer.objects.get(pk=cid), role=role, staff=Staff.objects.get(pk=new),
                            valid_from=day(d), reason="handover")
    elif kind == "plan":
        _, d, rate = change
        plans_load_text(PLAN.format(name=f"p{d}", day=day(d), rate=rate), path="plans.toml")
    elif kind == "edit":
        _, pick, (cid, d, cents) = change
        orders = list(Order.objects.filter(refund_of__isnull=True).order_by("order_id"))
        if not orders:
            return
        order = orders[pick % len(orders)]
        refunds = list(order.refunds.all())
        if refunds:
            # Its refunds must still fit: same customer, not after a refund, not less.
            cid = order.customer_id
            d = min(d, min((r.order_date - START).days for r in refunds))
            cents = max(cents, int(sum(r.amount for r in refunds) * 100))
        amount = Decimal(cents) / 100
        if via == "import":
            _import(tmp, "orders.csv", "order_id,customer_id,order_date,amount",
                    [f"{order.order_id},{cid},{day(d)},{amount}"])
        else:
            order_record(order_id=order.order_id, customer=cid, order_date=day(d), amount=amount)
    elif kind == "lock":
        month = f"2025-{change[1] + 1:02d}"
        if not PeriodLock.objects.filter(period=month).exists():
            period_lock(period=month)


def snapshot():
    return sorted(CommissionLine.objects.values_list(
        "period", "order_id", "staff_id", "role", "scenario", "kind", "amount_cents", "adjusts_period"))


def reset():
    from tandem.customers.models import Assignment, Customer
    from tandem.sales.models import Order
    from tandem.staff.models import Staff

    CommissionLine.objects.all().delete()
    clear()
    PeriodLock.objects.all().delete()
    Plan.objects.all().delete()
    Order.objects.filter(refund_of__isnull=False).delete()
    Order.objects.all().delete()
    Assignment.objects.all().delete()
    Customer.objects.update(referred_by=None)
    Customer.objects.all().delete()
    Staff.objects.all().delete()
    clear()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(orders=st.lists(order_st, min_size=1, max_size=12), changes=st.lists(change_st, max_size=8),
       runs=st.lists(st.booleans(), min_size=8, max_size=8), via=st.lists(WRITERS, min_size=8, max_size=8))
# The referrer's new service owner is credited on the referred customer's first order.
@example(orders=[("C2", 200, 10_000)], changes=[("handover", "C1", "service", 100)], runs=[True] * 8, via=["service"] * 8)
# A departure turns later orders of the developer's customers into `inherited`.
@example(orders=[("C1", 200, 10_000), ("C1", 20, 500)], changes=[("leave", "S1", 100)], runs=[True] * 8, via=["service"] * 8)
# A new order dated before the first one takes the referral from it.
@example(orders=[("C2", 200, 10_000)], changes=[("order", ("C2", 10, 500))], runs=[True] * 8, via=["service"] * 8)
# The first order moved later gives the referral to the next one; moved to
# another customer, it leaves no line behind.
@example(orders=[("C2", 20, 10_000), ("C2", 100, 700)], changes=[("edit", 0, ("C2", 300, 900))],
         runs=[True] * 8, via=["import"] * 8)
@example(orders=[("C2", 20, 10_000), ("C2", 100, 700)], changes=[("edit", 0, ("C4", 300, 900))],
         runs=[True] * 8, via=["service"] * 8)
# A refund back-filled long after the order: only that order's lines change.
@example(orders=[("C4", 10, 10_000), ("C4", 100, 700)], changes=[("refund", 0, 200, 50)],
         runs=[True] * 8, via=["import"] * 8)
# Adjustments posted for a locked month stay when a later order only
# compares the months from its own on.
@example(
    orders=[("C1", 20, 10_000)],
    changes=[("lock", 0), ("plan", 0, "0.08"), ("order", ("C1", 200, 500)), ("refund", 0, 200, 50)],
    runs=[True, True, False, True] + [True] * 4,
    via=["import"] * 8,
)
def test_incremental_run_equals_full_run(tmp_path, orders, changes, runs, via):
    reset()
    setup_company(orders, tmp_path)
    run_commissions()
    for seq, change in enumerate(changes):
        apply(change, seq, via[seq], tmp_path)
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
       lock=st.integers(0, 11), via=st.lists(WRITERS, min_size=8, max_size=8))
def test_locked_months_never_change(tmp_path, orders, changes, lock, via):
    reset()
    setup_company(orders, tmp_path)
    run_commissions()
    month = f"2025-{lock + 1:02d}"
    PeriodLock.objects.create(period=month)
    held = sorted(CommissionLine.objects.filter(period=month).values_list())
    for seq, change in enumerate(changes):
        apply(change, seq, via[seq], tmp_path)
        run_commissions(full=seq % 2 == 0)
    assert sorted(CommissionLine.objects.filter(period=month).values_list()) == held
