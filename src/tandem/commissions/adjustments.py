"""Adjustments for locked months (spec §6), pure Python.

A locked month keeps what it holds. When the truth for it changes later, the
difference per (order, staff, role) is posted as an `adjustment` line in the
earliest month after it that is not locked. Adjustments that sit in open
months are recomputed like everything else in an open month; adjustments
already posted into locked months count as held."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

ADJUSTMENT = "adjustment"


@dataclass(frozen=True, slots=True)
class Amount:
    """A line reduced to what adjustments compare: where it sits and for what."""

    period: str  # month the line sits in
    order_id: str
    staff_id: str
    role: str
    scenario: str
    kind: str
    amount_cents: int
    adjusts_period: str = ""  # for adjustment lines: the locked month they correct


@dataclass(frozen=True, slots=True)
class Adjustment:
    period: str  # where it is posted (first unlocked month after adjusts_period)
    adjusts_period: str
    order_id: str
    staff_id: str
    role: str
    scenario: str
    amount_cents: int


def next_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}"


def first_open_after(period: str, locked: frozenset[str] | set[str]) -> str:
    month = next_month(period)
    while month in locked:
        month = next_month(month)
    return month


def adjustments_for(
    *, truth: Iterable[Amount], held: Iterable[Amount], locked: frozenset[str] | set[str]
) -> list[Adjustment]:
    """Adjustments that make each locked month's held amount equal its truth.

    `truth`: the engine's lines (sale and clawback) for the customer(s), all
    months. `held`: the stored lines of the same customer(s) that sit in
    locked months (their sale/clawback lines and any adjustment lines)."""
    diff: dict[tuple[str, str, str, str], int] = defaultdict(int)
    scenario: dict[tuple[str, str, str, str], str] = {}
    for line in held:
        if line.kind == ADJUSTMENT:
            target = line.adjusts_period
        else:
            target = line.period
        if target not in locked:
            continue
        key = (target, line.order_id, line.staff_id, line.role)
        diff[key] -= line.amount_cents
        scenario.setdefault(key, line.scenario)
    for line in truth:
        if line.period not in locked:
            continue
        key = (line.period, line.order_id, line.staff_id, line.role)
        diff[key] += line.amount_cents
        scenario[key] = line.scenario  # the truth's scenario wins
    out = [
        Adjustment(
            period=first_open_after(key[0], locked),
            adjusts_period=key[0],
            order_id=key[1],
            staff_id=key[2],
            role=key[3],
            scenario=scenario[key],
            amount_cents=cents,
        )
        for key, cents in diff.items()
        if cents
    ]
    out.sort(key=lambda a: (a.order_id, a.role, a.staff_id, a.adjusts_period))
    return out
