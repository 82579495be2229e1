"""The demo company is valid by the exchange rules, realistic in shape, and
the same for the same seed."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tandem import demo
from tandem.commissions.models import Plan
from tandem.customers.models import Assignment, Customer
from tandem.sales.models import Order
from tandem.staff.models import Staff

TODAY = dt.date(2026, 3, 18)
SMALL = 200


@pytest.fixture(scope="module")
def company():
    return demo.generate(seed=7, customers=SMALL, today=TODAY)


def fingerprint(c: demo.DemoCompany):
    return (
        [
            (s.staff_id, s.name, s.role, s.team.name if s.team else None, s.hired_on, s.left_on)
            for s in c.staff
        ],
        [
            (x.customer_id, x.name, x.tier, x.acquired_on, x.acquired_by_id, x.referred_by_id)
            for x in c.customers
        ],
        [(x.customer_id, x.name, x.phone) for x in c.contacts],
        [
            (a.customer_id, a.role, a.staff_id, a.valid_from, a.valid_to, a.reason)
            for a in c.assignments
        ],
        [
            (o.order_id, o.customer_id, o.order_date, o.amount, o.category, o.refund_of_id)
            for o in c.orders
        ],
        c.logins,
    )


def test_same_seed_same_company(company):
    again = demo.generate(seed=7, customers=SMALL, today=TODAY)
    assert fingerprint(again) == fingerprint(company)
    other = demo.generate(seed=8, customers=SMALL, today=TODAY)
    assert fingerprint(other)[1] != fingerprint(company)[1]


def test_window_is_three_years_ending_last_month(company):
    assert company.start == dt.date(2023, 3, 1)
    assert company.end == dt.date(2026, 2, 28)
    days = [o.order_date for o in company.orders]
    assert min(days) >= company.start and max(days) <= company.end


def test_no_overlapping_assignments(company):
    rows = defaultdict(list)
    for a in company.assignments:
        assert a.valid_to is None or a.valid_to > a.valid_from
        rows[a.customer_id, a.role].append(a)
    for key, items in rows.items():
        items.sort(key=lambda a: a.valid_from)
        for before, after in zip(items, items[1:], strict=False):
            assert before.valid_to is not None and before.valid_to <= after.valid_from, key


def test_owners_were_working_when_they_took_the_account(company):
    staff = {s.staff_id: s for s in company.staff}
    for a in company.assignments:
        person = staff[a.staff_id]
        assert person.role == a.role
        assert person.is_active_on(a.valid_from), (a, person.hired_on, person.left_on)
    for c in company.customers:
        if c.acquired_by_id:
            assert staff[c.acquired_by_id].is_active_on(c.acquired_on)


def test_refunds_are_after_their_order_and_never_exceed_it(company):
    sales = {o.order_id: o for o in company.orders if o.refund_of_id is None}
    refunded = Counter()
    for r in company.refunds:
        order = sales[r.refund_of_id]  # refunds only of sales, never of refunds
        assert r.order_date > order.order_date
        assert r.customer_id == order.customer_id
        assert r.amount > 0
        refunded[order.order_id] += r.amount
    assert all(total <= sales[oid].amount for oid, total in refunded.items())
    assert any(total < sales[oid].amount for oid, total in refunded.items())  # some partial
    assert any(total == sales[oid].amount for oid, total in refunded.items())  # some whole


def test_referrals_point_to_older_customers(company):
    by_id = {c.customer_id: c for c in company.customers}
    referred = [c for c in company.customers if c.referred_by_id]
    assert 0.05 <= len(referred) / len(company.customers) <= 0.11
    for c in referred:
        assert c.referred_by_id != c.customer_id
        assert by_id[c.referred_by_id].acquired_on < c.acquired_on
        assert any(o.customer_id == c.customer_id for o in company.orders)  # has a first order


def test_orders_before_acquisition_never_happen(company):
    acquired = {c.customer_id: c.acquired_on for c in company.customers}
    assert all(o.order_date >= acquired[o.customer_id] for o in company.orders)


def test_counts_and_shape(company):
    roles = Counter(s.role for s in company.staff)
    assert 36 <= len(company.staff) <= 44
    assert roles["admin"] == 1 and roles["finance"] >= 1
    assert [s for s in company.staff if s.role == "manager" and s.team is None]  # the GM
    assert {t.name for t in company.teams} == {"华东销售部", "华南销售部", "客服一组", "客服二组"}

    assert len(company.customers) == SMALL
    assert len({c.name for c in company.customers}) == SMALL
    assert all(c.name.endswith("公司") for c in company.customers)
    key = sum(c.tier == "key" for c in company.customers)
    assert 0.04 <= key / SMALL <= 0.18

    sales = company.sale_orders
    assert 20 * SMALL <= len(sales) <= 40 * SMALL  # 2000 customers: 50k+ orders
    assert 0.02 <= len(company.refunds) / len(sales) <= 0.045
    assert set(o.category for o in sales) == set(demo.CATEGORIES)
    key_ids = {c.customer_id for c in company.customers if c.tier == "key"}
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    assert mean([o.amount for o in sales if o.customer_id in key_ids]) > 2 * mean(
        [o.amount for o in sales if o.customer_id not in key_ids]
    )
    assert {x.customer_id for x in company.contacts} == {c.customer_id for c in company.customers}


def test_departures_handovers_releases_and_orphans(company):
    staff = {s.staff_id: s for s in company.staff}
    reasons = Counter(a.reason for a in company.assignments)
    assert reasons["handover"] > 0 and reasons["release"] > 0
    # handovers start on the day the previous owner left
    left_days = {s.left_on for s in company.staff if s.left_on}
    assert all(a.valid_from in left_days for a in company.assignments if a.reason == "handover")
    # released rows are closed sales rows and nobody took the customer after
    for a in company.assignments:
        if a.reason == "release":
            assert a.role == "sales" and a.valid_to is not None
            later = [
                b
                for b in company.assignments
                if b.customer_id == a.customer_id
                and b.role == "sales"
                and b.valid_from >= a.valid_to
            ]
            assert later == []
    # someone left and their customers were never handed over: open rows of a departed person
    open_after_leaving = [
        a
        for a in company.assignments
        if a.valid_to is None
        and staff[a.staff_id].left_on
        and staff[a.staff_id].left_on <= company.end
    ]
    assert open_after_leaving
    owned = {a.customer_id for a in company.assignments}
    assert 1 <= sum(c.customer_id not in owned for c in company.customers) <= 5


def test_season_slow_at_spring_festival_busy_before_double_eleven():
    big = demo.generate(seed=42, customers=600, today=TODAY)
    by_month = Counter(o.order_date.month for o in big.sale_orders)
    assert by_month[2] < by_month[4] < by_month[6]
    assert by_month[2] < by_month[11] and by_month[1] < by_month[11]
    assert by_month[11] > by_month[8]


@pytest.mark.django_db
def test_demo_load_writes_a_valid_company():
    summary = demo.demo_load(seed=7, customers=SMALL, today=TODAY, run=False)
    assert summary.created
    assert Customer.objects.count() == SMALL
    assert Staff.objects.count() == summary.staff
    assert Order.objects.filter(refund_of__isnull=True).count() == summary.orders
    assert Order.objects.filter(refund_of__isnull=False).count() == summary.refunds
    assert Assignment.objects.count() == summary.assignments
    # history rows were written with the bulk inserts
    assert Customer.history.count() == SMALL
    assert Assignment.history.count() == summary.assignments
    plan = Plan.objects.get()
    assert plan.effective_from == dt.date(1900, 1, 1)
    assert str(plan.pool_rate).rstrip("0") == "0.05"
    assert plan.splits["standard"] == {"sales": "0.70", "service": "0.30"}

    User = get_user_model()
    for username, _ in demo.DEMO_LOGINS:
        user = User.objects.get(username=username)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert user.staff is not None
    assert User.objects.get(username="gm").staff.is_general_manager
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="sales").is_staff
    assert list(User.objects.get(username="service").groups.values_list("name", flat=True)) == [
        "service"
    ]
    assert [row[0] for row in demo.demo_logins_present()] == [name for name, _ in demo.DEMO_LOGINS]

    again = demo.demo_load(seed=7, customers=SMALL, today=TODAY, if_empty=True)
    assert not again.created
    assert Customer.objects.count() == SMALL


@pytest.mark.django_db
def test_no_demo_logins_in_a_non_demo_database():
    assert demo.demo_logins_present() == []


@pytest.mark.django_db
def test_demo_refuses_a_database_with_customers():
    from tandem.core.errors import TandemError

    Customer.objects.create(customer_id="X1", name="已有客户", acquired_on=TODAY)
    with pytest.raises(TandemError, match="数据库中已有客户数据"):
        demo.demo_load(customers=SMALL, today=TODAY, run=False)


def test_tandem_demo_command_end_to_end(tmp_path: Path):
    db = tmp_path / "demo.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")},
        "TANDEM_DATABASE_URL": f"sqlite:///{db}",
        "TANDEM_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "tandem.config.settings",
    }
    tandem = [sys.executable, "-m", "tandem.cli"]
    done = subprocess.run(
        [*tandem, "demo", "--seed", "5", "--customers", str(SMALL)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "演示公司已创建" in done.stdout
    assert "tandem-demo" in done.stdout

    with sqlite3.connect(db) as conn:
        count = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        assert count("select count(*) from customers_customer") == SMALL
        assert 36 <= count("select count(*) from staff_staff") <= 44
        sales = count("select count(*) from sales_order where refund_of_id is null")
        refunds = count("select count(*) from sales_order where refund_of_id is not null")
        assert 20 * SMALL <= sales <= 40 * SMALL
        assert 0.02 <= refunds / sales <= 0.045
        assert count("select count(*) from auth_user") == len(demo.DEMO_LOGINS)
        assert count("select count(*) from commissions_plan") == 1
        # no refund exceeds its order
        assert (
            count(
                "select count(*) from (select o.order_id from sales_order o join sales_order r"
                " on r.refund_of_id = o.order_id group by o.order_id having sum(r.amount) > max(o.amount))"
            )
            == 0
        )

    again = subprocess.run(
        [*tandem, "demo", "--if-empty"], env=env, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0, again.stderr
    assert "未载入演示公司" in again.stdout
