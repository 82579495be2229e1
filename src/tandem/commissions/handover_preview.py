"""The money of a handover plan before it is confirmed, computed by the
engine (no second formula): the customers' histories are read as a run reads
them, the plan's rows are put in place of the leaver's in memory, and
`engine.compute_customer` runs on both versions.

By default the window is the trailing year before the leaving day, with the
receivers holding the rows over it ("what they would have been credited,
and how each customer's split changes"). With ``since`` equal to the
leaving day and no end, the rows are exactly those the confirmation writes,
so the figures are the ones the next run credits for orders from that day
(tests/handover/test_preview.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from tandem.customers.models import Customer
from tandem.handover.selectors import held_rows

from . import engine, rules
from .histories import Dates, load_plans, load_staff, read_histories


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """A customer's credit to one person in one role over the window, as
    things stand and with the plan."""

    customer_id: str
    role: str
    staff_id: str  # '' for the unassigned line
    before_cents: int
    after_cents: int


def handover_preview(
    *,
    leaver_id: str,
    left_on: dt.date,
    plan: Iterable[tuple[str, str, str | None]],
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[PreviewRow]:
    """(customer_id, role, to_staff_id) lines → credits by customer, role
    and person over [since, until): by default the trailing year
    [left_on − 365 days, left_on)."""
    if since is None:
        since, until = left_on - dt.timedelta(days=365), left_on
    lines = {(cid, role): to for cid, role, to in plan}
    held = {
        (a.customer_id, a.role): (a.valid_from, a.valid_to)
        for a in held_rows(leaver_id, left_on).filter(customer_id__in={cid for cid, _ in lines})
    }
    changed_service = sorted({cid for (cid, role) in lines if role == "service"})
    # Customers referred by a customer whose service owner changes: their
    # referral lines follow that owner.
    referred = (
        list(
            Customer.objects.filter(referred_by_id__in=changed_service).values_list(
                "customer_id", flat=True
            )
        )
        if changed_service
        else []
    )
    ids = sorted({cid for cid, _ in lines} | set(referred))
    dates = Dates()
    histories, referrer_service = read_histories(ids, dates)
    staff = load_staff(dates)
    plans = load_plans()

    def substitute(cid: str, role: str, rows: Sequence[rules.Assignment]) -> list[rules.Assignment]:
        key = (cid, role)
        if key not in lines or key not in held:
            return list(rows)
        start, end = held[key]
        cut = max(since, start)  # type: ignore[type-var]
        out = []
        for a in rows:
            if a.staff_id == leaver_id and a.valid_from == start:
                if start < cut:
                    out.append(replace(a, valid_to=cut))
                receiver = lines[key]
                if receiver:
                    out.append(rules.Assignment(role, receiver, cut, end))
            else:
                out.append(a)
        return sorted(out, key=lambda a: a.valid_from)

    # Receivers hold the rows over the whole window; the engine counts them
    # active there (on and after the leaving day they are, by the plan's rules).
    after_staff = dict(staff)
    for to in {to for to in lines.values() if to}:
        activity = staff.get(to)
        if activity is not None:
            after_staff[to] = rules.StaffActivity(hired_on=None, left_on=activity.left_on)
    after_referrers = {
        cid: substitute(cid, "service", rows) for cid, rows in referrer_service.items()
    }
    before_lookups = engine.Lookups(staff=staff, plans=plans, referrer_service=referrer_service)
    after_lookups = engine.Lookups(staff=after_staff, plans=plans, referrer_service=after_referrers)
    credits: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for history in histories:
        cid = history.customer_id
        by_role: dict[str, list[rules.Assignment]] = defaultdict(list)
        for a in history.assignments:
            by_role[a.role].append(a)
        changed = replace(
            history,
            assignments=[
                a for role, rows in sorted(by_role.items()) for a in substitute(cid, role, rows)
            ],
        )
        for side, (h, lookups) in enumerate(((history, before_lookups), (changed, after_lookups))):
            for line in engine.compute_customer(h, lookups, emit_from=since).lines:
                if line.line_date < since or (until is not None and line.line_date >= until):
                    continue
                credits[(cid, line.role, line.staff_id)][side] += line.amount_cents
    return [
        PreviewRow(cid, role, sid, before, after)
        for (cid, role, sid), (before, after) in sorted(credits.items())
    ]


def preview_totals(rows: Iterable[PreviewRow]) -> list[tuple[str, str, int, int]]:
    """(staff_id, role, before, after) per person and role, by staff_id."""
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        t = totals[(r.staff_id, r.role)]
        t[0] += r.before_cents
        t[1] += r.after_cents
    return [(sid, role, b, a) for (sid, role), (b, a) in sorted(totals.items())]
