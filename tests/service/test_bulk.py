"""The bulk writers of the service desk: only real changes written, with
history; the fields files do not carry are kept."""

from __future__ import annotations

from datetime import date

import pytest

from tandem.service import bulk
from tandem.service.models import Callback, Complaint, SurveyAnswer
from tandem.service.services import praise_mark

from ..commissions.worked import load_worked_example

pytestmark = pytest.mark.django_db
D = date.fromisoformat


@pytest.fixture
def company():
    load_worked_example()


def test_callbacks_only_real_changes_with_history(company):
    rows = {
        "B1": bulk.CallbackRow("C1", "V1", D("2026-02-01"), "satisfied", 5, ""),
        "B2": bulk.CallbackRow("C3", "V1", D("2026-02-02"), "unreachable", None, "无人接听"),
    }
    assert bulk.callbacks_write_bulk(rows, change_reason="import cb.csv") == (2, 0)
    assert bulk.callbacks_write_bulk(rows, change_reason="import cb.csv") == (0, 0)
    praise_mark(record=Callback.objects.get(pk="B1"))
    changed = {**rows, "B1": rows["B1"]._replace(score=4)}
    assert bulk.callbacks_write_bulk(changed, change_reason="import cb2.csv") == (0, 1)
    record = Callback.objects.get(pk="B1")
    assert (record.score, record.praise) == (4, True)  # praise is not the file's: kept
    history = list(Callback.history.filter(callback_id="B1").order_by("history_date"))
    assert [(h.history_type, h.score, h.history_change_reason) for h in history][0] == ("+", 5, "import cb.csv")
    assert (history[-1].history_type, history[-1].score, history[-1].history_change_reason) == (
        "~", 4, "import cb2.csv"
    )


def test_new_complaints_go_to_the_service_owner_of_the_day(company):
    rows = {
        "K1": bulk.ComplaintRow("C1", D("2026-02-15"), "high", True, "management", None, "越级投诉"),
        "K2": bulk.ComplaintRow("C1", D("2026-03-15"), "low", False, "", D("2026-03-16"), ""),
        "K3": bulk.ComplaintRow("C4", D("2026-03-15"), "low", False, "", None, ""),
    }
    assert bulk.complaints_write_bulk(rows) == (3, 0)
    found = {c.pk: (c.owner_id, c.status) for c in Complaint.objects.all()}
    assert found == {"K1": ("V1", "open"), "K2": ("V2", "resolved"), "K3": (None, "open")}
    reopened = {**rows, "K2": rows["K2"]._replace(resolved_on=None)}
    assert bulk.complaints_write_bulk(reopened) == (0, 1)
    assert Complaint.objects.get(pk="K2").status == "open"


def test_surveys_and_followups(company):
    assert bulk.surveys_write_bulk({"Q1": bulk.SurveyRow("C2", D("2026-03-01"), "neutral", 3, "")}) == (1, 0)
    assert SurveyAnswer.objects.get().score == 3
    rows = {"F1": bulk.FollowUpRow("C2", "S2", D("2026-03-02"), "visit", "送样品")}
    assert bulk.followups_write_bulk(rows) == (1, 0)
    assert bulk.followups_write_bulk({"F1": rows["F1"]._replace(channel="call")}) == (0, 1)


def test_service_participants_for_many_days(company):
    pairs = [("C1", D("2026-02-28")), ("C1", D("2026-03-01")), ("C3", D("2026-03-01")), ("C4", D("2026-03-01"))]
    assert bulk.service_participants(pairs) == {
        ("C1", D("2026-02-28")): "V1",
        ("C1", D("2026-03-01")): "V2",
        ("C3", D("2026-03-01")): "V1",
    }
