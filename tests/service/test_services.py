"""The service desk's services, one record at a time, on the worked example
(S1 sales left 2026-03-01, S2 sales, V1/V2 service; C1 handed to S2/V2 on
2026-03-01, C3 kept by V1, C4 unowned)."""

from __future__ import annotations

from datetime import date

import pytest

from tandem.core.errors import InvalidInput
from tandem.core.rules import RuleError
from tandem.service import selectors, services
from tandem.service.models import (
    Callback,
    Complaint,
    FollowUp,
    Notice,
    OrderStageChange,
    ScorecardRuleSet,
)
from tandem.staff.models import Staff, Team

from ..commissions.worked import load_worked_example

pytestmark = pytest.mark.django_db
D = date.fromisoformat


@pytest.fixture
def company():
    load_worked_example()


# --------------------------------------------------------------------------- #
# Follow-ups
# --------------------------------------------------------------------------- #


def test_followup_upserts_by_id_and_keeps_history(company):
    record, changed = services.followup_record(
        followup_id="F1", customer="C1", staff="S2", followed_on=D("2026-04-01"), channel="visit",
        note="拜访采购部", next_step="报价", next_due_on=D("2026-04-05"),
    )
    assert changed and record.staff_id == "S2"
    _same, changed = services.followup_record(
        followup_id="F1", customer="C1", staff="S2", followed_on=D("2026-04-01"), channel="visit",
        note="拜访采购部", next_step="报价", next_due_on=D("2026-04-05"),
    )
    assert not changed
    services.followup_record(
        followup_id="F1", customer="C1", staff="S2", followed_on=D("2026-04-01"), channel="call",
        note="拜访采购部", next_step="报价", next_due_on=D("2026-04-05"),
    )
    assert [h.channel for h in FollowUp.history.filter(followup_id="F1").order_by("history_date")] == ["visit", "call"]
    assert list(selectors.next_steps_due(staff="S2", on=D("2026-04-05"))) == [FollowUp.objects.get()]
    services.followup_next_step_done(followup=record, on=D("2026-04-04"))
    assert list(selectors.next_steps_due(staff="S2", on=D("2026-04-05"))) == []


def test_followup_refusals(company):
    with pytest.raises(RuleError) as error:
        services.followup_record(customer="C1", staff="S1", followed_on=D("2026-03-01"), channel="call")
    assert str(error.value) == "员工「S1」在 2026-03-01 不在职"
    with pytest.raises(RuleError) as error:
        services.followup_record(customer="C1", staff="V1", followed_on=D("2026-03-01"), channel="fax")
    assert str(error.value) == "未知的方式「fax」（允许：call, visit, message, email, other）"
    with pytest.raises(RuleError) as error:
        services.followup_record(customer="C9", staff="V1", followed_on=D("2026-03-01"), channel="call")
    assert str(error.value) == "未知的客户「C9」"


def test_last_followups_feed_the_pool(company):
    services.followup_record(customer="C3", staff="V1", followed_on=D("2026-04-01"), channel="call")
    services.followup_record(customer="C3", staff="V1", followed_on=D("2026-06-01"), channel="call")
    assert selectors.last_followups(["C3", "C4"], on=D("2026-05-01")) == {"C3": D("2026-04-01")}


# --------------------------------------------------------------------------- #
# Order follow-up
# --------------------------------------------------------------------------- #


def test_order_stages_record_who_and_when_and_schedule_the_callback(company, django_user_model):
    user = django_user_model.objects.create(username="v2")
    services.order_stage_set(order="O3", stage="confirmed", on=D("2026-04-02"), user=user)
    services.order_stage_set(order="O3", stage="shipped", on=D("2026-04-04"), actor="cli")
    services.order_stage_set(order="O3", stage="delivered", on=D("2026-04-06"))
    changes = list(OrderStageChange.objects.filter(order_id="O3").order_by("id"))
    assert [(c.from_stage_id, c.to_stage_id, c.changed_on) for c in changes] == [
        (None, "confirmed", D("2026-04-02")),
        ("confirmed", "shipped", D("2026-04-04")),
        ("shipped", "delivered", D("2026-04-06")),
    ]
    assert changes[0].changed_by == user and changes[1].actor == "cli"
    planned = Callback.objects.get(order_id="O3")
    # 7 days after delivery, for C1's service owner then (V2).
    assert (planned.due_on, planned.staff_id, planned.reason) == (D("2026-04-13"), "V2", "after_delivery")
    # Delivered again (after an exception, say): still one callback.
    services.order_stage_set(order="O3", stage="exception", on=D("2026-04-07"), reason="外箱破损")
    services.order_stage_set(order="O3", stage="delivered", on=D("2026-04-09"))
    assert Callback.objects.filter(order_id="O3").count() == 1
    assert list(selectors.callback_queue(staff="V2", on=D("2026-04-12"))) == []
    assert list(selectors.callback_queue(staff="V2", on=D("2026-04-13"))) == [planned]


def test_an_exception_needs_a_reason(company):
    with pytest.raises(InvalidInput) as error:
        services.order_stage_set(order="O3", stage="exception", on=D("2026-04-03"))
    assert str(error.value) == "标记为异常时必须填写原因"
    with pytest.raises(InvalidInput) as error:
        services.order_stage_set(order="O5", stage="shipped", on=D("2026-05-03"))
    assert str(error.value) == "「O5」是退款，不是订单"


def test_the_order_queue_shows_late_shipment_no_confirmation_and_overdue_payment(company):
    services.order_stage_set(order="O3", stage="confirmed", on=D("2026-04-02"))
    services.order_tracking_dates_set(order="O3", payment_due_on=D("2026-04-20"))
    services.order_stage_set(order="O4", stage="shipped", on=D("2026-04-06"))
    work = {w.tracking.order_id: w.reasons for w in selectors.order_queue(staff="V2", on=D("2026-04-05"))}
    assert work == {}  # shipping is due 3 days after the order: 2026-04-05
    work = {w.tracking.order_id: w.reasons for w in selectors.order_queue(staff="V2", on=D("2026-04-21"))}
    assert work == {"O3": (selectors.LATE_SHIPMENT, selectors.PAYMENT_OVERDUE)}
    # O4 (C3, V1): shipped on 04-06, not confirmed 7 days later.
    assert [w.reasons for w in selectors.order_queue(staff="V1", on=D("2026-04-13"))] == []
    assert [w.reasons for w in selectors.order_queue(staff="V1", on=D("2026-04-14"))] == [(selectors.NOT_CONFIRMED,)]
    services.order_stage_set(order="O4", stage="completed", on=D("2026-04-15"))
    assert selectors.order_queue(staff="V1", on=D("2026-05-01")) == []


# --------------------------------------------------------------------------- #
# Callbacks
# --------------------------------------------------------------------------- #


def test_scheduling_no_contact_for_90_days(company):
    services.followup_record(customer="C1", staff="V2", followed_on=D("2026-03-10"), channel="call")
    services.callback_record(customer="C3", staff="V1", called_on=D("2026-03-10"), outcome="unreachable")
    counts = services.callbacks_schedule(on=D("2026-06-01"))
    planned = {c.customer_id: c for c in Callback.objects.filter(called_on__isnull=True)}
    # C1 was reached on 03-10 (83 days before); C3's call did not reach
    # them; C2 was acquired 2026-02-20 (101 days) and never contacted; C4
    # has no owner: planned for nobody.
    assert set(planned) == {"C2", "C3", "C4"}
    assert counts["no_contact"] == 3
    assert (planned["C3"].staff_id, planned["C3"].due_on, planned["C3"].reason) == ("V1", D("2026-06-01"), "no_contact")
    assert planned["C4"].staff_id is None
    assert services.callbacks_schedule(on=D("2026-06-02"))["no_contact"] == 0  # already planned


def test_recording_a_planned_callback_completes_it(company):
    planned = services.callback_schedule(customer="C3", due_on=D("2026-04-20"))
    assert planned.staff_id == "V1"
    record, changed = services.callback_record(
        callback_id=planned.pk, customer="C3", staff="V1", called_on=D("2026-04-21"), outcome="satisfied",
        score="5", note="对交期满意", praise=True,
    )
    assert changed and record.reason == "manual" and record.score == 5 and record.praise
    assert list(selectors.callback_queue(staff="V1", on=D("2026-05-01"))) == []


def test_callback_refusals(company):
    with pytest.raises(RuleError) as error:
        services.callback_record(customer="C3", staff="V1", called_on=D("2026-04-21"), outcome="happy")
    assert str(error.value) == "未知的回访结果「happy」（允许：satisfied, neutral, dissatisfied, unreachable）"
    with pytest.raises(RuleError) as error:
        services.callback_record(customer="C3", staff="V1", called_on=D("2026-04-21"), outcome="satisfied", score=6)
    assert str(error.value) == "评分应为 1 到 5 的整数，收到「6」"
    services.callback_record(callback_id="B1", customer="C3", staff="V1", called_on=D("2026-04-21"), outcome="neutral")
    with pytest.raises(InvalidInput) as error:
        services.callback_record(callback_id="B1", customer="C1", staff="V1", called_on=D("2026-04-21"), outcome="neutral")
    assert str(error.value) == "回访「B1」属于客户「C3」"


# --------------------------------------------------------------------------- #
# Opportunities
# --------------------------------------------------------------------------- #


def test_an_opportunity_links_the_orders_that_follow(company):
    call, _changed = services.callback_record(
        customer="C1", staff="V2", called_on=D("2026-03-20"), outcome="satisfied", note="想再订一批"
    )
    opportunity = services.opportunity_open(customer="C1", staff="V2", opened_on=D("2026-03-20"), callback=call)
    services.opportunity_link_order(opportunity=opportunity, order="O3")
    opportunity.refresh_from_db()
    assert opportunity.status == "won" and opportunity.closed_on == D("2026-04-02")
    assert [link.order_id for link in selectors.opportunity_orders(opportunity)] == ["O3"]
    with pytest.raises(InvalidInput) as error:
        services.opportunity_link_order(opportunity=opportunity, order="O1")
    assert str(error.value) == "订单「O1」早于商机创建日期 2026-03-20"
    with pytest.raises(InvalidInput) as error:
        services.opportunity_link_order(opportunity=opportunity, order="O4")
    assert str(error.value) == "订单「O4」不是客户「C1」的订单"
    other = services.opportunity_open(customer="C1", staff="V2", opened_on=D("2026-03-21"))
    with pytest.raises(InvalidInput) as error:
        services.opportunity_link_order(opportunity=other, order="O3")
    assert str(error.value) == "订单「O3」已关联到另一个商机"


# --------------------------------------------------------------------------- #
# Complaints
# --------------------------------------------------------------------------- #


def test_a_complaint_goes_to_the_service_owner_of_the_day_who_is_notified(company):
    complaint, _changed = services.complaint_record(
        complaint_id="K1", customer="C1", opened_on=D("2026-02-15"), severity="high", escalated=True,
        channel="management", note="直接打给总经理",
    )
    assert complaint.owner_id == "V1"  # C1's service owner on 02-15 (V2 from 03-01)
    assert [(n.staff_id, n.kind) for n in Notice.objects.all()] == [("V1", "complaint_opened")]
    assert list(selectors.complaint_queue(staff="V1")) == [complaint]
    services.complaint_take(complaint=complaint, owner="V2")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.owner_id) == ("processing", "V2")
    # Importing or editing it later keeps it in hand.
    services.complaint_record(
        complaint_id="K1", customer="C1", opened_on=D("2026-02-15"), severity="high", escalated=True,
        channel="management", note="直接打给总经理（已回电）",
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.owner_id) == ("processing", "V2")
    services.complaint_resolve(complaint=complaint, resolved_on=D("2026-02-16"), resolution="更换并致歉")
    complaint.refresh_from_db()
    assert complaint.status == "resolved"
    with pytest.raises(RuleError) as error:
        services.complaint_resolve(complaint=complaint, resolved_on=D("2026-02-14"), resolution="x")
    assert str(error.value) == "解决日期不能早于投诉日期"


def test_overdue_complaints_escalate_to_the_service_manager_once(company):
    team = Team.objects.create(name="客服一组", department="service")
    Staff.objects.filter(staff_id="V1").update(team=team)
    Staff.objects.create(staff_id="M1", name="赵经理", role="manager", team=team)
    Staff.objects.create(staff_id="GM", name="总经理", role="manager")
    services.complaint_record(complaint_id="K1", customer="C3", opened_on=D("2026-04-01"), severity="normal")
    services.complaint_record(complaint_id="K2", customer="C4", opened_on=D("2026-04-01"), severity="high")
    # normal: 3 days → due 04-04, overdue from 04-05; high (no owner): 04-02.
    assert services.complaints_alert_overdue(on=D("2026-04-02")) == 0
    assert services.complaints_alert_overdue(on=D("2026-04-03")) == 1
    assert services.complaints_alert_overdue(on=D("2026-04-05")) == 1
    assert services.complaints_alert_overdue(on=D("2026-04-06")) == 0
    alerts = sorted(
        (n.staff_id, n.complaint_id) for n in Notice.objects.filter(kind="complaint_overdue")
    )
    assert alerts == [("GM", "K2"), ("M1", "K1")]
    assert Complaint.objects.get(pk="K1").manager_alerted_on == D("2026-04-05")


def test_complaint_refusals(company):
    with pytest.raises(RuleError) as error:
        services.complaint_record(customer="C3", opened_on=D("2026-04-01"), severity="urgent")
    assert str(error.value) == "未知的严重程度「urgent」（允许：low, normal, high）"
    with pytest.raises(RuleError) as error:
        services.complaint_record(
            customer="C3", opened_on=D("2026-04-01"), severity="low", resolved_on=D("2026-03-31")
        )
    assert str(error.value) == "解决日期不能早于投诉日期"


# --------------------------------------------------------------------------- #
# Surveys, praise, thanks
# --------------------------------------------------------------------------- #


def test_surveys_praise_and_thanks(company):
    answer, _changed = services.survey_answer_record(
        survey_id="Q1", customer="C3", answered_on=D("2026-04-03"), answer="satisfied", score=5, comment="王芳很专业"
    )
    services.praise_mark(record=answer)
    callbacks, surveys = selectors.praise_between(D("2026-04-01"), D("2026-04-30"))
    assert (callbacks, [s.pk for s in surveys]) == ([], ["Q1"])
    Staff.objects.create(staff_id="M1", name="赵经理", role="manager")
    note = services.thanks_note_write(staff="V1", author="M1", written_on=D("2026-04-30"), text="谢谢你把 C3 留住了")
    assert list(selectors.thanks_between(D("2026-04-01"), D("2026-04-30"))) == [note]
    with pytest.raises(InvalidInput) as error:
        services.thanks_note_write(staff="V1", author="V2", written_on=D("2026-04-30"), text="谢谢")
    assert str(error.value) == "只有经理可以写感谢留言"


# --------------------------------------------------------------------------- #
# Scorecard rules
# --------------------------------------------------------------------------- #


def test_rules_load_replaces_the_rules_whole(company, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(
        '[scorecards]\nrecovery_days = 60\n[scorecards.targets.service]\nrepeat_rate = "0.4000"\n', encoding="utf-8"
    )
    rules = services.scorecard_rules_load(path=str(path))
    assert services.scorecard_rules() == rules
    assert rules.recovery_days == 60 and str(rules.targets["service"]["repeat_rate"]) == "0.4000"
    path.write_text("[scorecards]\nescalation_cap = 6\n", encoding="utf-8")
    rules = services.scorecard_rules_load(path=str(path))
    assert (rules.recovery_days, rules.escalation_cap, dict(rules.targets["service"])) == (90, 6, {})
    assert ScorecardRuleSet.objects.get().source == "rules.toml"


def test_rules_load_lists_every_problem_and_writes_nothing(company, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        "[scorecards]\nrecovery_days = -5\nsla_days = { urgent = 1 }\n"
        "[scorecards.weights.service]\ncsat = 0.5\nhappiness = 1\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as error:
        services.scorecard_rules_load(path=str(path))
    assert str(error.value) == "考核规则文件无效"
    assert error.value.problems == [
        f"{path}: scorecards.recovery_days: 不能为负数，收到「-5」",
        f"{path}: scorecards.sla_days.urgent: 未知的键",
        f'{path}: scorecards.weights.service.csat: 小数请用引号括起（如 "0.4000"），收到 0.5',
        f"{path}: scorecards.weights.service.happiness: 未知的考核指标「happiness」",
    ]
    assert not ScorecardRuleSet.objects.exists()


def test_the_default_order_states_come_back_when_there_are_none(company):
    from tandem.service.models import OrderStage

    assert not services.order_stages_ensure_default()  # the migration made them
    OrderStage.objects.all().delete()
    assert services.order_stages_ensure_default()
    assert [s.code for s in OrderStage.objects.all()] == [
        "placed", "confirmed", "preparing", "shipped", "delivered", "completed", "exception"
    ]
