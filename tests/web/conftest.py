from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from tandem.customers.models import Assignment, Customer
from tandem.staff.accounts import staff_user_link
from tandem.staff.models import Staff, Team

PASSWORD = "pw-for-tests"


@pytest.fixture
def shop(db):
    """Two salespeople of one team with 30 and 5 customers, a service person
    on all of them, finance, and 3 customers nobody owns."""
    team = Team.objects.create(name="华东销售部", department="sales")
    since = dt.date(2021, 3, 1)

    def person(staff_id, name, role, team=None):
        staff = Staff.objects.create(
            staff_id=staff_id, name=name, role=role, team=team, hired_on=dt.date(2019, 1, 1)
        )
        staff_user_link(staff=staff, username=staff_id.lower(), password=PASSWORD)
        return staff

    li = person("S1", "李娜", "sales", team)
    wang = person("S2", "王强", "sales", team)
    zhou = person("V1", "周静", "service")
    person("F1", "陈芳", "finance")
    rows = []
    customers = []
    for n in range(38):
        c = Customer(
            customer_id=f"C{n:03d}",
            name=f"苏州精工贸易有限公司{n}号",
            acquired_on=since,
            tier="key" if n % 10 == 0 else "standard",
        )
        customers.append(c)
        if n < 35:
            rows.append(
                Assignment(customer=c, role="sales", staff=li if n < 30 else wang, valid_from=since)
            )
            rows.append(Assignment(customer=c, role="service", staff=zhou, valid_from=since))
    Customer.objects.bulk_create(customers)
    Assignment.objects.bulk_create(rows)
    return SimpleNamespace(li=li, wang=wang, zhou=zhou)


def login(client, username):
    assert client.login(username=username, password=PASSWORD)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The general manager's chart is cached; each test starts without it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
