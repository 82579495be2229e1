"""A callback that becomes a repeat order, credited to the service owner:
through the services, a commission run and the scorecard, end to end."""

from __future__ import annotations

from datetime import date

import pytest

from tandem.commissions.models import CommissionLine
from tandem.commissions.runs import run_commissions
from tandem.sales.services import order_record
from tandem.scorecards.export import export_rows, parse_range
from tandem.service import selectors, services
from tandem.service.scoring import Rules

from ..commissions.worked import load_worked_example

pytestmark = pytest.mark.django_db
D = date.fromisoformat


def test_a_callback_becomes_a_repeat_order_credited_to_the_service_owner():
    load_worked_example()
    run_commissions(full=True)
    # V2 has served C1 since the handover of 2026-03-01.
    call, _changed = services.callback_record(
        customer="C1", staff="V2", called_on=D("2026-06-01"), outcome="satisfied", score=5,
        note="客户计划六月再订一批设备",
    )
    opportunity = services.opportunity_open(customer="C1", staff="V2", opened_on=call.called_on, callback=call)
    order_record(order_id="O10", customer="C1", order_date=D("2026-06-10"), amount="5000.00")
    services.opportunity_link_order(opportunity=opportunity, order="O10")

    result = run_commissions()  # incremental: the order's change fact
    assert result.customers == 1
    lines = {
        (line.staff_id, line.role): line.amount_cents
        for line in CommissionLine.objects.filter(order_id="O10", kind="sale")
    }
    # Inherited (C1's developer S1 has left): pool 250.00, service 0.70.
    assert lines == {("V2", "service"): 17_500, ("S2", "sales"): 7_500}

    june = {(r[1], r[3]): r[4] for r in export_rows(parse_range("2026-06"), Rules())}
    assert june[("V2", "credited_revenue_repeat")] == "3500.00"
    assert june[("V2", "credited_revenue")] == "3500.00"
    assert june[("V2", "answers")] == june[("V2", "satisfied")] == "1"
    assert june[("S2", "credited_revenue_repeat")] == "1500.00"
    opportunity.refresh_from_db()
    assert opportunity.status == "won"
    assert [link.order_id for link in selectors.opportunity_orders(opportunity)] == ["O10"]


def test_a_referral_given_on_a_callback_reaches_the_referral_crediting():
    from tandem.core.errors import InvalidInput
    from tandem.customers.models import Customer

    load_worked_example()
    run_commissions(full=True)
    assert not CommissionLine.objects.filter(order_id="O6", role="referrer_service").exists()
    # On a callback C1 says it recommended C4 (who has bought once, O6 on
    # 2026-04-10); C1's service owner since 2026-03-01 is V2.
    services.callback_record(
        customer="C1", staff="V2", called_on=D("2026-04-20"), outcome="satisfied", recommends="C4"
    )
    assert Customer.objects.get(pk="C4").referred_by_id == "C1"
    result = run_commissions()  # the customers domain recorded the change fact
    assert result.customers >= 1
    lines = {(line.staff_id, line.role, line.scenario) for line in CommissionLine.objects.filter(order_id="O6")}
    # C4 has no owner of its own: the referrer's service owner takes the pool.
    assert lines == {("V2", "referrer_service", "referral")}
    april = {(r[1], r[3]): r[4] for r in export_rows(parse_range("2026-04"), Rules())}
    assert april[("V2", "referrals")] == "0"  # C4 was acquired in January, not April
    assert april[("V2", "credited_revenue_referral")] == "80.00"
    with pytest.raises(InvalidInput) as error:
        services.callback_record(
            customer="C3", staff="V1", called_on=D("2026-04-21"), outcome="satisfied", recommends="C4"
        )
    assert str(error.value) == "客户「C4」已登记由「C1」转介绍"
