"""The demo company is valid by the exchange rules, realistic in shape, runs
up to today, is the same for the same seed, and comes into the database
through the importer."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tandem import demo
from tandem.commissions.models import Plan
from tandem.customers.models import Assignment, Contact, Customer
from tandem.demo.company import build_company, iter_orders, write_files
from tandem.sales.models import Order
from tandem.staff.models import Staff

TODAY = dt.date(2026, 3, 18)  # a Wednesday
SMALL = 200


@pytest.fixture(scope="module")
def company():
    return demo.generate(seed=7, customers=SMALL, today=TODAY)


def fingerprint(c: demo.DemoCompany):
    return (
        [(t.name, t.department) for t in c.teams],
        [(s.staff_id, s.name, s.role, s.team, s.hired_on, s.left_on) for s in c.staff],
        [
            (x.customer_id, x.name, x.tier, x.acquired_on, x.acquired_by, x.referred_by)
            for x in c.customers
        ],
        [(x.customer_id, x.name, x.phone) for x in c.contacts],
        [
            (a.customer_id, a.role, a.staff_id, a.valid_from, a.valid_to, a.reason, a.note)
            for a in c.assignments
        ],
        [(r.customer_id, r.day, r.receiver.staff_id if r.receiver else None) for r in c.releases],
        [
            (o.order_id, o.customer_id, o.order_date, o.cents, o.category, o.refund_of)
            for o in c.orders
        ],
        c.logins,
    )


def test_same_seed_same_company(company, tmp_path: Path):
    again = demo.generate(seed=7, customers=SMALL, today=TODAY)
    assert fingerprint(again) == fingerprint(company)
    other = demo.generate(seed=8, customers=SMALL, today=TODAY)
    assert fingerprint(other)[2] != fingerprint(company)[2]
    write_files(company, tmp_path / "a")
    write_files(again, tmp_path / "b")
    for name in ("staff.csv", "customers.csv", "assignments.csv", "orders.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_window_is_three_years_up_to_today(company):
    assert company.start == dt.date(2023, 3, 1)
    assert company.end == TODAY
    days = [o.order_date for o in company.orders]
    assert min(days) >= company.start and max(days) == TODAY
    assert len([o for o in company.sale_orders if o.order_date == TODAY]) >= 2


def test_this_month_so_far_is_part_of_a_month(company):
    sales = Counter((o.order_date.year, o.order_date.month) for o in company.sale_orders)
    # 18 of March's 31 days (13 working days of 22), a year's growth on top
    ratio = sales[2026, 3] / sales[2025, 3]
    assert 0.45 <= ratio <= 0.9, ratio
    assert all(o.order_date <= TODAY for o in company.orders)


def test_weekends_are_quiet():
    big = demo.generate(seed=42, customers=600, today=TODAY)
    per_day = Counter(o.order_date for o in big.sale_orders)
    days = [big.start + dt.timedelta(days=i) for i in range((TODAY - big.start).days + 1)]
    weekday = [per_day[d] for d in days if d.weekday() < 5]
    sunday = [per_day[d] for d in days if d.weekday() == 6]
    assert sum(sunday) / len(sunday) < 0.4 * sum(weekday) / len(weekday)


def test_no_overlapping_assignments(company):
    for ledger in (company.assignments, company.imported_assignments()):
        rows = defaultdict(list)
        for a in ledger:
            assert a.valid_to is None or a.valid_to > a.valid_from
            rows[a.customer_id, a.role].append(a)
        for key, items in rows.items():
            items.sort(key=lambda a: a.valid_from)
            for before, after in zip(items, items[1:], strict=False):
                assert before.valid_to is not None and before.valid_to <= after.valid_from, key


def test_owners_were_working_when_they_took_the_account(company):
    staff = {s.staff_id: s for s in company.staff}
    customers = {c.customer_id for c in company.customers}
    for a in company.assignments:
        assert a.customer_id in customers
        person = staff[a.staff_id]
        assert person.role == a.role
        assert person.is_active_on(a.valid_from), (a, person.hired_on, person.left_on)
    for c in company.customers:
        if c.acquired_by:
            assert staff[c.acquired_by].is_active_on(c.acquired_on)


def test_reasons_are_those_the_importer_gives(company):
    """developed: the first row (sales: the developer's); handover: the
    previous holder had left by then; release: a release's receiver;
    otherwise reassignment."""
    staff = {s.staff_id: s for s in company.staff}
    developer = {c.customer_id: c.acquired_by for c in company.customers}
    released = {id(r.receiver) for r in company.releases if r.receiver}
    previous = {}
    for a in company.assignments:  # sorted by customer, role, start
        before = previous.get((a.customer_id, a.role))
        if id(a) in released:
            expected = "release"
        elif before is None:
            assert a.role == "service" or a.staff_id == developer[a.customer_id]
            expected = "developed"
        elif staff[before.staff_id].left_on and staff[before.staff_id].left_on <= a.valid_from:
            expected = "handover"
        else:
            expected = "reassignment"
        assert a.reason == expected, a
        previous[a.customer_id, a.role] = a
    assert {"developed", "handover", "reassignment", "release"} <= {a.reason for a in company.assignments}


def test_refunds_are_after_their_order_and_never_exceed_it(company):
    sales = {o.order_id: o for o in company.orders if o.refund_of is None}
    refunded = Counter()
    for r in company.refunds:
        order = sales[r.refund_of]  # refunds only of sales, never of refunds
        assert r.order_date > order.order_date
        assert r.customer_id == order.customer_id
        assert r.cents > 0
        refunded[order.order_id] += r.cents
    assert all(total <= sales[oid].cents for oid, total in refunded.items())
    assert any(total < sales[oid].cents for oid, total in refunded.items())  # some partial
    assert any(total == sales[oid].cents for oid, total in refunded.items())  # some whole
    assert len({o.order_id for o in company.orders}) == len(company.orders)


def test_referrals_point_to_older_customers(company):
    by_id = {c.customer_id: c for c in company.customers}
    referred = [c for c in company.customers if c.referred_by]
    assert 0.05 <= len(referred) / len(company.customers) <= 0.11
    for c in referred:
        assert c.referred_by != c.customer_id
        assert by_id[c.referred_by].acquired_on < c.acquired_on
        assert any(o.customer_id == c.customer_id for o in company.orders)  # has a first order


def test_orders_before_acquisition_never_happen(company):
    acquired = {c.customer_id: c.acquired_on for c in company.customers}
    assert all(o.order_date >= acquired[o.customer_id] for o in company.orders)


def test_counts_and_shape(company):
    roles = Counter(s.role for s in company.staff)
    assert 36 <= len(company.staff) <= 44
    assert roles["admin"] == 1 and roles["finance"] >= 1
    assert [s for s in company.staff if s.role == "manager" and not s.team]  # the GM
    assert {t.name for t in company.teams} == {"华东销售部", "华南销售部", "客服一组", "客服二组"}
    departments = {t.name: t.department for t in company.teams}
    for s in company.staff:
        if s.role in ("sales", "service"):
            assert departments[s.team] == s.role

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
    assert mean([o.cents for o in sales if o.customer_id in key_ids]) > 2 * mean(
        [o.cents for o in sales if o.customer_id not in key_ids]
    )
    assert {x.customer_id for x in company.contacts} == {c.customer_id for c in company.customers}
    assert all(re.fullmatch(r"SO\d{12}", o.order_id) for o in sales)


def test_departures_handovers_releases_and_orphans(company):
    staff = {s.staff_id: s for s in company.staff}
    # handovers start on the day the previous owner left
    left_days = {s.left_on for s in company.staff if s.left_on}
    assert all(a.valid_from in left_days for a in company.assignments if a.reason == "handover")
    # releases: the giver's sales row ends on the day, the giver stays; a
    # receiver takes it from that day, or nobody does (the pool)
    assert company.releases
    to_pool = [r for r in company.releases if r.receiver is None]
    to_colleague = [r for r in company.releases if r.receiver is not None]
    assert to_pool and to_colleague
    for r in company.releases:
        assert r.giver.role == "sales" and r.giver.valid_to == r.day
        assert staff[r.giver.staff_id].left_on is None
        later = [
            b
            for b in company.assignments
            if b.customer_id == r.customer_id and b.role == "sales" and b.valid_from >= r.day
        ]
        assert later == ([r.receiver] if r.receiver else [])
        if r.receiver:
            assert r.receiver.staff_id != r.giver.staff_id
            assert staff[r.receiver.staff_id].is_active_on(r.day)
    # someone left and their customers were never handed over: open rows of a departed person
    open_after_leaving = [
        a
        for a in company.assignments
        if a.valid_to is None and staff[a.staff_id].left_on and staff[a.staff_id].left_on <= TODAY
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


def test_more_staff_repeat_the_teams():
    big = build_company(seed=3, today=TODAY, customers=600, staff=120)
    assert len(big.staff) == 120
    names = [t.name for t in big.teams]
    assert names == [
        "华东销售一部",
        "华东销售二部",
        "华东销售三部",
        "华南销售一部",
        "华南销售二部",
        "华南销售三部",
        "客服一组",
        "客服二组",
        "客服三组",
        "客服四组",
        "客服五组",
        "客服六组",
    ]
    members = Counter(s.team for s in big.staff if s.role in ("sales", "service"))
    managers = Counter(s.team for s in big.staff if s.role == "manager")
    assert all(members[name] >= 6 for name in names) and all(managers[name] == 1 for name in names)
    with pytest.raises(ValueError, match="too few"):
        build_company(seed=3, today=TODAY, customers=600, staff=25)


def test_an_exact_number_of_orders_numbered_in_date_order():
    small = build_company(
        seed=5, today=dt.date(2025, 12, 31), customers=150, staff=30, orders=3_000,
        months=35, order_ids="numbered",
    )
    rows = list(iter_orders(small))
    assert rows == list(iter_orders(small))  # the orders' own random stream
    sales = [o for o in rows if o.refund_of is None]
    refunds = [o for o in rows if o.refund_of is not None]
    assert len(sales) == 3_000
    assert [o.order_id for o in sales] == [f"O{n:07d}" for n in range(1, 3_001)]
    assert [o.order_id for o in refunds] == [f"R{n:07d}" for n in range(1, len(refunds) + 1)]
    assert [o.order_date for o in sales] == sorted(o.order_date for o in sales)
    assert min(o.order_date for o in rows) >= dt.date(2023, 1, 1)
    assert max(o.order_date for o in rows) <= dt.date(2025, 12, 31)


@pytest.mark.django_db
def test_demo_load_goes_through_the_importer(company):
    summary = demo.demo_load(seed=7, customers=SMALL, today=TODAY, run=False)
    assert summary.created
    # what the import did, file by file
    created = {r.kind: (r.read, r.created, r.rejected) for r in summary.imported}
    imported = company.imported_assignments()
    assert created == {
        "staff": (len(company.staff), len(company.staff), 0),
        "customers": (SMALL, SMALL, 0),
        "assignments": (len(imported), len(imported), 0),
        "orders": (len(company.orders), len(company.orders), 0),
        "followups": (summary.followups, summary.followups, 0),
        "callbacks": (summary.callbacks, summary.callbacks, 0),
        "complaints": (summary.complaints, summary.complaints, 0),
        "surveys": (summary.surveys, summary.surveys, 0),
    }
    assert [Path(r.path).name for r in summary.imported] == [
        "demo-staff.csv",
        "demo-customers.csv",
        "demo-assignments.csv",
        "demo-orders.csv",
        "demo-followups.csv",
        "demo-callbacks.csv",
        "demo-complaints.csv",
        "demo-surveys.csv",
    ]
    # the history says where the rows came from
    assert set(Customer.history.values_list("history_change_reason", flat=True)) == {
        "import demo-customers.csv"
    }
    assert set(
        Assignment.history.filter(history_type="+").values_list("history_change_reason", flat=True)
    ) == {"import demo-assignments.csv", None}  # None: the releases' rows, opened by the service
    assert Staff.history.filter(history_change_reason="import demo-staff.csv").count() == len(
        company.staff
    )

    # the database holds the company as generated, releases and teams included
    stored = sorted(
        Assignment.objects.values_list(
            "customer_id", "role", "staff_id", "valid_from", "valid_to", "reason", "note"
        )
    )
    assert stored == sorted(
        (a.customer_id, a.role, a.staff_id, a.valid_from, a.valid_to, a.reason, a.note)
        for a in company.assignments
    )
    assert Assignment.objects.filter(reason="release").count() == len(
        [r for r in company.releases if r.receiver]
    )
    assert dict(Staff.objects.values_list("staff_id", "team__name")) == {
        s.staff_id: s.team or None for s in company.staff
    }
    assert Contact.objects.count() == len(company.contacts)
    assert Order.objects.filter(refund_of__isnull=True).count() == summary.orders
    assert Order.objects.filter(refund_of__isnull=False).count() == summary.refunds
    assert Order.objects.filter(order_date=TODAY).count() == len(
        [o for o in company.orders if o.order_date == TODAY]
    ) > 0
    assert summary.end == TODAY

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
    assert User.objects.get(username="sales_manager").staff.team.name == "华东销售部"
    assert User.objects.get(username="service_manager").staff.team.name == "客服一组"
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
    assert f"经导入程序载入：员工 40 行，客户 {SMALL} 行" in done.stdout
    assert "提成已全量计算" in done.stdout
    assert "tandem-demo" in done.stdout
    last_day = re.search(r"至 (\d{4}-\d{2}-\d{2})）", done.stdout)
    assert last_day, done.stdout

    with sqlite3.connect(db) as conn:
        count = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        assert count("select count(*) from customers_customer") == SMALL
        assert 36 <= count("select count(*) from staff_staff") <= 44
        sales = count("select count(*) from sales_order where refund_of_id is null")
        refunds = count("select count(*) from sales_order where refund_of_id is not null")
        assert 20 * SMALL <= sales <= 40 * SMALL
        assert 0.02 <= refunds / sales <= 0.045
        # the history runs up to the day the company was created
        assert count("select max(order_date) from sales_order") <= last_day.group(1)
        assert count("select max(order_date) from sales_order") >= (
            dt.date.fromisoformat(last_day.group(1)) - dt.timedelta(days=3)
        ).isoformat()
        assert count("select count(*) from auth_user") == len(demo.DEMO_LOGINS)
        assert count("select count(*) from commissions_plan") == 1
        assert count("select count(*) from commissions_commissionline") > 0
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
