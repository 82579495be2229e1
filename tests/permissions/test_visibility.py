from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User

from tandem.commissions.permissions import can_view_commission_of, visible_staff_ids
from tandem.customers.permissions import can_view_customer, visible_customers

ALL = {"C1", "C2", "C3", "C4", "C5", "C6", "C7"}


def ids(user) -> set[str]:
    return set(visible_customers(user).values_list("customer_id", flat=True))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("s1", {"C1"}),  # C4 handed on last month, C5 only from tomorrow
        ("s2", {"C2", "C4"}),
        ("s3", {"C3"}),
        ("v1", {"C1"}),
        ("s_left", set()),  # left yesterday: sees nothing, although C7's row is still open
        ("m_east", {"C1", "C2", "C4", "C7"}),  # the team's accounts, incl. the one left unhandled
        ("m_svc", {"C1"}),
        ("gm", ALL),
        ("fin", ALL),
        ("adm", ALL),
    ],
)
def test_visible_customers_by_role(company, who, expected):
    assert ids(getattr(company.people, who).user) == expected


def test_a_salesperson_never_sees_another_salespersons_customers(company):
    s1 = company.people.s1.user
    for other in ("C2", "C3", "C6", "C7"):
        assert not can_view_customer(s1, other)
    assert can_view_customer(s1, company.customers.c1)


def test_user_without_staff_record_sees_nothing_unless_superuser(company):
    plain = User.objects.create_user("plain", password="x")
    assert ids(plain) == set()
    assert visible_staff_ids(plain) == set()
    root = User.objects.create_superuser("root", password="x")
    assert ids(root) == ALL
    assert visible_staff_ids(root) is None
    assert ids(AnonymousUser()) == set()
    assert visible_staff_ids(AnonymousUser()) == set()


def test_inactive_user_sees_nothing(company):
    user = company.people.fin.user
    user.is_active = False
    user.save()
    assert ids(user) == set()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("s1", {"S1"}),
        ("v1", {"V1"}),
        ("m_east", {"M_EAST", "S1", "S2", "S_LEFT"}),
        ("m_svc", {"M_SVC", "V1"}),
        ("gm", None),
        ("fin", None),
        ("adm", None),
    ],
)
def test_visible_staff_ids(company, who, expected):
    assert visible_staff_ids(getattr(company.people, who).user) == expected


def test_a_salesperson_never_sees_another_persons_commission(company):
    people = company.people
    s1 = people.s1.user
    assert can_view_commission_of(s1, "S1")
    for other in ("S2", "S3", "V1", "M_EAST", "GM", ""):
        assert not can_view_commission_of(s1, other)


def test_team_manager_sees_own_team_commission_only(company):
    m_east = company.people.m_east.user
    assert can_view_commission_of(m_east, "S2")
    assert not can_view_commission_of(m_east, "S3")
    assert not can_view_commission_of(m_east, "V1")
    assert can_view_commission_of(company.people.fin.user, "S3")
