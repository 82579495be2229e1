"""The admin site respects the same object-level rules, and it is a client of
the services: what a service writes goes through it (its refusal shown on
the form, its change fact recorded by it), and what no service writes is
read-only for every role, superusers included."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.commissions.models import (
    CommissionLine,
    CommissionRun,
    PeriodEvent,
    PeriodLock,
    Statement,
)
from tandem.core.changes import orders_changed
from tandem.core.models import ChangeFact
from tandem.customers.models import Assignment, Customer
from tandem.sales.models import Order
from tandem.sales.services import order_record, refund_record
from tandem.staff.models import Staff
from tests.facts import clear, pending

from .conftest import PASSWORD

ADMIN_ROLES = ["gm", "m_east", "fin", "adm"]


def login(client, who):
    assert client.login(username=who.user.username, password=PASSWORD)


def page(response) -> str:
    return response.content.decode()


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


# --------------------------------------------------------------------------- #
# Read-only for everybody: lines, locks, lock events, statements, runs, facts
# --------------------------------------------------------------------------- #


@pytest.fixture
def ledger(company):
    """One record of each read-only kind, all visible to the east team's manager."""
    PeriodLock.objects.create(period="2025-01")
    PeriodEvent.objects.create(period="2025-01", action="lock", actor="finance")
    Statement.objects.create(staff_id="S1", period="2025-01", total_cents=1000)
    CommissionRun.objects.create(mode="full")
    orders_changed({"C1": dt.date(2025, 1, 5)})
    return {
        "commissions/periodlock": "2025-01",
        "commissions/periodevent": PeriodEvent.objects.get().pk,
        "commissions/statement": Statement.objects.get().pk,
        "commissions/commissionline": CommissionLine.objects.get(staff_id="S1").pk,
        "commissions/commissionrun": CommissionRun.objects.get().pk,
        "core/changefact": ChangeFact.objects.get().pk,
    }


def snapshot():
    return {
        model.__name__: sorted(map(repr, model.objects.values()))
        for model in (PeriodLock, PeriodEvent, Statement, CommissionLine, CommissionRun, ChangeFact)
    }


# Whatever a form would hold: the refusal comes before any form is read.
ANY_FORM = {
    "period": "2025-03",
    "action": "unlock",
    "reason": "x",
    "staff_id": "S1",
    "status": "paid",
    "total_cents": "1",
    "amount_cents": "999999",
    "mode": "full",
    "subject": "orders",
    "ident": "C1",
}


@pytest.mark.parametrize("role", ADMIN_ROLES)
@pytest.mark.parametrize(
    "model",
    [
        "commissions/periodlock",
        "commissions/periodevent",
        "commissions/statement",
        "commissions/commissionline",
        "commissions/commissionrun",
        "core/changefact",
    ],
)
def test_no_role_adds_edits_or_deletes_ledger_records_in_the_admin(client, company, ledger, role, model):
    login(client, getattr(company.people, role))
    before = snapshot()
    pk = ledger[model]
    base = f"/admin/{model}/"
    assert client.post(f"{base}add/", ANY_FORM).status_code == 403
    assert client.post(f"{base}{pk}/change/", ANY_FORM).status_code == 403
    assert client.post(f"{base}{pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = client.post(base, {"action": "delete_selected", "_selected_action": [pk], "post": "yes"})
    assert bulk.status_code in (200, 302, 403)
    assert snapshot() == before


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_the_delete_action_is_offered_on_no_ledger_list(client, company, ledger, role):
    login(client, getattr(company.people, role))
    for model in ("periodlock", "periodevent", "statement", "commissionline", "commissionrun"):
        response = client.get(f"/admin/commissions/{model}/")
        assert response.status_code == 200
        assert 'value="delete_selected"' not in page(response)
        assert response.context["has_add_permission"] is False


def test_commission_lines_are_shown_not_editable_even_for_admin(client, company):
    login(client, company.people.adm)
    line = CommissionLine.objects.first()
    response = client.get(f"/admin/commissions/commissionline/{line.pk}/change/")
    assert response.status_code == 200
    assert b'name="amount_cents"' not in response.content


def test_only_a_superuser_sees_the_pending_change_facts(client, company, ledger):
    login(client, company.people.adm)
    response = client.get("/admin/core/changefact/")
    assert response.status_code == 200
    assert [f.ident for f in response.context["cl"].result_list] == ["C1"]
    login(client, company.people.gm)
    assert client.get("/admin/core/changefact/").status_code == 403


def test_the_line_filters_use_the_vocabulary_labels(client, company):
    login(client, company.people.adm)
    body = page(client.get("/admin/commissions/commissionline/"))
    for label in ("常规协作", "继承客户（开发销售已离职）", "老客户转介绍", "介绍人客户的客服", "未分配", "退款冲回"):
        assert label in body
    for old in ("标准", "转介绍客服", "流失销售开发的客户"):
        assert old not in body
    filtered = client.get("/admin/commissions/commissionline/", {"role__exact": "unassigned"})
    assert [line.customer_id for line in filtered.context["cl"].result_list] == ["C6"]


# --------------------------------------------------------------------------- #
# Orders and refunds: order_record and refund_record
# --------------------------------------------------------------------------- #


@pytest.fixture
def sale(company):
    order = order_record(order_id="SO1", customer="C1", order_date=dt.date(2025, 3, 1), amount="100.00")
    clear()
    return order


REFUND = {"order_id": "RF1", "refund_of": "SO1", "order_date": "2025-03-05", "amount": "120.00"}


def test_an_invalid_refund_shows_the_services_message_and_writes_nothing(client, company, sale):
    login(client, company.people.adm)
    response = client.post("/admin/sales/order/add/?kind=refund", REFUND)
    assert response.status_code == 200
    assert "退款合计 120.00 超过订单「SO1」的金额 100.00" in page(response)
    assert not Order.objects.filter(pk="RF1").exists()
    assert not pending()

    early = client.post("/admin/sales/order/add/?kind=refund", {**REFUND, "order_date": "2025-02-28", "amount": "1"})
    assert "退款日期 2025-02-28 早于订单「SO1」的日期 2025-03-01" in page(early)
    assert not Order.objects.filter(pk="RF1").exists()
    assert not pending()


def test_a_valid_refund_is_recorded_by_the_service_with_its_change_fact(client, company, sale):
    login(client, company.people.adm)
    response = client.post("/admin/sales/order/add/?kind=refund", {**REFUND, "amount": "40.00"})
    assert response.status_code == 302, page(response)[:2000]
    refund = Order.objects.get(pk="RF1")
    assert (refund.refund_of_id, refund.customer_id, str(refund.amount)) == ("SO1", "C1", "40.00")
    assert pending() == {"C1": dt.date(2025, 3, 5)}


def test_a_refund_of_a_refund_is_refused_with_the_services_message(client, company, sale):
    refund_record(refund_id="RF0", order="SO1", refund_date=dt.date(2025, 3, 2), amount="10.00")
    clear()
    login(client, company.people.adm)
    response = client.post("/admin/sales/order/add/?kind=refund", {**REFUND, "refund_of": "RF0", "amount": "1"})
    assert "不能对退款再退款（「RF0」本身是退款）" in page(response)
    assert not Order.objects.filter(pk="RF1").exists()
    assert not pending()


def test_a_sale_is_added_and_edited_through_order_record(client, company, sale):
    login(client, company.people.adm)
    added = client.post(
        "/admin/sales/order/add/",
        {"order_id": "SO2", "customer": "C2", "order_date": "2025-04-01", "amount": "50.00", "category": "parts"},
    )
    assert added.status_code == 302, page(added)[:2000]
    assert pending() == {"C2": dt.date(2025, 4, 1)}
    clear()
    negative = client.post(
        "/admin/sales/order/add/",
        {"order_id": "SO3", "customer": "C2", "order_date": "2025-04-01", "amount": "-5", "category": ""},
    )
    assert "金额必须大于 0" in page(negative)
    assert not Order.objects.filter(pk="SO3").exists()

    refund_record(refund_id="RF0", order="SO1", refund_date=dt.date(2025, 3, 2), amount="40.00")
    clear()
    edit = {"customer": "C1", "order_date": "2025-03-01", "amount": "30.00", "category": ""}
    refused = client.post("/admin/sales/order/SO1/change/", edit)
    assert refused.status_code == 200
    assert "修改后的金额 30.00 小于该订单已有的退款合计 40.00" in page(refused)
    assert str(Order.objects.get(pk="SO1").amount) == "100.00"
    assert not pending()

    changed = client.post("/admin/sales/order/SO1/change/", {**edit, "amount": "90.00"})
    assert changed.status_code == 302, page(changed)[:2000]
    assert str(Order.objects.get(pk="SO1").amount) == "90.00"
    assert pending() == {"C1": dt.date(2025, 3, 1)}


def test_an_add_never_edits_an_order_with_the_same_id(client, company, sale):
    login(client, company.people.adm)
    response = client.post(
        "/admin/sales/order/add/",
        {"order_id": "SO1", "customer": "C2", "order_date": "2025-04-01", "amount": "5.00", "category": ""},
    )
    assert response.status_code == 200
    assert Order.objects.get(pk="SO1").customer_id == "C1"
    assert not pending()


def test_orders_are_never_deleted_in_the_admin(client, company, sale):
    login(client, company.people.adm)
    assert client.post("/admin/sales/order/SO1/delete/", {"post": "yes"}).status_code == 403
    client.post("/admin/sales/order/", {"action": "delete_selected", "_selected_action": ["SO1"], "post": "yes"})
    assert Order.objects.filter(pk="SO1").exists()
    assert not pending()


def test_the_refund_form_has_the_fields_of_refund_record(client, company, sale):
    login(client, company.people.adm)
    form = client.get("/admin/sales/order/add/?kind=refund&refund_of=SO1").context["adminform"].form
    assert list(form.fields) == ["order_id", "refund_of", "order_date", "amount"]
    assert form.initial["refund_of"] == "SO1"
    assert 'href="/admin/sales/order/add/?kind=refund&amp;refund_of=SO1"' in page(
        client.get("/admin/sales/order/SO1/change/")
    )


# --------------------------------------------------------------------------- #
# Ownership rows: assignment_open and assignment_close
# --------------------------------------------------------------------------- #


def test_an_overlapping_assignment_shows_the_services_message_and_writes_nothing(client, company):
    login(client, company.people.adm)
    rows = sorted(map(repr, Assignment.objects.values()))
    response = client.post(
        "/admin/customers/assignment/add/",
        {"customer": "C5", "role": "sales", "staff": "S2", "valid_from": company.today.isoformat(),
         "reason": "reassignment", "note": ""},
    )
    assert response.status_code == 200
    tomorrow = company.today + dt.timedelta(days=1)
    assert (
        f"客户「C5」的销售归属 [{company.today.isoformat()}, …) 与已有的归属（S1，[{tomorrow.isoformat()}, …)）重叠"
        in page(response)
    )
    assert sorted(map(repr, Assignment.objects.values())) == rows
    assert not pending()


@pytest.mark.parametrize("role", ["gm", "m_east", "adm"])
def test_a_new_owner_is_recorded_by_assignment_open_with_its_change_fact(client, company, role):
    login(client, getattr(company.people, role))
    response = client.post(
        "/admin/customers/assignment/add/",
        {"customer": "C2", "role": "sales", "staff": "S3", "valid_from": "2024-06-01",
         "reason": "reassignment", "note": "调整"},
    )
    assert response.status_code == 302, page(response)[:2000]
    rows = list(Assignment.objects.filter(customer_id="C2").order_by("valid_from").values_list(
        "staff_id", "valid_from", "valid_to", "reason"))
    assert rows == [
        ("S2", dt.date(2020, 1, 1), dt.date(2024, 6, 1), "developed"),
        ("S3", dt.date(2024, 6, 1), None, "reassignment"),
    ]
    assert pending() == {"C2": dt.date(2024, 6, 1)}


def test_editing_an_assignment_closes_it_through_assignment_close(client, company):
    login(client, company.people.adm)
    row = Assignment.objects.get(customer_id="C3")
    form = client.get(f"/admin/customers/assignment/{row.pk}/change/").context["adminform"].form
    assert list(form.fields) == ["valid_to"]  # holder and start are history

    refused = client.post(f"/admin/customers/assignment/{row.pk}/change/", {"valid_to": "2019-01-01"})
    assert refused.status_code == 200
    assert "截止日期 2019-01-01 必须晚于起始日期 2020-01-01" in page(refused)
    assert not pending()

    closed = client.post(f"/admin/customers/assignment/{row.pk}/change/", {"valid_to": "2025-02-01"})
    assert closed.status_code == 302, page(closed)[:2000]
    assert Assignment.objects.get(pk=row.pk).valid_to == dt.date(2025, 2, 1)
    assert pending() == {"C3": dt.date(2025, 2, 1)}


def test_assignments_are_never_deleted_in_the_admin(client, company):
    login(client, company.people.adm)
    row = Assignment.objects.get(customer_id="C3")
    assert client.post(f"/admin/customers/assignment/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Assignment.objects.filter(pk=row.pk).exists()


def test_an_old_version_of_an_assignment_is_shown_never_saved_back(client, company):
    login(client, company.people.adm)
    row = Assignment.objects.get(customer_id="C3")
    version = row.history.latest().history_id
    url = f"/admin/customers/assignment/{row.pk}/history/{version}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"valid_to": "2025-02-01"}).status_code == 403
    assert Assignment.objects.get(pk=row.pk).valid_to is None
    assert not pending()


# --------------------------------------------------------------------------- #
# Staff and customers
# --------------------------------------------------------------------------- #


STAFF_S3 = {"name": "员工S3", "role": "sales", "team": "", "hired_on": "2020-01-01", "left_on": "", "user": ""}


def test_a_leaving_date_goes_through_staff_upsert_with_its_change_fact(client, company):
    login(client, company.people.adm)
    s3 = company.people.s3
    data = {**STAFF_S3, "team": str(s3.staff.team_id), "user": str(s3.user.pk)}
    refused = client.post("/admin/staff/staff/S3/change/", {**data, "left_on": "2019-12-31"})
    assert refused.status_code == 200
    assert "离职日期必须晚于入职日期" in page(refused)
    assert Staff.objects.get(pk="S3").left_on is None
    assert not pending()

    response = client.post("/admin/staff/staff/S3/change/", {**data, "left_on": "2025-06-01"})
    assert response.status_code == 302, page(response)[:2000]
    staff = Staff.objects.get(pk="S3")
    assert (staff.left_on, staff.team_id, staff.user_id) == (dt.date(2025, 6, 1), s3.staff.team_id, s3.user.pk)
    assert pending() == {"C3": None}


def test_a_team_change_records_no_fact_and_staff_are_never_deleted(client, company):
    login(client, company.people.adm)
    s3 = company.people.s3
    east = company.people.s1.staff.team_id
    response = client.post("/admin/staff/staff/S3/change/", {**STAFF_S3, "team": str(east), "user": str(s3.user.pk)})
    assert response.status_code == 302, page(response)[:2000]
    assert Staff.objects.get(pk="S3").team_id == east
    assert not pending()
    assert client.post("/admin/staff/staff/S3/delete/", {"post": "yes"}).status_code == 403


def test_a_new_login_is_linked_by_staff_user_link(client, company, django_user_model):
    login(client, company.people.adm)
    user = django_user_model.objects.create_user("new-s3", password="x")
    response = client.post("/admin/staff/staff/S3/change/", {**STAFF_S3, "user": str(user.pk)})
    assert response.status_code == 302, page(response)[:2000]
    user.refresh_from_db()
    assert Staff.objects.get(pk="S3").user_id == user.pk
    assert [g.name for g in user.groups.all()] == ["sales"]


def test_customers_are_neither_added_nor_deleted_and_their_commission_facts_stay_read_only(client, company):
    login(client, company.people.gm)
    assert client.post("/admin/customers/customer/add/", {"customer_id": "C9", "name": "新客户"}).status_code == 403
    assert client.post("/admin/customers/customer/C2/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        "/admin/customers/customer/C2/change/",
        {
            "name": "改名客户",
            "tier": "key",
            "acquired_on": "2020-01-01",
            "acquired_by": "S3",
            "referred_by": "C1",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, page(response)[:2000]
    customer = Customer.objects.get(pk="C2")
    assert (customer.name, customer.tier, customer.acquired_by_id, customer.referred_by_id) == (
        "改名客户",
        "key",
        None,
        None,
    )
    assert not pending()
