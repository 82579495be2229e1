"""The default handover proposal (handover spec §2), as plain functions of
values: no models, no database. `selectors.handover_proposal` reads the
facts and calls `propose`.

The seed's rule: inherited standard customers go to *new* salespeople, key
accounts stay with experienced ones; service rows go to the least loaded
service person; the leaver's team comes first; a salesperson at the cap
receives no more of that tier, and a sales row nobody may take goes to the
pool."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SALES, SERVICE = "sales", "service"
KEY, STANDARD = "key", "standard"

# Reasons a proposal line carries.
WORKLOAD = "workload"
NO_RECEIVER = "no_receiver"
NEEDS_DECISION = "needs_decision"

KEY_WEIGHT = 3  # a key account counts three in a receiver's workload
NEW_DAYS = 365  # hired within this many days before the leaving day: a new salesperson
STAYING_DAYS = 30  # a receiver must stay more than this many days after the leaver


@dataclass(frozen=True, slots=True)
class Caps:
    """Pool rules' caps on the sales rows a salesperson holds (§5)."""

    max_customers: int = 300
    max_key: int = 30


@dataclass(frozen=True, slots=True)
class Held:
    """A row the leaver holds on the leaving day (§1)."""

    customer_id: str
    role: str
    tier: str
    trailing_cents: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible receiver with what they hold in their role on the leaving day."""

    staff_id: str
    role: str
    team: str | None
    hired_on: dt.date | None
    left_on: dt.date | None
    standard: int = 0  # standard customers held in `role` on the leaving day
    key: int = 0  # key accounts held in `role` on the leaving day


@dataclass(frozen=True, slots=True)
class Line:
    customer_id: str
    role: str
    from_staff_id: str
    to_staff_id: str | None
    tier: str
    trailing_cents: int
    reason: str


def is_new(candidate: Candidate, left_on: dt.date) -> bool:
    """Hired within the year before the leaving day."""
    return candidate.hired_on is not None and candidate.hired_on > left_on - dt.timedelta(
        days=NEW_DAYS
    )


def may_receive(candidate: Candidate, *, leaver_id: str, left_on: dt.date) -> bool:
    """Eligible apart from the caps: active on the leaving day, staying more
    than 30 days after it, not the leaver."""
    if candidate.staff_id == leaver_id:
        return False
    if candidate.hired_on is not None and candidate.hired_on > left_on:
        return False
    return candidate.left_on is None or candidate.left_on > left_on + dt.timedelta(
        days=STAYING_DAYS
    )


def trailing_cents(
    orders: Iterable[tuple[dt.date, int]], refunds: Iterable[tuple[dt.date, int]], left_on: dt.date
) -> int:
    """Sale orders dated in [left_on − 365 days, left_on) minus the refunds
    dated in that window, whatever their order's date."""
    start = left_on - dt.timedelta(days=NEW_DAYS)
    sold = sum(cents for day, cents in orders if start <= day < left_on)
    refunded = sum(cents for day, cents in refunds if start <= day < left_on)
    return sold - refunded


def propose(
    *,
    leaver_id: str,
    leaver_team: str | None,
    left_on: dt.date,
    held: Sequence[Held],
    candidates: Sequence[Candidate],
    caps: Caps = Caps(),  # noqa: B008 - frozen, shared safely
) -> list[Line]:
    """One line per held row, in the order the rows are given out: trailing
    revenue descending, then customer_id (then role)."""
    pool = [c for c in candidates if may_receive(c, leaver_id=leaver_id, left_on=left_on)]
    # What each receiver holds plus what this proposal gave: (standard, key).
    load: dict[str, list[int]] = {c.staff_id: [c.standard, c.key] for c in pool}
    lines: list[Line] = []
    for row in sorted(held, key=lambda h: (-h.trailing_cents, h.customer_id, h.role)):
        is_key = row.tier == KEY
        eligible = [c for c in pool if c.role == row.role]
        if row.role == SALES:
            cap = caps.max_key if is_key else caps.max_customers
            eligible = [c for c in eligible if load[c.staff_id][1 if is_key else 0] < cap]
        team = [c for c in eligible if leaver_team is not None and c.team == leaver_team]
        eligible = team or eligible
        if row.role == SALES:
            wanted = [c for c in eligible if is_new(c, left_on) != is_key]
            eligible = wanted or eligible
        if not eligible:
            reason = NO_RECEIVER if row.role == SALES else NEEDS_DECISION
            lines.append(
                Line(
                    row.customer_id, row.role, leaver_id, None, row.tier, row.trailing_cents, reason
                )
            )
            continue
        chosen = min(eligible, key=lambda c: (workload(load[c.staff_id]), c.staff_id))
        load[chosen.staff_id][1 if is_key else 0] += 1
        lines.append(
            Line(
                row.customer_id,
                row.role,
                leaver_id,
                chosen.staff_id,
                row.tier,
                row.trailing_cents,
                WORKLOAD,
            )
        )
    return lines


def workload(counts: Sequence[int]) -> int:
    """(standard, key) held → workload, key accounts counting three."""
    return counts[0] + KEY_WEIGHT * counts[1]
