"""A small company with known owners, for the permission tests.

Teams: 华东销售部 (m_east; s1, s2, s_left who left yesterday), 华南销售部 (s3),
客服一组 (m_svc; v1). gm is the general manager, fin finance, adm admin.

Customers today: C1 s1+v1, C2 s2, C3 s3, C4 s1 until last month then s2,
C5 s1 from tomorrow only, C6 nobody, C7 s_left (left, never handed over)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tandem.commissions.models import CommissionLine
from tandem.customers.models import Assignment, Customer
from tandem.staff.accounts import staff_user_link
from tandem.staff.models import Staff, Team

PASSWORD = "pw-for-tests"


@pytest.fixture
def company(db):
    today = timezone.localdate()
    yesterday, tomorrow = today - dt.timedelta(days=1), today + dt.timedelta(days=1)
    long_ago = dt.date(2020, 1, 1)
    east = Team.objects.create(name="华东销售部", department="sales")
    south = Team.objects.create(name="华南销售部", department="sales")
    svc = Team.objects.create(name="客服一组", department="service")

    def person(staff_id, role, team=None, left_on=None):
        staff = Staff.objects.create(
            staff_id=staff_id,
            name=f"员工{staff_id}",
            role=role,
            team=team,
            hired_on=long_ago,
            left_on=left_on,
        )
        user = staff_user_link(staff=staff, username=staff_id.lower(), password=PASSWORD)
        return SimpleNamespace(staff=staff, user=user)

    p = SimpleNamespace(
        gm=person("GM", "manager"),
        m_east=person("M_EAST", "manager", east),
        m_svc=person("M_SVC", "manager", svc),
        s1=person("S1", "sales", east),
        s2=person("S2", "sales", east),
        s_left=person("S_LEFT", "sales", east, left_on=yesterday),
        s3=person("S3", "sales", south),
        v1=person("V1", "service", svc),
        fin=person("FIN", "finance"),
        adm=person("ADM", "admin"),
    )

    def customer(cid, *rows):
        c = Customer.objects.create(customer_id=cid, name=f"客户{cid}", acquired_on=long_ago)
        for role, who, start, end in rows:
            Assignment.objects.create(
                customer=c, role=role, staff=who.staff, valid_from=start, valid_to=end
            )
        return c

    last_month = today - dt.timedelta(days=30)
    customers = SimpleNamespace(
        c1=customer("C1", ("sales", p.s1, long_ago, None), ("service", p.v1, long_ago, None)),
        c2=customer("C2", ("sales", p.s2, long_ago, None)),
        c3=customer("C3", ("sales", p.s3, long_ago, None)),
        c4=customer("C4", ("sales", p.s1, long_ago, last_month), ("sales", p.s2, last_month, None)),
        c5=customer("C5", ("sales", p.s1, tomorrow, None)),
        c6=customer("C6"),
        c7=customer("C7", ("sales", p.s_left, long_ago, None)),
    )
    for n, (staff_id, cid) in enumerate(
        [("S1", "C1"), ("S2", "C2"), ("S3", "C3"), ("V1", "C1"), ("", "C6")]
    ):
        CommissionLine.objects.create(
            period="2025-01",
            order_id=f"SO{n}",
            customer_id=cid,
            staff_id=staff_id,
            role="unassigned" if not staff_id else "sales",
            scenario="standard",
            kind="sale",
            line_date=dt.date(2025, 1, 5),
            amount_cents=1000 + n,
        )
    return SimpleNamespace(people=p, customers=customers, today=today)
