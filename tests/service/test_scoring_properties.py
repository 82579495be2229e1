"""Properties of the scorecard over random answers and complaints: one voice
cannot drown the others, and good news never counts against anyone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tandem.service import scoring as s
from tandem.service.scoring import Answer, Complaint, Period, PersonFacts, Rules

PROPERTY = settings(max_examples=300, deadline=None)
RANGE = Period.months((2026, 1), (2026, 3))

days = st.integers(min_value=0, max_value=(RANGE.last - RANGE.first).days).map(
    lambda n: RANGE.first + timedelta(days=n)
)
gaps = st.one_of(st.none(), st.integers(min_value=1, max_value=200))


@st.composite
def answer_lists(draw) -> list[Answer]:
    items = draw(st.lists(st.tuples(days, st.sampled_from(s.RATED), gaps), max_size=60))
    return [
        Answer(f"A{i}", "callback", f"C{i}", day, answer, None if gap is None else day + timedelta(days=gap))
        for i, (day, answer, gap) in enumerate(items)
    ]


@st.composite
def complaint_lists(draw) -> list[Complaint]:
    items = draw(
        st.lists(
            st.tuples(days, st.sampled_from(s.SEVERITIES), st.booleans(),
                      st.one_of(st.none(), st.integers(0, 10)), gaps),
            max_size=30,
        )
    )
    return [
        Complaint(
            f"K{i}", f"C{i}", day, severity, escalated,
            None if resolved is None else day + timedelta(days=resolved),
            None if gap is None else day + timedelta(days=gap),
        )
        for i, (day, severity, escalated, resolved, gap) in enumerate(items)
    ]


rules_strategy = st.builds(
    Rules,
    recovery_days=st.integers(0, 180),
    escalation_points=st.integers(0, 6),
    escalation_cap=st.integers(0, 12),
)


def shown(answers, complaints=(), rules: Rules | None = None) -> dict[str, Decimal | None]:
    return s.person_values(PersonFacts("V1", s.SERVICE, answers=answers, complaints=complaints), RANGE, rules or Rules())


@PROPERTY
@given(satisfied=st.integers(0, 5000), others=st.integers(0, 5000))
def test_one_more_satisfied_answer_never_lowers_the_lower_bound(satisfied, others):
    n = satisfied + others
    before = s.wilson_lower(satisfied, n)
    after = s.wilson_lower(satisfied + 1, n + 1)
    assert after is not None
    assert before is None or after >= before
    if n:
        assert Fraction(satisfied + 1, n + 1) >= Fraction(satisfied, n)


@PROPERTY
@given(answers=answer_lists(), day=days, rules=rules_strategy)
def test_one_more_satisfied_answer_never_lowers_csat_or_its_bounds(answers, day, rules):
    before = shown(answers, rules=rules)
    after = shown([*answers, Answer("NEW", "survey", "CNEW", day, s.SATISFIED)], rules=rules)
    for measure in ("csat", "csat_lower", "csat_adjusted_lower"):
        assert after[measure] is not None
        assert before[measure] is None or after[measure] >= before[measure], measure


@PROPERTY
@given(complaints=complaint_lists(), pick=st.integers(0, 29), rules=rules_strategy)
def test_one_escalation_never_costs_more_than_its_cap(complaints, pick, rules):
    calm = [c for c in complaints if not c.escalated]
    assume(calm)
    target = calm[pick % len(calm)]
    escalated = [c._replace(escalated=True) if c is target else c for c in complaints]
    bound = min(rules.escalation_points, rules.escalation_cap)
    before = shown([], complaints, rules)
    after = shown([], escalated, rules)
    assert before["escalation_penalty"] is not None and after["escalation_penalty"] is not None
    assert 0 <= after["escalation_penalty"] - before["escalation_penalty"] <= bound
    card_before = s.scorecards([PersonFacts("V1", s.SERVICE, complaints=complaints)], RANGE, rules)[0]
    card_after = s.scorecards([PersonFacts("V1", s.SERVICE, complaints=escalated)], RANGE, rules)[0]
    assert card_before.values["score"] is not None and card_after.values["score"] is not None
    assert 0 <= card_before.values["score"] - card_after.values["score"] <= bound


@PROPERTY
@given(answers=answer_lists(), pick=st.integers(0, 59), rules=rules_strategy)
def test_a_recovered_answer_never_lowers_the_adjusted_figure(answers, pick, rules):
    unrecovered = [
        a for a in answers if a.answer == s.DISSATISFIED and not s.is_recovered(a.day, a.next_order, rules)
    ]
    assume(unrecovered and rules.recovery_days > 0)
    target = unrecovered[pick % len(unrecovered)]
    recovered = [a._replace(next_order=a.day + timedelta(days=rules.recovery_days)) if a is target else a
                 for a in answers]
    before = shown(answers, rules=rules)
    after = shown(recovered, rules=rules)
    assert after["recovered"] == before["recovered"] + 1
    assert after["csat"] == before["csat"] and after["csat_lower"] == before["csat_lower"]
    assert before["csat_adjusted_lower"] is not None
    assert after["csat_adjusted_lower"] is None or after["csat_adjusted_lower"] >= before["csat_adjusted_lower"]


@PROPERTY
@given(values=st.lists(st.decimals(min_value=-1000, max_value=1000, places=2), min_size=1, max_size=40))
def test_median_lies_between_the_middle_values(values):
    ordered = sorted(values)
    found = s.median(values)
    assert ordered[(len(ordered) - 1) // 2] <= found <= ordered[len(ordered) // 2]
    assert s.median(list(reversed(values))) == found


@PROPERTY
@given(value=st.decimals(min_value=-10**6, max_value=10**6, places=4),
       target=st.decimals(min_value=-10**6, max_value=10**6, places=4))
def test_a_ratio_to_target_stays_between_0_and_one_and_a_half(value, target):
    assert 0 <= s.ratio_to_target(value, target) <= Fraction(3, 2)

