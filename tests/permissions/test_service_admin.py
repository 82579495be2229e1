"""The service desk's admin pages are clients of its services: refusals in
the services' words, nothing written behind them, read-only what no service
writes (conftest: C1 held by s1 and v1 under m_svc's team)."""

from __future__ import annotations

import datetime as dt

from tandem.service.models import Callback, Complaint, Notice, OrderStageChange, OrderTracking
from tandem.service.services import order_stage_set

from .conftest import PASSWORD


def login(client, who):
    assert client.login(username=who.user.username, password=PASSWORD)


def page(response) -> str:
    return response.content.decode()


def test_a_complaint_added_in_the_admin_goes_to_the_owner_and_notifies(client, company):
    login(client, company.people.adm)
    response = client.post(
        "/admin/service/complaint/add/",
        {"complaint_id": "K1", "customer": "C1", "opened_on": company.today.isoformat(), "severity": "high",
         "channel": "call", "note": "发错货"},
    )
    assert response.status_code == 302, page(response)[:3000]
    complaint = Complaint.objects.get(pk="K1")
    assert (complaint.owner_id, complaint.status) == ("V1", "open")
    assert [(n.staff_id, n.kind) for n in Notice.objects.all()] == [("V1", "complaint_opened")]


def test_a_refused_callback_shows_the_services_message_and_writes_nothing(client, company):
    login(client, company.people.adm)
    response = client.post(
        "/admin/service/callback/add/",
        {"callback_id": "B1", "customer": "C1", "staff": "S_LEFT", "called_on": company.today.isoformat(),
         "outcome": "satisfied"},
    )
    assert response.status_code == 200
    assert f"员工「S_LEFT」在 {company.today.isoformat()} 不在职" in page(response)
    assert not Callback.objects.exists()


def test_order_follow_up_is_changed_through_the_service_and_its_history_only_shown(client, company):
    from tandem.sales.services import order_record

    order_record(order_id="SO1", customer="C1", order_date=company.today - dt.timedelta(days=2), amount="10")
    order_stage_set(order="SO1", stage="confirmed", on=company.today - dt.timedelta(days=1))
    login(client, company.people.adm)
    response = client.post(
        "/admin/service/ordertracking/SO1/change/",
        {"stage": "exception", "stage_since": company.today.isoformat(), "exception_reason": ""},
    )
    assert "标记为异常时必须填写原因" in page(response)
    response = client.post(
        "/admin/service/ordertracking/SO1/change/",
        {"stage": "exception", "stage_since": company.today.isoformat(), "exception_reason": "客户地址错误"},
    )
    assert response.status_code == 302, page(response)[:3000]
    assert OrderTracking.objects.get(pk="SO1").stage_id == "exception"
    assert [c.actor for c in OrderStageChange.objects.order_by("id")] == ["", "admin"]
    assert client.get("/admin/service/orderstagechange/add/").status_code == 403
    assert client.get("/admin/service/notice/add/").status_code == 403


def test_a_team_manager_sees_only_the_teams_complaints(client, company):
    from tandem.service.services import complaint_record

    complaint_record(complaint_id="K1", customer="C1", opened_on=company.today, severity="low")
    complaint_record(complaint_id="K3", customer="C3", opened_on=company.today, severity="low")
    login(client, company.people.m_svc)
    listing = page(client.get("/admin/service/complaint/"))
    assert "K1" in listing and "K3" not in listing
