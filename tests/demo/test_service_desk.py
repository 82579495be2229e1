"""The demo company's year of service desk history: valid by the files'
rules, realistic in shape, and loaded through the importer and the
service desk's services."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from tandem import demo
from tandem.demo.service_desk import generate_service_history

TODAY = dt.date(2026, 3, 18)
SMALL = 200


@pytest.fixture(scope="module")
def company():
    return demo.generate(seed=7, customers=SMALL, today=TODAY)


@pytest.fixture(scope="module")
def history(company):
    return generate_service_history(company)


def test_a_year_up_to_today(history):
    start = TODAY - dt.timedelta(days=364)
    days = [c.called_on for c in history.callbacks] + [f.followed_on for f in history.followups]
    days += [k.opened_on for k in history.complaints] + [s.answered_on for s in history.surveys]
    assert min(days) >= start and max(days) <= TODAY
    assert history.callbacks and history.followups and history.complaints and history.surveys


def test_calls_and_follow_ups_are_made_by_people_working_that_day(company, history):
    staff = {s.staff_id: s for s in company.staff}
    for row in [*history.callbacks, *history.followups]:
        day = getattr(row, "called_on", None) or row.followed_on
        assert staff[row.staff_id].is_active_on(day), row


def test_mostly_satisfied_some_escalations_complaints_resolved_after_opened(history):
    outcomes = Counter(c.outcome for c in history.callbacks)
    assert outcomes["satisfied"] > len(history.callbacks) / 2
    assert outcomes["dissatisfied"] > 0 and outcomes["unreachable"] > 0
    assert any(k.escalated for k in history.complaints)
    assert all(k.resolved_on is None or k.resolved_on >= k.opened_on for k in history.complaints)
    assert all(c.score is None or 1 <= c.score <= 5 for c in history.callbacks)


def test_same_seed_same_history(company):
    assert generate_service_history(company) == generate_service_history(company)


@pytest.mark.django_db
def test_the_history_comes_in_through_the_importer_and_the_services():
    from tandem.scorecards.export import export_rows, parse_range
    from tandem.service.models import (
        Callback,
        Complaint,
        FollowUp,
        Opportunity,
        OrderStageChange,
        SurveyAnswer,
        ThanksNote,
    )
    from tandem.service.scoring import Rules

    summary = demo.demo_load(seed=7, customers=SMALL, today=TODAY, run=False)
    assert FollowUp.objects.count() == summary.followups
    assert Callback.objects.filter(called_on__isnull=False).count() == summary.callbacks
    assert Complaint.objects.count() == summary.complaints
    assert SurveyAnswer.objects.count() == summary.surveys
    assert Opportunity.objects.count() == summary.opportunities
    assert set(Callback.history.filter(history_type="+", called_on__isnull=False).values_list(
        "history_change_reason", flat=True)) == {"import demo-callbacks.csv"}
    assert Callback.objects.filter(praise=True).exists() or SurveyAnswer.objects.filter(praise=True).exists()
    assert ThanksNote.objects.exists()
    assert OrderStageChange.objects.filter(actor="demo").exists()
    # Complaints are handled by the service owner of their day.
    assert Complaint.objects.filter(owner__isnull=False).count() > summary.complaints / 2
    rows = export_rows(parse_range("2026-02"), Rules())
    answers = [int(r[4]) for r in rows if r[2] == "service" and r[3] == "answers"]
    assert sum(answers) > 0


@pytest.mark.parametrize("seed", [7, 42])
def test_an_order_follows_from_one_opportunity_at_most(seed):
    company = demo.generate(seed=seed, customers=2000, today=dt.date(2026, 12, 2))
    orders = [o for row in generate_service_history(company).opportunities for o in row.order_ids]
    assert orders and len(orders) == len(set(orders))
