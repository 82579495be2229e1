"""Scorecards read from the database (spec/service-desk.md), on the worked
example of commission-rules.md: S1 sales (left 2026-03-01), S2 sales, V1
and V2 service; C1 developed by S1 and handed over to S2/V2 on 2026-03-01,
C2 referred by C1, C3 developed by S1 never handed over, C4 unowned."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tandem.scorecards.export import export_rows, parse_range
from tandem.scorecards.inputs import gather
from tandem.service import scoring
from tandem.service.models import Callback, Complaint, SurveyAnswer
from tandem.service.scoring import Period, Rules
from tandem.staff.models import Staff, Team

from ..commissions.worked import load_worked_example

pytestmark = pytest.mark.django_db
D = date.fromisoformat


@pytest.fixture
def company():
    load_worked_example()


def table(period: Period) -> dict[tuple[str, str], str]:
    return {(row[1], row[3]): row[4] for row in export_rows(period, Rules())}


def callback(ident: str, customer: str, day: str, outcome: str, staff: str = "V1") -> Callback:
    return Callback.objects.create(
        callback_id=ident, customer_id=customer, staff_id=staff, called_on=D(day), outcome=outcome
    )


def complaint(ident: str, customer: str, opened: str, *, escalated=False, severity="normal", resolved=None):
    return Complaint.objects.create(
        complaint_id=ident, customer_id=customer, opened_on=D(opened), severity=severity, escalated=escalated,
        resolved_on=D(resolved) if resolved else None,
    )


# --------------------------------------------------------------------------- #
# Credited revenue: the commission rules' participants, scenarios and weights
# --------------------------------------------------------------------------- #


def test_credited_revenue_of_february_new_and_referral(company):
    shown = table(parse_range("2026-02"))
    # O1: C1's first order, standard: S1 0.70, V1 0.30 of 1000.00.
    assert shown[("S1", "credited_revenue_new")] == "700.00"
    assert shown[("V1", "credited_revenue_new")] == "300.00"
    # O2: C2's first order, referred by C1 (V1 its service that day):
    # S2 0.70 of 333.33 = 233.331 → 233.33; V1 0.30 = 99.999 → 100.00.
    assert shown[("S2", "credited_revenue_referral")] == "233.33"
    assert shown[("V1", "credited_revenue_referral")] == "100.00"
    assert shown[("V1", "credited_revenue")] == "400.00"
    assert shown[("V2", "credited_revenue")] == "0.00"


def test_credited_revenue_of_april_inherited_and_of_may_refund(company):
    april = table(parse_range("2026-04"))
    # O3: inherited (S1 left): V2 0.70, S2 0.30 of 2000.00; a repeat order.
    assert april[("V2", "credited_revenue_repeat")] == "1400.00"
    assert april[("S2", "credited_revenue_repeat")] == "600.00"
    # O4: C3's first order, inherited, no sales participant: V1 takes all.
    assert april[("V1", "credited_revenue_new")] == "100.00"
    # S1 left before April: not listed.
    assert ("S1", "credited_revenue") not in april
    may = table(parse_range("2026-05"))
    # O5 refunds 500.00 of O3, at O3's weights.
    assert may[("V2", "credited_revenue")] == "-350.00"
    assert may[("V2", "credited_revenue_repeat")] == "-350.00"
    assert may[("S2", "credited_revenue")] == "-150.00"
    both = table(parse_range("2026-04", "2026-05"))
    assert both[("V2", "credited_revenue")] == "1050.00"


def test_credited_revenue_needs_a_plan_in_force(company):
    from tandem.commissions.models import Plan

    Plan.objects.update(effective_from=D("2026-03-01"))
    shown = table(parse_range("2026-02"))
    assert shown[("V1", "credited_revenue")] == "0.00"
    assert table(parse_range("2026-04"))[("V2", "credited_revenue")] == "1400.00"


# --------------------------------------------------------------------------- #
# Attribution is a snapshot
# --------------------------------------------------------------------------- #


def test_a_later_owner_does_not_inherit_an_earlier_complaint(company):
    complaint("K1", "C1", "2026-02-15", escalated=True)  # V1 served C1 then
    callback("B1", "C1", "2026-02-16", "dissatisfied", staff="V2")  # whoever called
    shown = table(parse_range("2026-02", "2026-05"))
    assert shown[("V1", "complaints")] == "1"
    assert shown[("V1", "escalation_penalty")] == "2"
    assert shown[("V1", "answers")] == "1"
    assert shown[("V2", "complaints")] == "0"
    assert shown[("V2", "answers")] == "0"
    assert shown[("V2", "escalation_penalty")] == "0"


def test_an_answer_with_no_service_owner_that_day_is_credited_to_nobody(company):
    callback("B1", "C4", "2026-04-12", "satisfied")  # C4 has no owner
    SurveyAnswer.objects.create(survey_id="Q1", customer_id="C4", answered_on=D("2026-04-13"), answer="dissatisfied")
    complaint("K1", "C4", "2026-04-14", escalated=True)
    rows = export_rows(parse_range("2026-04"), Rules())
    nobody = [r for r in rows if r[1] == ""]
    assert [r[3] for r in nobody] == [m for m, _k in scoring.NOBODY_MEASURES]
    assert all(r[2] == "" for r in nobody)
    values = {r[3]: r[4] for r in nobody}
    assert (values["answers"], values["satisfied"], values["csat"]) == ("2", "1", "0.5000")
    assert (values["complaints"], values["escalations"], values["escalation_penalty"]) == ("1", "1", "2")
    # The row set comes first (sorted by staff_id), then the people.
    assert rows[0][1] == ""
    assert [r[1] for r in rows[len(nobody):]] == sorted(r[1] for r in rows[len(nobody):])


def test_no_nobody_row_set_when_everything_is_credited(company):
    callback("B1", "C3", "2026-04-12", "satisfied")
    assert all(r[1] for r in export_rows(parse_range("2026-04"), Rules()))


def test_an_unreachable_callback_is_not_an_answer(company):
    callback("B1", "C3", "2026-04-12", "unreachable")
    callback("B2", "C3", "2026-04-13", "neutral")
    shown = table(parse_range("2026-04"))
    assert (shown[("V1", "answers")], shown[("V1", "csat")]) == ("1", "0.0000")


# --------------------------------------------------------------------------- #
# Recovery against real orders
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(("day", "recovered"), [("2025-11-12", "1"), ("2025-11-11", "0")])
def test_an_order_on_the_90th_day_recovers_an_answer_not_on_the_91st(company, day, recovered):
    # O1 (C1, 2026-02-10) is 90 days after 2025-11-12, 91 after 2025-11-11.
    callback("B1", "C1", day, "dissatisfied")
    callback("B2", "C1", "2025-11-20", "satisfied")
    complaint("K1", "C1", day)
    shown = table(parse_range("2025-11"))
    assert shown[("V1", "recovered")] == recovered
    assert shown[("V1", "complaints_recovered")] == recovered
    expected = scoring.wilson_lower(1, 1 if recovered == "1" else 2)
    assert shown[("V1", "csat_adjusted_lower")] == scoring.format_value("csat_lower", expected)


def test_a_refund_does_not_recover(company):
    # O5 (2026-05-03) is a refund: C1's next sale order after 2026-04-10 is none.
    callback("B1", "C1", "2026-04-10", "dissatisfied", staff="V2")
    assert table(parse_range("2026-04"))[("V2", "recovered")] == "0"


# --------------------------------------------------------------------------- #
# Complaints
# --------------------------------------------------------------------------- #


def test_a_complaint_resolved_exactly_at_its_sla(company):
    complaint("K1", "C3", "2026-04-01", severity="high", resolved="2026-04-02")
    complaint("K2", "C3", "2026-04-01", severity="high", resolved="2026-04-03")
    complaint("K3", "C3", "2026-04-01", severity="low")
    shown = table(parse_range("2026-04"))
    assert (shown[("V1", "complaints")], shown[("V1", "complaints_in_sla")]) == ("3", "1")
    assert shown[("V1", "sla_rate")] == "0.3333"


# --------------------------------------------------------------------------- #
# Accounts
# --------------------------------------------------------------------------- #


def test_referrals_are_credited_to_the_referrers_service_owner_that_day(company):
    february = table(parse_range("2026-02"))
    assert february[("V1", "referrals")] == "1"
    assert february[("V2", "referrals")] == "0"


def test_inherited_retention_when_the_window_ends_in_the_trailing_year(company):
    # S1 left on 2026-03-01 (D); D + 180 days = 2026-08-28.
    august = table(parse_range("2026-08"))
    assert august[("V2", "inherited_retention")] == "1.0000"  # C1, ordered 2026-04-02
    assert august[("V1", "inherited_retention")] == "1.0000"  # C3, ordered 2026-04-05
    # Before the window has ended it is not counted yet.
    assert table(parse_range("2026-07"))[("V1", "inherited_retention")] == ""


def test_repeat_rate_and_key_retention(company):
    from tandem.sales.models import Order

    Order.objects.create(order_id="O9", customer_id="C3", order_date=D("2026-06-01"), amount=Decimal("10.00"))
    june = table(parse_range("2026-06"))
    # On 2026-06-30 V1 serves C3 (2 orders in the year), V2 serves C1 (O1,
    # O3) and C2 (O2).
    assert june[("V1", "repeat_rate")] == "1.0000"
    assert june[("V2", "repeat_rate")] == "0.5000"
    february = table(parse_range("2026-02"))
    # C1 is a key account; on 2025-03-01 its salesperson was S1.
    assert february[("S1", "key_retention")] == "1.0000"
    assert february[("S2", "key_retention")] == ""


# --------------------------------------------------------------------------- #
# The score: team medians
# --------------------------------------------------------------------------- #


def test_the_median_target_is_taken_within_the_team(company):
    team = Team.objects.create(name="客服一组", department="service")
    Staff.objects.filter(staff_id__in=["V1", "V2"]).update(team=team)
    cards = {g.staff_id: g for g in gather(parse_range("2026-04"), Rules()).people}
    assert cards["V1"].team == cards["V2"].team == str(team.pk)
    shown = table(parse_range("2026-04"))
    # Scored in April on credited revenue (weight 40) and repeat rate (10),
    # renormalised to 80 and 20. Credited revenue 100.00 and 1400.00 →
    # target 750.00: V1 r = 2/15, V2 capped at 1.5. Repeat rate 0.0000 (C3)
    # and 0.5000 (C1 yes, C2 no) → target 0.25: V1 r = 0, V2 capped at 1.5.
    assert shown[("V1", "score")] == "10.67"
    assert shown[("V2", "score")] == "150.00"


def test_export_rows_have_the_spec_columns_and_measure_order(company):
    rows = export_rows(parse_range("2026-01", "2026-12"), Rules())
    assert {r[0] for r in rows} == {"2026-01..2026-12"}
    by_person: dict[str, list[str]] = {}
    for r in rows:
        by_person.setdefault(r[1], []).append(r[3])
    assert by_person["V1"] == [m for m, _k in scoring.SERVICE_MEASURES]
    assert by_person["S2"] == [m for m, _k in scoring.SALES_MEASURES]
    assert {r[2] for r in rows if r[1] == "S2"} == {"sales"}


@pytest.mark.parametrize("months", [("2026-02",), ("2026-04", "2026-05"), ("2026-01", "2026-12")])
def test_the_exports_totals_are_the_detailed_figures(company, months):
    complaint("K1", "C1", "2026-02-15", escalated=True)
    callback("B1", "C3", "2026-04-16", "dissatisfied")
    period = parse_range(*months)
    detailed = gather(period, Rules())
    totals = gather(period, Rules(), detail=False)
    assert [scoring.person_values(f, period, Rules()) for f in detailed.people] == [
        scoring.person_values(f, period, Rules()) for f in totals.people
    ]
    assert any(f.credits for f in detailed.people)
