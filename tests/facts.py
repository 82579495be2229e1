"""What the writers' change facts ask the next commission run to do, as the
run itself reads them."""

from __future__ import annotations

from datetime import date

from tandem.commissions.changes import customers_to_recompute
from tandem.core.changes import facts_discard, facts_pending


def pending() -> dict[str, date | None]:
    """customer -> the first day its lines may differ (None: any day)."""
    return customers_to_recompute(facts_pending())


def clear() -> None:
    facts_discard(facts_pending())
