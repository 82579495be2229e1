"""Scorecards as a user may see them: a service person their own, a team
manager the team's, the general manager (and finance, admin) everyone's and
what is credited to nobody (`tandem.service.permissions`). Targets are
always the medians of every listed person, whoever looks. Every figure
opens to the records behind it (`figure_evidence`), and the team board
shows each person's wins of the period."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from tandem.service import scoring
from tandem.service.permissions import visible_staff_ids
from tandem.service.scoring import Card, Evidence, Period, PersonFacts, Rules
from tandem.service.selectors import participants_on, praise_between, thanks_between
from tandem.service.services import scorecard_rules

from .inputs import gather


@dataclass(frozen=True)
class Scorecards:
    period: Period
    rules: Rules
    cards: list[Card]
    facts: dict[str, PersonFacts]  # by staff_id; "" for nobody


def scorecards_visible(*, user: object, period: Period, rules: Rules | None = None) -> Scorecards:
    """The scorecards of the range the user may see, by staff_id."""
    rules = rules or scorecard_rules()
    visible = visible_staff_ids(user)  # type: ignore[arg-type]
    gathered = gather(period, rules)
    cards = scoring.scorecards(gathered.people, period, rules, nobody=gathered.nobody)
    facts = {f.staff_id: f for f in gathered.people}
    if gathered.nobody is not None:
        facts[""] = gathered.nobody
    if visible is not None:
        cards = [c for c in cards if c.staff_id and c.staff_id in visible]
        facts = {sid: f for sid, f in facts.items() if sid in visible}
    return Scorecards(period, rules, sorted(cards, key=lambda c: c.staff_id), facts)


def figure_evidence(*, user: object, staff_id: str, measure: str, period: Period) -> Evidence:
    """The answers, complaints, orders or customers behind one figure of a
    person's scorecard; PermissionDenied when the user may not see it."""
    visible = visible_staff_ids(user)  # type: ignore[arg-type]
    if visible is not None and staff_id not in visible:
        raise PermissionDenied(staff_id)
    rules = scorecard_rules()
    gathered = gather(period, rules)
    facts = gathered.nobody if staff_id == "" else next((f for f in gathered.people if f.staff_id == staff_id), None)
    if facts is None:
        raise PermissionDenied(staff_id)
    return scoring.evidence(facts, measure, rules)


@dataclass(frozen=True)
class Wins:
    """A service person's wins of the period: repeat and referral revenue
    credited to them, inherited accounts kept, praise, thanks."""

    staff_id: str
    repeat_cents: int
    referral_cents: int
    inherited_kept: int
    inherited: int
    praise: int
    thanks: int


def team_board(*, user: object, period: Period) -> list[Wins]:
    """Each visible service person's wins of the period, best first."""
    board = scorecards_visible(user=user, period=period)
    callbacks, surveys = praise_between(period.first, period.last)
    praise: dict[str, int] = {}
    for record, day in [(c, c.called_on) for c in callbacks] + [(s, s.answered_on) for s in surveys]:
        assert day is not None
        owner = participants_on([record.customer_id], day).get(record.customer_id)
        if owner is not None:
            praise[owner] = praise.get(owner, 0) + 1
    thanks: dict[str, int] = {}
    for note in thanks_between(period.first, period.last, [c.staff_id for c in board.cards]):
        thanks[note.staff_id] = thanks.get(note.staff_id, 0) + 1
    wins = []
    for card in board.cards:
        if card.role != scoring.SERVICE:
            continue
        facts = board.facts[card.staff_id]
        wins.append(
            Wins(
                staff_id=card.staff_id,
                repeat_cents=sum(c.cents for c in facts.credits if c.part == scoring.REPEAT),
                referral_cents=sum(c.cents for c in facts.credits if c.part == scoring.REFERRAL),
                inherited_kept=sum(1 for a in facts.inherited if a.counted),
                inherited=len(facts.inherited),
                praise=praise.get(card.staff_id, 0),
                thanks=thanks.get(card.staff_id, 0),
            )
        )
    wins.sort(key=lambda w: (-(w.repeat_cents + w.referral_cents), -w.praise, w.staff_id))
    return wins
