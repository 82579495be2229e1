"""The admin site respects the same object-level rules, and its edits mark
customers dirty for the next incremental run."""

from __future__ import annotations

import datetime as dt

from tandem.commissions.models import CommissionLine
from tandem.customers.models import Assignment
from tandem.sales.models import Order
from tests.facts import clear, pending

from .conftest import PASSWORD


def login(client, who):
    assert client.login(username=who.user.username, password=PASSWORD)


def test_salesperson_cannot_open_the_admin(client, company):
    login(client, company.people.s1)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_team_manager_sees_only_the_teams_commission_lines_in_admin(client, company):
    login(client, company.people.m_east)
    response = client.get("/admin/commissions/commissionline/")
    assert response.status_code == 200
    shown = {line.staff_id for line in response.context["cl"].result_list}
    assert shown == {"S1", "S2"}


def test_team_manager_sees_only_the_teams_customers_in_admin(client, company):
    login(client, company.people.m_east)
    response = client.get("/admin/customers/customer/")
    assert response.status_code == 200
    assert {c.pk for c in response.context["cl"].result_list} == {"C1", "C2", "C4", "C7"}
    assert (
        client.get("/admin/customers/customer/C3/change/").status_code == 302
    )  # not found → redirect


def test_commission_lines_are_read_only_even_for_admin(client, company):
    login(client, company.people.adm)
    assert client.get("/admin/commissions/commissionline/").status_code == 200
    assert client.get("/admin/commissions/commissionline/add/").status_code == 403
    line = CommissionLine.objects.first()
    page = client.get(f"/admin/commissions/commissionline/{line.pk}/change/")
    assert page.status_code == 200
    assert b'name="amount_cents"' not in page.content  # shown, not editable
    assert (
        client.post(
            f"/admin/commissions/commissionline/{line.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )


def test_admin_edit_of_an_assignment_marks_the_customer_dirty(client, company):
    login(client, company.people.adm)
    row = Assignment.objects.get(customer_id="C2")
    response = client.post(
        f"/admin/customers/assignment/{row.pk}/change/",
        {
            "customer": "C2",
            "role": "sales",
            "staff": "S3",
            "valid_from": "2020-01-01",
            "valid_to": "",
            "reason": "reassignment",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(pending()) == {"C2"}


def test_admin_refuses_overlapping_assignments(client, company):
    login(client, company.people.adm)
    response = client.post(
        "/admin/customers/assignment/add/",
        {
            "customer": "C1",
            "role": "sales",
            "staff": "S2",
            "valid_from": "2024-01-01",
            "valid_to": "",
            "reason": "reassignment",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "与已有归属记录重叠" in response.content.decode()
    assert not pending()


def test_admin_order_edits_mark_dirty_and_check_refunds(client, company):
    login(client, company.people.adm)
    order = Order.objects.create(
        order_id="SO1", customer_id="C1", order_date=dt.date(2025, 3, 1), amount="100.00"
    )
    data = {
        "order_id": "RF1",
        "customer": "C1",
        "order_date": "2025-03-05",
        "amount": "120.00",
        "category": "",
        "refund_of": "SO1",
    }
    response = client.post("/admin/sales/order/add/", data)
    assert response.status_code == 200
    assert "退款合计不能超过原订单金额。" in response.content.decode()

    response = client.post("/admin/sales/order/add/", {**data, "amount": "40.00"})
    assert response.status_code == 302
    assert Order.objects.get(pk="RF1").refund_of == order
    assert set(pending()) == {"C1"}

    clear()
    response = client.post("/admin/sales/order/SO1/delete/", {"post": "yes"})
    assert response.status_code == 200  # protected by its refund: nothing deleted
    assert Order.objects.filter(pk="SO1").exists()
