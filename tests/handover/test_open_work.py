"""A confirmed handover moves the leaver's open service work to the
receivers (handover.md §3): planned callbacks, unresolved complaints (the
receiver is notified) and open opportunities; what is done stays."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.handover.services import handover_confirm, staff_leave
from tandem.service import services
from tandem.service.models import Callback, Complaint, Notice, Opportunity

from .test_confirm import LEFT, _company

D = dt.date


@pytest.fixture
def company(db):
    _company()


def test_the_leavers_open_work_goes_to_the_receivers(company):
    planned = services.callback_schedule(callback_id="B1", customer="C1", due_on=D(2026, 3, 10), staff="V1")
    made, _ = services.callback_record(
        callback_id="B2", customer="C1", staff="V1", called_on=D(2026, 2, 10), outcome="satisfied"
    )
    open_complaint, _ = services.complaint_record(
        complaint_id="K1", customer="C2", opened_on=D(2026, 2, 20), severity="normal"
    )
    closed_complaint, _ = services.complaint_record(
        complaint_id="K2", customer="C2", opened_on=D(2026, 2, 1), severity="low", resolved_on=D(2026, 2, 2)
    )
    opportunity = services.opportunity_open(customer="C1", staff="V1", opened_on=D(2026, 2, 10), callback=made)
    assert open_complaint.owner_id == closed_complaint.owner_id == "V1"
    staff_leave(staff_id="V1", left_on=LEFT)
    handover_confirm(staff_id="V1")  # both of V1's customers go to V2
    assert Callback.objects.get(pk=planned.pk).staff_id == "V2"
    assert Callback.objects.get(pk=made.pk).staff_id == "V1"  # a made call stays its caller's
    assert Complaint.objects.get(pk="K1").owner_id == "V2"
    assert Complaint.objects.get(pk="K2").owner_id == "V1"
    assert Opportunity.objects.get(pk=opportunity.pk).staff_id == "V2"
    assert Notice.objects.filter(staff_id="V2", complaint_id="K1", kind="complaint_opened").exists()


def test_a_salespersons_handover_moves_their_open_opportunities(company):
    call, _ = services.callback_record(
        callback_id="B1", customer="C3", staff="V2", called_on=D(2026, 2, 10), outcome="satisfied"
    )
    opportunity = services.opportunity_open(customer="C3", staff="L", opened_on=D(2026, 2, 11), callback=call)
    staff_leave(staff_id="L", left_on=LEFT)
    handover_confirm(staff_id="L")  # C3 goes to N1 (tests/handover/test_confirm.py)
    assert Opportunity.objects.get(pk=opportunity.pk).staff_id == "N1"
