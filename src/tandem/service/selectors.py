"""Reads of the service desk that pages, commands and other domains share:
who serves a customer on a day, the work queues (callbacks due, orders that
need action, complaints), a customer's service history, the month's praise,
thanks and wins. Which rows a user may see: `permissions`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

from django.db.models import Max, Q, QuerySet

from tandem.customers.models import Assignment
from tandem.staff.models import Role, Staff

from .choices import ComplaintStatus, Milestone, OpportunityStatus
from .models import (
    Callback,
    Complaint,
    DeskRules,
    FollowUp,
    Opportunity,
    OpportunityOrder,
    OrderTracking,
    SurveyAnswer,
    ThanksNote,
)

_CHUNK = 500


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --------------------------------------------------------------------------- #
# Who serves a customer
# --------------------------------------------------------------------------- #


def _active_on(day: dt.date) -> Q:
    return (Q(staff__hired_on__isnull=True) | Q(staff__hired_on__lte=day)) & (
        Q(staff__left_on__isnull=True) | Q(staff__left_on__gt=day)
    )


def participants_on(customer_ids: Iterable[str], day: dt.date, role: str = "service") -> dict[str, str]:
    """customer_id -> the staff id of the role's participant on ``day``
    (commission-rules §1: the assignment covering the day, if its holder is
    active that day). Customers with none are left out."""
    ids = sorted(set(customer_ids))
    found: dict[str, str] = {}
    for chunk in _chunks(ids):
        rows = (
            Assignment.objects.filter(customer_id__in=chunk, role=role, valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
            .filter(_active_on(day))
            .values_list("customer_id", "staff_id")
        )
        found.update(rows)
    return found


def service_participant(customer_id: str, day: dt.date) -> str | None:
    """The service participant of a customer on a day, or None."""
    return participants_on([customer_id], day).get(customer_id)


def customers_served_on(staff_id: str, day: dt.date, role: str = "service") -> QuerySet[Assignment]:
    """The assignment rows by which ``staff_id`` holds ``role`` on ``day``."""
    return Assignment.objects.filter(staff_id=staff_id, role=role, valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )


def last_followups(customer_ids: Iterable[str], *, on: dt.date) -> dict[str, dt.date]:
    """customer_id -> the day of its latest follow-up on or before ``on``
    (the pool's return rule reads it: handover.md §5)."""
    ids = sorted(set(customer_ids))
    found: dict[str, dt.date] = {}
    for chunk in _chunks(ids):
        rows = (
            FollowUp.objects.filter(customer_id__in=chunk, followed_on__lte=on)
            .values("customer_id")
            .annotate(last=Max("followed_on"))
            .values_list("customer_id", "last")
        )
        found.update(rows)
    return found


def desk_rules() -> DeskRules:
    """The desk's rules (the defaults until someone changes them)."""
    return DeskRules.objects.filter(pk=1).first() or DeskRules()


# --------------------------------------------------------------------------- #
# Work queues
# --------------------------------------------------------------------------- #


def callback_queue(*, staff: Staff | str, on: dt.date) -> QuerySet[Callback]:
    """A service person's callbacks due on or before ``on`` and not made yet,
    oldest first."""
    staff_id = staff.pk if isinstance(staff, Staff) else staff
    return (
        Callback.objects.filter(staff_id=staff_id, called_on__isnull=True, due_on__lte=on)
        .select_related("customer", "order")
        .order_by("due_on", "callback_id")
    )


LATE_SHIPMENT = "late_shipment"
NOT_CONFIRMED = "not_confirmed"
PAYMENT_OVERDUE = "payment_overdue"
EXCEPTION = "exception"


@dataclass(frozen=True)
class OrderWork:
    """An order that needs action, and why (one or more of LATE_SHIPMENT,
    NOT_CONFIRMED, PAYMENT_OVERDUE, EXCEPTION)."""

    tracking: OrderTracking
    reasons: tuple[str, ...]


def order_work(tracking: OrderTracking, on: dt.date, rules: DeskRules) -> tuple[str, ...]:
    """Why a tracked order needs action on ``on`` (empty: it does not)."""
    stage = tracking.stage
    order_date = tracking.order.order_date
    reasons = []
    milestone = stage.milestone
    reached_shipping = milestone in (Milestone.SHIPPED, Milestone.DELIVERED, Milestone.DONE)
    if milestone == Milestone.EXCEPTION:
        reasons.append(EXCEPTION)
    elif not reached_shipping:
        ship_by = tracking.ship_by or order_date + dt.timedelta(days=rules.ship_within_days)
        if on > ship_by:
            reasons.append(LATE_SHIPMENT)
    if milestone == Milestone.SHIPPED and on > tracking.stage_since + dt.timedelta(days=rules.confirm_within_days):
        reasons.append(NOT_CONFIRMED)
    if tracking.payment_due_on is not None and tracking.paid_on is None and on > tracking.payment_due_on:
        reasons.append(PAYMENT_OVERDUE)
    return tuple(reasons)


def order_queue(*, staff: Staff | str, on: dt.date) -> list[OrderWork]:
    """The orders of the customers a service person holds on ``on`` that
    need action: late shipment, no delivery confirmation, overdue payment,
    or an exception. Orders whose follow-up is done are left out."""
    staff_id = staff.pk if isinstance(staff, Staff) else staff
    rules = desk_rules()
    customers = customers_served_on(staff_id, on).values("customer_id")
    trackings = (
        OrderTracking.objects.filter(order__customer_id__in=customers)
        .exclude(stage__milestone=Milestone.DONE)
        .select_related("order", "order__customer", "stage")
        .order_by("order__order_date", "order_id")
    )
    work = []
    for tracking in trackings:
        reasons = order_work(tracking, on, rules)
        if reasons:
            work.append(OrderWork(tracking, reasons))
    return work


def complaint_due_on(complaint: Complaint, sla_days: dict[str, int]) -> dt.date:
    """The day a complaint is due by its severity's SLA."""
    return complaint.opened_on + dt.timedelta(days=sla_days[complaint.severity])


def complaints_overdue(*, on: dt.date, sla_days: dict[str, int]) -> list[Complaint]:
    """Unresolved complaints past their SLA on ``on``."""
    candidates = (
        Complaint.objects.exclude(status=ComplaintStatus.RESOLVED)
        .filter(resolved_on__isnull=True, opened_on__lt=on)
        .select_related("customer", "owner")
        .order_by("opened_on", "complaint_id")
    )
    return [c for c in candidates if complaint_due_on(c, sla_days) < on]


def complaint_queue(*, staff: Staff | str) -> QuerySet[Complaint]:
    """The unresolved complaints a person handles, oldest first."""
    staff_id = staff.pk if isinstance(staff, Staff) else staff
    return (
        Complaint.objects.filter(owner_id=staff_id, resolved_on__isnull=True)
        .exclude(status=ComplaintStatus.RESOLVED)
        .select_related("customer")
        .order_by("opened_on", "complaint_id")
    )


def open_opportunities(*, staff: Staff | str) -> QuerySet[Opportunity]:
    staff_id = staff.pk if isinstance(staff, Staff) else staff
    return (
        Opportunity.objects.filter(staff_id=staff_id, status=OpportunityStatus.OPEN)
        .select_related("customer", "callback")
        .order_by("opened_on", "id")
    )


def next_steps_due(*, staff: Staff | str, on: dt.date) -> QuerySet[FollowUp]:
    """Follow-ups of a person whose next step is due by ``on`` and not done."""
    staff_id = staff.pk if isinstance(staff, Staff) else staff
    return (
        FollowUp.objects.filter(staff_id=staff_id, next_due_on__lte=on, next_done_on__isnull=True)
        .exclude(next_step="")
        .select_related("customer")
        .order_by("next_due_on", "followup_id")
    )


# --------------------------------------------------------------------------- #
# A customer's service history
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class HistoryEntry:
    day: dt.date
    kind: str  # followup, callback, complaint, survey
    record: object


def customer_history(customer_id: str) -> list[HistoryEntry]:
    """Every follow-up, made callback, complaint and survey answer of a
    customer, newest first."""
    entries = chain(
        (HistoryEntry(f.followed_on, "followup", f) for f in FollowUp.objects.filter(customer_id=customer_id)),
        (
            HistoryEntry(c.called_on, "callback", c)
            for c in Callback.objects.filter(customer_id=customer_id, called_on__isnull=False)
            if c.called_on is not None
        ),
        (HistoryEntry(c.opened_on, "complaint", c) for c in Complaint.objects.filter(customer_id=customer_id)),
        (HistoryEntry(s.answered_on, "survey", s) for s in SurveyAnswer.objects.filter(customer_id=customer_id)),
    )
    return sorted(entries, key=lambda e: (e.day, e.kind), reverse=True)


# --------------------------------------------------------------------------- #
# Recognition
# --------------------------------------------------------------------------- #


def praise_between(first: dt.date, last: dt.date) -> tuple[list[Callback], list[SurveyAnswer]]:
    """Callbacks and survey answers marked as praise, dated in [first, last]."""
    callbacks = list(
        Callback.objects.filter(praise=True, called_on__gte=first, called_on__lte=last)
        .select_related("customer")
        .order_by("called_on", "callback_id")
    )
    surveys = list(
        SurveyAnswer.objects.filter(praise=True, answered_on__gte=first, answered_on__lte=last)
        .select_related("customer")
        .order_by("answered_on", "survey_id")
    )
    return callbacks, surveys


def thanks_between(first: dt.date, last: dt.date, staff_ids: Iterable[str] | None = None) -> QuerySet[ThanksNote]:
    notes = ThanksNote.objects.filter(written_on__gte=first, written_on__lte=last)
    if staff_ids is not None:
        notes = notes.filter(staff_id__in=list(staff_ids))
    return notes.select_related("staff", "author").order_by("-written_on", "-id")


def opportunity_orders(opportunity: Opportunity) -> QuerySet[OpportunityOrder]:
    return opportunity.order_links.select_related("order").order_by("order__order_date", "order_id")


def service_managers_of(staff: Staff) -> list[Staff]:
    """Who a service person's overdue complaint goes to: the managers of
    their team, else the general managers (managers with no team)."""
    if staff.team_id is not None:
        managers = list(Staff.objects.filter(role=Role.MANAGER, team_id=staff.team_id, left_on__isnull=True))
        if managers:
            return managers
    return list(Staff.objects.filter(role=Role.MANAGER, team__isnull=True, left_on__isnull=True))


# --------------------------------------------------------------------------- #
# A person's work queue, as a user may see it
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class WorkQueue:
    """What a person has to do on a day: callbacks due, orders that need
    action, complaints in hand, open opportunities, next steps due."""

    staff: Staff
    on: dt.date
    callbacks: list[Callback]
    orders: list[OrderWork]
    complaints: list[Complaint]
    opportunities: list[Opportunity]
    next_steps: list[FollowUp]


def work_queue(*, user: object, staff_id: str, on: dt.date) -> WorkQueue:
    """A person's work queue, if ``user`` may see it (their own; a manager
    their team's; the general manager everyone's); PermissionDenied
    otherwise."""
    from django.core.exceptions import PermissionDenied

    from .permissions import can_view_staff

    if not can_view_staff(user, staff_id):  # type: ignore[arg-type]
        raise PermissionDenied(staff_id)
    staff = Staff.objects.select_related("team").get(pk=staff_id)
    return WorkQueue(
        staff=staff,
        on=on,
        callbacks=list(callback_queue(staff=staff, on=on)),
        orders=order_queue(staff=staff, on=on),
        complaints=list(complaint_queue(staff=staff)),
        opportunities=list(open_opportunities(staff=staff)),
        next_steps=list(next_steps_due(staff=staff, on=on)),
    )
