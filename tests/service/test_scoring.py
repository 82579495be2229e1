"""The scorecard's pure functions (spec/service-desk.md), without a database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from tandem.core.money import round_half_up
from tandem.service import scoring as s
from tandem.service.scoring import (
    Account,
    Answer,
    Complaint,
    Credit,
    Period,
    PersonFacts,
    Rules,
)

D = date.fromisoformat
APRIL = Period.months((2026, 4))


def answers(n: int, answer: str = s.SATISFIED, day: str = "2026-04-10", start: int = 0) -> list[Answer]:
    return [Answer(f"A{start + i}", "callback", f"C{start + i}", D(day), answer) for i in range(n)]


def complaint(ident: str = "K1", opened: str = "2026-04-10", severity: str = s.NORMAL, escalated: bool = False,
              resolved: str | None = None, next_order: str | None = None) -> Complaint:
    return Complaint(ident, "C1", D(opened), severity, escalated, D(resolved) if resolved else None,
                     D(next_order) if next_order else None)


def values(facts: PersonFacts, period: Period = APRIL, rules: Rules | None = None) -> dict[str, str]:
    computed = s.person_values(facts, period, rules or Rules())
    return {m: s.format_value(m, v) for m, v in computed.items()}


def service_person(**kwargs) -> PersonFacts:
    return PersonFacts("V1", s.SERVICE, **kwargs)


# --------------------------------------------------------------------------- #
# The spec's example
# --------------------------------------------------------------------------- #


def test_ninety_nine_satisfied_and_one_escalated_complaint():
    facts = service_person(
        answers=answers(99) + answers(1, s.DISSATISFIED, start=99),
        complaints=[complaint(escalated=True, severity=s.HIGH)],
    )
    shown = values(facts)
    assert shown["csat"] == "0.9900"
    assert shown["csat_lower"] == "0.9455"
    assert shown["escalations"] == "1"
    assert shown["escalation_penalty"] == "2"
    # The month is not failed: every weighted figure is on its target (a
    # colleague with the same answers, no complaint and no revenue), so the
    # score is 100 less the escalation's 2 points.
    peer = PersonFacts("V2", s.SERVICE, answers=facts.answers)
    card = s.scorecards([facts, peer], APRIL, Rules())[0]
    assert card.penalty == 2
    assert {p.measure for p in card.parts} == {"credited_revenue", "csat_adjusted_lower", "sla_rate"}
    assert all(p.ratio == 1 for p in card.parts)
    assert card.values["score"] == Decimal("98.00")


def test_wilson_lower_bound_of_99_in_100_to_many_digits():
    bound = s.wilson_lower(99, 100)
    assert bound is not None
    assert str(bound).startswith("0.945512475239065393212")
    assert s.format_value("csat_lower", bound) == "0.9455"


# --------------------------------------------------------------------------- #
# Recovery: the 90th and the 91st day
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("days_after", "recovered"), [(0, False), (1, True), (90, True), (91, False)]
)
def test_recovery_window_is_the_90_days_after_the_answer(days_after, recovered):
    day = D("2026-04-10")
    answer = Answer("A1", "callback", "C1", day, s.DISSATISFIED, day + timedelta(days=days_after))
    shown = values(service_person(answers=[answer, *answers(3)]))
    assert shown["recovered"] == ("1" if recovered else "0")
    # Left out of the adjusted figure when recovered: 3 of 3, else 3 of 4.
    expected = s.wilson_lower(3, 3) if recovered else s.wilson_lower(3, 4)
    assert shown["csat_adjusted_lower"] == s.format_value("csat_lower", expected)
    assert shown["csat_lower"] == s.format_value("csat_lower", s.wilson_lower(3, 4))


def test_recovery_days_come_from_the_rules():
    day = D("2026-04-10")
    answer = Answer("A1", "callback", "C1", day, s.DISSATISFIED, day + timedelta(days=30))
    assert values(service_person(answers=[answer]), rules=Rules(recovery_days=29))["recovered"] == "0"
    assert values(service_person(answers=[answer]), rules=Rules(recovery_days=30))["recovered"] == "1"


def test_a_satisfied_or_neutral_answer_is_never_recovered():
    day = D("2026-04-10")
    later = day + timedelta(days=5)
    facts = service_person(
        answers=[
            Answer("A1", "survey", "C1", day, s.SATISFIED, later),
            Answer("A2", "survey", "C2", day, s.NEUTRAL, later),
        ]
    )
    assert values(facts)["recovered"] == "0"


@pytest.mark.parametrize(("days_after", "recovered"), [(90, "1"), (91, "0")])
def test_complaints_recovered_on_the_90th_day_not_the_91st(days_after, recovered):
    opened = D("2026-04-02")
    facts = service_person(
        complaints=[complaint(opened="2026-04-02", next_order=(opened + timedelta(days=days_after)).isoformat())]
    )
    assert values(facts)["complaints_recovered"] == recovered


def test_a_recovered_answer_alone_leaves_nothing_to_divide():
    day = D("2026-04-10")
    facts = service_person(answers=[Answer("A1", "callback", "C1", day, s.DISSATISFIED, day + timedelta(days=3))])
    shown = values(facts)
    assert (shown["answers"], shown["recovered"], shown["csat"]) == ("1", "1", "0.0000")
    assert shown["csat_adjusted_lower"] == ""


# --------------------------------------------------------------------------- #
# Complaints: SLA and escalations
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("severity", "resolved", "in_time"),
    [
        (s.HIGH, "2026-04-10", True),
        (s.HIGH, "2026-04-11", True),  # exactly at its SLA of 1 day
        (s.HIGH, "2026-04-12", False),
        (s.NORMAL, "2026-04-13", True),
        (s.NORMAL, "2026-04-14", False),
        (s.LOW, "2026-04-17", True),
        (s.LOW, "2026-04-18", False),
        (s.LOW, None, False),  # unresolved
    ],
)
def test_a_complaint_resolved_exactly_at_its_sla_is_in_time(severity, resolved, in_time):
    shown = values(service_person(complaints=[complaint(severity=severity, resolved=resolved)]))
    assert shown["complaints_in_sla"] == ("1" if in_time else "0")
    assert shown["sla_rate"] == ("1.0000" if in_time else "0.0000")


def test_sla_days_come_from_the_rules():
    rules = Rules(sla_days={s.HIGH: 0, s.NORMAL: 3, s.LOW: 7})
    facts = service_person(complaints=[complaint(severity=s.HIGH, resolved="2026-04-11")])
    assert values(facts, rules=rules)["complaints_in_sla"] == "0"


def test_escalation_penalty_is_capped_per_calendar_month():
    many = [complaint(f"K{i}", opened="2026-04-03", escalated=True) for i in range(7)]
    may = [complaint("M1", opened="2026-05-20", escalated=True)]
    range_ = Period.months((2026, 4), (2026, 5))
    shown = values(service_person(complaints=many + may), period=range_)
    assert shown["escalations"] == "8"
    assert shown["escalation_penalty"] == "12"  # min(14, 10) + min(2, 10)
    rules = Rules(escalation_points=3, escalation_cap=4)
    assert values(service_person(complaints=many + may), range_, rules)["escalation_penalty"] == "7"


def test_the_penalty_comes_off_the_score_and_only_for_service():
    facts = service_person(complaints=[complaint(escalated=True, resolved="2026-04-11")])
    card = s.scorecards([facts], APRIL, Rules())[0]
    # credited revenue 0.00 on target 0.00 (r = 1), sla_rate 1.0 on itself.
    assert card.values["score"] == Decimal("98.00")


# --------------------------------------------------------------------------- #
# Nothing to divide by, and nobody
# --------------------------------------------------------------------------- #


def test_a_person_with_no_answers_prints_empty_rates():
    shown = values(service_person())
    assert shown["answers"] == "0"
    for measure in ("csat", "csat_lower", "csat_adjusted_lower", "sla_rate", "repeat_rate", "inherited_retention"):
        assert shown[measure] == "", measure
    assert shown["credited_revenue"] == "0.00"
    assert shown["escalation_penalty"] == "0"


def test_a_person_with_no_answers_is_scored_on_what_has_a_value():
    people = [
        service_person(credits=[Credit("O1", "C1", D("2026-04-03"), s.REPEAT, 10_000, Fraction(3, 10))]),
        PersonFacts("V2", s.SERVICE, answers=answers(4),
                    credits=[Credit("O2", "C2", D("2026-04-03"), s.REPEAT, 30_000, Fraction(3, 10))]),
    ]
    first, second = s.scorecards(people, APRIL, Rules())
    # V1: credited revenue only (weight renormalised to 100): 100.00 of a
    # median of 200.00 → r = 0.5 → 50.00.
    assert [p.measure for p in first.parts] == ["credited_revenue"]
    assert first.values["score"] == Decimal("50.00")
    # V2: 300.00 / 200.00 = 1.5 (the cap) × 40/60 + csat_adjusted_lower on
    # its own value (r = 1) × 20/60.
    assert second.values["score"] == Decimal("133.33")


def test_the_nobody_row_set_has_the_satisfaction_measures_only():
    nobody = PersonFacts("", "", answers=answers(2))
    card = s.scorecards([], APRIL, Rules(), nobody=nobody)[0]
    assert (card.staff_id, card.role) == ("", "")
    assert [m for m, _kind in card.measures] == [m for m, _kind in s.NOBODY_MEASURES]
    assert [m for m, _kind in card.measures][-1] == "escalation_penalty"
    assert set(card.values) == {m for m, _kind in s.NOBODY_MEASURES}
    assert s.format_value("csat", card.values["csat"]) == "1.0000"


# --------------------------------------------------------------------------- #
# Targets and the score
# --------------------------------------------------------------------------- #


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert s.median([Decimal("0.5000"), Decimal("0.1000"), Decimal("0.2000"), Decimal("0.9000")]) == Decimal("0.35")
    assert s.median([Decimal("3"), Decimal("1"), Decimal("2")]) == Decimal("2")
    assert s.median([Decimal("100.01"), Decimal("100.02")]) == Decimal("100.015")


def test_the_target_is_the_team_median_of_printed_values():
    def person(staff_id: str, team: str | None, satisfied: int, total: int) -> PersonFacts:
        return PersonFacts(
            staff_id, s.SERVICE, team,
            answers=answers(satisfied) + answers(total - satisfied, s.NEUTRAL, start=satisfied),
        )

    team_a = [person("V1", "A", 10, 10), person("V2", "A", 5, 10), person("V3", "A", 8, 10), person("V4", "A", 2, 10)]
    loner = person("V9", None, 9, 10)
    rules = Rules(weights={s.SERVICE: {"csat": Decimal(1)}, s.SALES: {}})
    cards = {c.staff_id: c for c in s.scorecards([*team_a, loner], APRIL, rules)}
    # Team A: csat 1.0000, 0.5000, 0.8000, 0.2000 → median (0.5 + 0.8) / 2.
    assert cards["V1"].parts[0].target == Decimal("0.65")
    assert cards["V1"].values["score"] == Decimal("150.00")  # capped at 1.5
    assert cards["V2"].values["score"] == round_half_up(Fraction(100) * Fraction(5, 10) / Fraction(65, 100), 2)
    # No team: the median over every listed person of the role (five of them).
    assert cards["V9"].parts[0].target == Decimal("0.8000")
    assert cards["V9"].values["score"] == Decimal("112.50")


def test_a_fixed_target_replaces_the_median():
    rules = Rules(
        weights={s.SERVICE: {"csat": Decimal(1)}, s.SALES: {}},
        targets={s.SERVICE: {"csat": Decimal("0.4000")}, s.SALES: {}},
    )
    facts = service_person(answers=answers(1) + answers(4, s.NEUTRAL, start=1))
    card = s.scorecards([facts], APRIL, rules)[0]
    assert card.parts[0].fixed_target
    assert card.values["score"] == Decimal("50.00")  # 0.2 / 0.4


@pytest.mark.parametrize(
    ("value", "target", "ratio"),
    [
        ("1", "2", Fraction(1, 2)),
        ("5", "2", Fraction(3, 2)),
        ("-1", "2", Fraction(0)),
        ("0.01", "0", Fraction(3, 2)),
        ("0", "0", Fraction(1)),
        ("-1", "-2", Fraction(1)),
        ("-2", "-2", Fraction(1)),
        ("-3", "-2", Fraction(0)),
        ("-1", "0", Fraction(0)),
    ],
)
def test_ratio_to_target(value, target, ratio):
    assert s.ratio_to_target(Decimal(value), Decimal(target)) == ratio


def test_sales_scorecard_has_no_penalty_and_its_own_weights():
    credit = Credit("O1", "C1", D("2026-04-03"), s.NEW, 70_000, Fraction(7, 10))
    seller = PersonFacts("S1", s.SALES, credits=[credit], key_accounts=[Account("C1", True), Account("C2", False)])
    card = s.scorecards([seller], APRIL, Rules())[0]
    assert [m for m, _kind in card.measures] == [
        "credited_revenue", "credited_revenue_new", "credited_revenue_referral",
        "credited_revenue_repeat", "key_retention", "score",
    ]
    assert s.format_value("key_retention", card.values["key_retention"]) == "0.5000"
    assert s.format_value("credited_revenue_new", card.values["credited_revenue_new"]) == "700.00"
    assert card.values["score"] == Decimal("100.00")
    assert card.penalty == 0


def test_all_weights_zero_leaves_the_score_empty():
    rules = Rules(weights={s.SERVICE: {"credited_revenue": Decimal(0)}, s.SALES: {}})
    card = s.scorecards([service_person()], APRIL, rules)[0]
    assert card.values["score"] is None
    assert s.format_value("score", card.values["score"]) == ""


def test_credits_add_up_by_part_refunds_negative():
    credits = [
        Credit("O1", "C1", D("2026-04-03"), s.NEW, 30_000, Fraction(3, 10)),
        Credit("O2", "C2", D("2026-04-04"), s.REFERRAL, 9_999, Fraction(3, 10)),
        Credit("O3", "C1", D("2026-04-05"), s.REPEAT, 1_000, Fraction(3, 10)),
        Credit("O1", "C1", D("2026-04-06"), s.NEW, -30_000, Fraction(3, 10), refund_id="R1"),
    ]
    shown = values(service_person(credits=credits))
    assert shown["credited_revenue"] == "109.99"
    assert shown["credited_revenue_new"] == "0.00"
    assert shown["credited_revenue_referral"] == "99.99"
    assert shown["credited_revenue_repeat"] == "10.00"


def test_share_measures():
    facts = service_person(
        served=[Account("C1", True), Account("C2", False), Account("C3", False)],
        inherited=[Account("C4", True, D("2025-10-01"))],
        referrals=["C7", "C8"],
    )
    shown = values(facts)
    assert shown["repeat_rate"] == "0.3333"
    assert shown["inherited_retention"] == "1.0000"
    assert shown["referrals"] == "2"


# --------------------------------------------------------------------------- #
# Printing
# --------------------------------------------------------------------------- #


def test_values_print_half_up_and_zero_without_a_sign():
    assert s.format_value("csat", Decimal("0.66665")) == "0.6667"
    assert s.format_value("credited_revenue", Decimal("-0.004")) == "0.00"
    assert s.format_value("score", Decimal("-0.005")) == "-0.01"
    assert s.format_value("score", Decimal("-0.0049")) == "0.00"
    assert s.format_value("answers", Decimal(12)) == "12"
    assert s.format_value("csat_lower", s.wilson_lower(0, 3)) == "0.0000"


def test_period_labels_and_months():
    assert APRIL.label == "2026-04"
    assert (APRIL.first, APRIL.last) == (D("2026-04-01"), D("2026-04-30"))
    year = Period.months((2025, 11), (2026, 2))
    assert year.label == "2025-11..2026-02"
    assert year.month_keys() == [(2025, 11), (2025, 12), (2026, 1), (2026, 2)]
    assert Period.months((2024, 2)).last == D("2024-02-29")
    assert APRIL.trailing_start == D("2025-05-01")


# --------------------------------------------------------------------------- #
# Evidence
# --------------------------------------------------------------------------- #


def test_evidence_lists_what_a_figure_counts():
    day = D("2026-04-10")
    recovered = Answer("A9", "callback", "C9", day, s.DISSATISFIED, day + timedelta(days=10))
    facts = service_person(answers=[*answers(2), recovered])
    found = s.evidence(facts, "recovered", Rules())
    assert found.counted == (recovered,)
    adjusted = s.evidence(facts, "csat_adjusted_lower", Rules())
    assert recovered not in adjusted.considered
    assert len(adjusted.counted) == 2


# --------------------------------------------------------------------------- #
# Rules documents
# --------------------------------------------------------------------------- #


def test_rules_defaults_and_partial_tables():
    rules, problems = s.rules_from_document(
        {"scorecards": {"recovery_days": 60, "sla_days": {"high": 2}, "weights": {"service": {"referrals": 5}},
                        "targets": {"service": {"repeat_rate": "0.4000"}}}}
    )
    assert problems == []
    assert rules.recovery_days == 60
    assert rules.sla_days == {s.HIGH: 2, s.NORMAL: 3, s.LOW: 7}
    assert rules.weights[s.SERVICE]["referrals"] == Decimal(5)
    assert rules.weights[s.SERVICE]["credited_revenue"] == Decimal(40)
    assert rules.weights[s.SALES] == s.DEFAULT_WEIGHTS[s.SALES]
    assert rules.targets[s.SERVICE] == {"repeat_rate": Decimal("0.4000")}
    again, problems = s.rules_from_document(s.rules_document(rules))
    assert problems == [] and again == rules


def test_rules_problems_are_all_listed():
    _rules, problems = s.rules_from_document(
        {
            "pool": {},
            "scorecards": {
                "recovery_days": -1,
                "escalation_cap": "10",
                "sla_days": {"urgent": 1, "low": 1.5},
                "weights": {"service": {"csat": 0.5, "happiness": 1, "score": 1}, "finance": {}},
                "targets": {"sales": {"key_retention": "abc"}},
                "colour": "red",
            },
        }
    )
    assert [(p.where, p.code) for p in problems] == [
        ("pool", "unknown_key"),
        ("scorecards.recovery_days", "negative"),
        ("scorecards.escalation_cap", "not_integer"),
        ("scorecards.colour", "unknown_key"),
        ("scorecards.sla_days.urgent", "unknown_key"),
        ("scorecards.sla_days.low", "not_integer"),
        ("scorecards.weights.service.csat", "float"),
        ("scorecards.weights.service.happiness", "unknown_measure"),
        ("scorecards.weights.service.score", "unknown_measure"),
        ("scorecards.weights.finance", "unknown_key"),
        ("scorecards.targets.sales.key_retention", "not_decimal"),
    ]
