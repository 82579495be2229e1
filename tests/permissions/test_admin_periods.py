"""Locking, unlocking and statements from the admin: only through the
services `tandem periods lock|unlock` and `tandem statements issue|pay` use,
with their checks, their audit and their messages."""

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
from tandem.commissions.periods import period_lock
from tandem.commissions.statements import statements_issue, statements_mark_paid
from tandem.core.changes import facts_pending
from tandem.core.models import Subject
from tandem.sales.services import order_record
from tests.commissions.worked import default_plan

from .test_admin import login, page

LOCK = "/admin/commissions/periodlock/lock/"
LOCKS = "/admin/commissions/periodlock/"


def unlock_url(period):
    return f"/admin/commissions/periodlock/{period}/unlock/"


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def february(company):
    """An order of C1 (S1 sales, V1 service) in February, not yet computed."""
    default_plan()
    order_record(order_id="SO-FEB", customer="C1", order_date=dt.date(2025, 2, 10), amount="1000.00")


@pytest.mark.parametrize("role", ["fin", "adm"])
def test_the_lock_page_runs_the_commissions_then_locks_and_records_the_event(client, company, february, role):
    who = getattr(company.people, role)
    login(client, who)
    assert client.get(LOCKS).context["has_lock_permission"] is True
    runs = CommissionRun.objects.count()
    response = client.post(LOCK, {"period": "2025-02"}, follow=True)
    assert messages_of(response) == ["2025-02 已锁账。"]
    assert PeriodLock.objects.get().period == "2025-02"
    assert PeriodLock.objects.get().locked_by == who.user
    event = PeriodEvent.objects.get()
    assert (event.period, event.action, event.by, event.actor) == ("2025-02", "lock", who.user, who.user.username)
    # As `tandem periods lock`: an incremental run first, so the month holds today's truth.
    assert CommissionRun.objects.count() == runs + 1
    assert sorted(CommissionLine.objects.filter(period="2025-02").values_list("staff_id", "amount_cents")) == [
        ("S1", 3500),
        ("V1", 1500),
    ]
    assert not facts_pending()


@pytest.mark.parametrize("role", ["gm", "m_east"])
def test_managers_may_not_lock_a_month(client, company, february, role):
    login(client, getattr(company.people, role))
    assert client.get(LOCKS).context["has_lock_permission"] is False
    assert client.get(LOCK).status_code == 403
    assert client.post(LOCK, {"period": "2025-02"}).status_code == 403
    assert not PeriodLock.objects.exists()
    assert not PeriodEvent.objects.exists()


def test_the_lock_services_refusals_are_shown_as_messages(client, company, february):
    login(client, company.people.fin)
    bad = client.post(LOCK, {"period": "2025-13"})
    assert bad.status_code == 200
    assert messages_of(bad) == ["期间格式应为 YYYY-MM（如 2026-04），收到：2025-13"]
    period_lock(period="2025-02", actor="finance")
    again = client.post(LOCK, {"period": "2025-02"})
    assert messages_of(again) == ["2025-02 已锁账。"] and again.status_code == 200
    assert PeriodEvent.objects.count() == 1


@pytest.mark.parametrize("role", ["gm", "m_east", "adm"])
def test_unlocking_asks_for_a_reason_and_is_audited_like_the_service(client, company, february, role):
    period_lock(period="2025-02", actor="finance")
    who = getattr(company.people, role)
    login(client, who)
    form = client.get(unlock_url("2025-02"))
    assert form.status_code == 200
    assert 'name="reason"' in page(form)

    blank = client.post(unlock_url("2025-02"), {"reason": "  "})
    assert blank.status_code == 200
    assert messages_of(blank) == ["解锁期间必须填写原因。"]
    assert PeriodLock.objects.filter(period="2025-02").exists()

    done = client.post(unlock_url("2025-02"), {"reason": "补录退款"}, follow=True)
    assert messages_of(done) == ["2025-02 已解锁。"]
    assert not PeriodLock.objects.exists()
    event = PeriodEvent.objects.get(action="unlock")
    assert (event.period, event.by, event.actor, event.reason) == ("2025-02", who.user, who.user.username, "补录退款")
    assert [(f.subject, f.ident) for f in facts_pending()] == [(Subject.PERIOD, "2025-02")]


def test_finance_is_refused_unlocking_with_the_services_message(client, company, february):
    period_lock(period="2025-02", actor="finance")
    login(client, company.people.fin)
    response = client.post(unlock_url("2025-02"), {"reason": "补录退款"})
    assert messages_of(response) == ["只有经理或管理员可以解锁期间。"]
    assert PeriodLock.objects.filter(period="2025-02").exists()
    assert not PeriodEvent.objects.filter(action="unlock").exists()


def test_a_paid_month_is_not_unlocked(client, company, february):
    period_lock(period="2025-02", actor="finance")
    statements_issue(period="2025-02")
    statements_mark_paid(period="2025-02", staff_id="S1")
    login(client, company.people.gm)
    response = client.post(unlock_url("2025-02"), {"reason": "补录退款"})
    assert messages_of(response) == ["2025-02 已有提成结算单发放，不能解锁。"]
    assert PeriodLock.objects.filter(period="2025-02").exists()
    assert not PeriodEvent.objects.filter(action="unlock").exists()


def test_statements_are_issued_and_paid_only_by_the_statements_services(client, company, february):
    period_lock(period="2025-02", actor="finance")
    login(client, company.people.fin)
    issued = client.post(
        LOCKS, {"action": "issue_statements", "_selected_action": ["2025-02"]}, follow=True
    )
    assert messages_of(issued) == ["2025-02 出具结算单 2 份。"]
    assert sorted(Statement.objects.values_list("staff_id", "status", "total_cents")) == [
        ("S1", "issued", 3500),
        ("V1", "issued", 1500),
    ]
    s1 = Statement.objects.get(staff_id="S1")
    paid = client.post(
        "/admin/commissions/statement/", {"action": "mark_paid", "_selected_action": [s1.pk]}, follow=True
    )
    assert messages_of(paid) == ["2025-02 已标记发放 1 份。"]
    assert dict(Statement.objects.values_list("staff_id", "status")) == {"S1": "paid", "V1": "issued"}


@pytest.mark.parametrize("role", ["gm", "m_east"])
def test_managers_have_no_statement_actions(client, company, february, role):
    period_lock(period="2025-02", actor="finance")
    statements_issue(period="2025-02")
    login(client, getattr(company.people, role))
    client.post(LOCKS, {"action": "issue_statements", "_selected_action": ["2025-02"]})
    s1 = Statement.objects.get(staff_id="S1")
    client.post("/admin/commissions/statement/", {"action": "mark_paid", "_selected_action": [s1.pk]})
    assert set(Statement.objects.values_list("status", flat=True)) == {"issued"}
    assert Statement.objects.count() == 2


def test_unlocking_a_month_that_is_not_locked_says_so(client, company):
    login(client, company.people.gm)
    response = client.get(unlock_url("2025-03"), follow=True)
    assert messages_of(response) == ["2025-03 未锁账。"]
    assert not PeriodEvent.objects.exists()
