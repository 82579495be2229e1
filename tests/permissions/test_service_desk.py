"""Who sees which work queues, scorecards and complaints: a service person
their own, a team manager the team's, the general manager everyone's
(conftest: v1 in 客服一组 under m_svc; gm; salespeople in two teams)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tandem.scorecards.selectors import figure_evidence, scorecards_visible, team_board
from tandem.service import services
from tandem.service.permissions import visible_callbacks, visible_complaints, visible_staff_ids
from tandem.service.scoring import Period
from tandem.service.selectors import work_queue
from tandem.staff.accounts import staff_user_link
from tandem.staff.models import Staff

from .conftest import PASSWORD


@pytest.fixture
def desk(company):
    """A second service person outside 客服一组, and a complaint, a
    callback and a survey answer for each service person's customer."""
    long_ago = dt.date(2020, 1, 1)
    v2 = Staff.objects.create(staff_id="V2", name="员工V2", role="service", hired_on=long_ago)
    staff_user_link(staff=v2, username="v2", password=PASSWORD)
    from tandem.customers.models import Assignment

    Assignment.objects.create(customer=company.customers.c2, role="service", staff=v2, valid_from=long_ago)
    today = company.today
    services.complaint_record(complaint_id="K1", customer="C1", opened_on=today, severity="normal")
    services.complaint_record(complaint_id="K2", customer="C2", opened_on=today, severity="normal")
    services.callback_schedule(callback_id="B1", customer="C1", due_on=today)
    services.callback_schedule(callback_id="B2", customer="C2", due_on=today)
    services.callback_record(callback_id="B3", customer="C1", staff="V1", called_on=today, outcome="satisfied")
    services.callback_record(callback_id="B4", customer="C2", staff="V2", called_on=today, outcome="satisfied")
    return company


def month(day: dt.date) -> Period:
    return Period.months((day.year, day.month))


def test_visible_staff(desk):
    p = desk.people
    assert visible_staff_ids(p.v1.user) == {"V1"}
    assert visible_staff_ids(p.m_svc.user) == {"M_SVC", "V1"}
    assert visible_staff_ids(p.gm.user) is None
    assert visible_staff_ids(p.s_left.user) == set()


def test_a_service_person_sees_their_own_queue_only(desk):
    p = desk.people
    queue = work_queue(user=p.v1.user, staff_id="V1", on=desk.today)
    assert [c.pk for c in queue.callbacks] == ["B1"]
    assert [c.pk for c in queue.complaints] == ["K1"]
    with pytest.raises(PermissionDenied):
        work_queue(user=p.v1.user, staff_id="V2", on=desk.today)
    # The team's manager sees V1's queue, not V2's; the general manager both.
    assert [c.pk for c in work_queue(user=p.m_svc.user, staff_id="V1", on=desk.today).callbacks] == ["B1"]
    with pytest.raises(PermissionDenied):
        work_queue(user=p.m_svc.user, staff_id="V2", on=desk.today)
    assert [c.pk for c in work_queue(user=p.gm.user, staff_id="V2", on=desk.today).callbacks] == ["B2"]


def test_complaints_and_callbacks_follow_the_people_and_customers_one_may_see(desk):
    p = desk.people
    assert sorted(visible_complaints(p.v1.user).values_list("pk", flat=True)) == ["K1"]
    assert sorted(visible_complaints(p.m_svc.user).values_list("pk", flat=True)) == ["K1"]
    assert sorted(visible_complaints(p.gm.user).values_list("pk", flat=True)) == ["K1", "K2"]
    # s2 sells to C2: sees its complaint and callbacks (not V1's).
    assert sorted(visible_complaints(p.s2.user).values_list("pk", flat=True)) == ["K2"]
    assert sorted(visible_callbacks(p.v1.user).values_list("pk", flat=True)) == ["B1", "B3"]
    assert sorted(visible_callbacks(p.fin.user).values_list("pk", flat=True)) == ["B1", "B2", "B3", "B4"]


def test_scorecards_a_person_the_team_and_everyone(desk):
    p = desk.people
    period = month(desk.today)
    mine = scorecards_visible(user=p.v1.user, period=period)
    assert [c.staff_id for c in mine.cards] == ["V1"]
    assert mine.cards[0].values["answers"] == 1
    team = scorecards_visible(user=p.m_svc.user, period=period)
    assert [c.staff_id for c in team.cards] == ["V1"]
    everyone = scorecards_visible(user=p.gm.user, period=period)
    assert [c.staff_id for c in everyone.cards] == ["S1", "S2", "S3", "V1", "V2"]
    with pytest.raises(PermissionDenied):
        figure_evidence(user=p.v1.user, staff_id="V2", measure="answers", period=period)
    found = figure_evidence(user=p.gm.user, staff_id="V2", measure="satisfied", period=period)
    assert [a.ident for a in found.counted] == ["B4"]


def test_the_team_board_shows_the_people_one_may_see(desk):
    p = desk.people
    period = month(desk.today)
    services.thanks_note_write(staff="V1", author="M_SVC", written_on=desk.today, text="谢谢")
    board = team_board(user=p.m_svc.user, period=period)
    assert [(w.staff_id, w.thanks) for w in board] == [("V1", 1)]
    assert [w.staff_id for w in team_board(user=p.gm.user, period=period)] == ["V1", "V2"]
