"""`tandem scorecards export`: the rows of spec/service-desk.md's export.

Columns ``period, staff_id, role, measure, value``. One row per listed
person and measure of their role, in the spec's order of measures; people
sorted by staff_id (plain string comparison), so the row set of what is
credited to nobody (empty staff_id and role), when there is one, comes
first."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from tandem.core.errors import TandemError
from tandem.service import scoring
from tandem.service.scoring import Card, Period, Rules
from tandem.service.services import scorecard_rules

from .inputs import gather

COLUMNS = ("period", "staff_id", "role", "measure", "value")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> tuple[int, int]:
    match = _MONTH.match(text or "")
    if match is None:
        raise TandemError(_("期间格式应为 YYYY-MM（如 2026-04），收到：%(value)s") % {"value": text})
    return int(match.group(1)), int(match.group(2))


def parse_range(period: str, to: str | None = None) -> Period:
    """``--period YYYY-MM [--to YYYY-MM]`` as a Period."""
    start = parse_month(period)
    end = parse_month(to) if to else start
    if end < start:
        raise TandemError(
            _("结束期间 %(to)s 早于开始期间 %(period)s") % {"to": to, "period": period}
        )
    return Period.months(start, end)


def scorecards_for(period: Period, rules: Rules | None = None) -> list[Card]:
    """Every listed person's scorecard for the range, and nobody's when
    something is credited to nobody."""
    rules = rules or scorecard_rules()
    # The export prints figures, not the orders behind them.
    gathered = gather(period, rules, detail=False)
    return scoring.scorecards(gathered.people, period, rules, nobody=gathered.nobody)


def export_rows(period: Period, rules: Rules | None = None) -> list[list[str]]:
    cards = sorted(scorecards_for(period, rules), key=lambda c: c.staff_id)
    label = period.label
    return [
        [label, card.staff_id, card.role, measure, scoring.format_value(measure, card.value(measure))]
        for card in cards
        for measure, _kind in card.measures
    ]
