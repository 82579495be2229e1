"""Writes of the service desk, one record at a time (the importer's bulk
variants are in `bulk`, with the same rules from `rules`).

Each function owns its transaction. None of these records moves
commission, so none records a change fact of its own — except a referral
given on a callback, which is written by the customers domain's
`customer_upsert` and recorded there. Ids of records made here (not
imported) are generated (`new_id`): a prefix, the day and a random part."""

from __future__ import annotations

import datetime as dt
import secrets
import tomllib
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tandem.core.errors import InvalidInput
from tandem.core.rules import RuleError, Violation, raise_first
from tandem.customers.models import Customer
from tandem.customers.rules import unknown_customer
from tandem.sales.models import Order
from tandem.staff.models import Role, Staff
from tandem.staff.rules import unknown_staff

from . import scoring
from .choices import (
    DEFAULT_STAGES,
    CallbackReason,
    ComplaintStatus,
    Milestone,
    NoticeKind,
    OpportunityStatus,
)
from .models import (
    Callback,
    Complaint,
    DeskRules,
    FollowUp,
    Notice,
    Opportunity,
    OpportunityOrder,
    OrderStage,
    OrderStageChange,
    OrderTracking,
    ScorecardRuleSet,
    SurveyAnswer,
    ThanksNote,
)
from .rules import (
    callback_violations,
    check_active,
    check_resolved,
    complaint_violations,
    followup_violations,
    parse_score,
    survey_violations,
)
from .selectors import desk_rules, participants_on, service_managers_of, service_participant


def new_id(prefix: str, day: dt.date) -> str:
    """An id for a record made in Tandem: ``HF-20260410-3f9a1c2b``."""
    return f"{prefix}-{day:%Y%m%d}-{secrets.token_hex(4)}"


def _customer(value: Customer | str, field: str = "customer_id") -> Customer:
    if isinstance(value, Customer):
        return value
    found = Customer.objects.filter(pk=value).first()
    if found is None:
        raise RuleError(Violation.of(field, unknown_customer(str(value))))
    return found


def _staff(value: Staff | str, field: str = "staff_id") -> Staff:
    if isinstance(value, Staff):
        return value
    found = Staff.objects.filter(pk=value).first()
    if found is None:
        raise RuleError(Violation.of(field, unknown_staff(str(value))))
    return found


def _active(staff: Staff, day: dt.date, field: str = "staff_id") -> None:
    raise_first([check_active(field, staff.pk, staff.hired_on, staff.left_on, day)])


def _changed(record: Any, values: dict[str, Any]) -> bool:
    return any(getattr(record, name) != value for name, value in values.items())


def _upsert(model: Any, pk: str, values: dict[str, Any]) -> tuple[Any, bool]:
    """Create or update by id (through the ORM: the history shows the
    change); returns (record, changed)."""
    record = model.objects.select_for_update().filter(pk=pk).first()
    if record is None:
        record = model(pk=pk, **values)
        record.save(force_insert=True)
        return record, True
    if not _changed(record, values):
        return record, False
    for name, value in values.items():
        setattr(record, name, value)
    record.save(update_fields=list(values))
    return record, True


# --------------------------------------------------------------------------- #
# Follow-ups
# --------------------------------------------------------------------------- #


def followup_record(
    *,
    customer: Customer | str,
    staff: Staff | str,
    followed_on: dt.date,
    channel: str,
    note: str = "",
    next_step: str = "",
    next_due_on: dt.date | None = None,
    followup_id: str = "",
) -> tuple[FollowUp, bool]:
    """Record a follow-up (or change one, same id); returns (record, changed).
    The staff member must be active that day (a salesperson may follow up
    too)."""
    followup_id = followup_id or new_id("GJ", followed_on)
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    staff_id = staff.pk if isinstance(staff, Staff) else staff
    raise_first(
        followup_violations(
            followup_id=followup_id,
            customer_id=customer_id,
            staff_id=staff_id,
            channel=channel,
            note=note,
            next_step=next_step,
        )
    )
    customer = _customer(customer)
    person = _staff(staff)
    _active(person, followed_on)
    values = {
        "customer_id": customer.pk,
        "staff_id": person.pk,
        "followed_on": followed_on,
        "channel": channel,
        "note": note,
        "next_step": next_step,
        "next_due_on": next_due_on if next_step else None,
    }
    with transaction.atomic():
        return _upsert(FollowUp, followup_id, values)


def followup_next_step_done(*, followup: FollowUp, on: dt.date) -> FollowUp:
    """Mark a follow-up's next step done on ``on``."""
    if not followup.next_step:
        raise InvalidInput(_("这条跟进记录没有下一步"))
    with transaction.atomic():
        record = FollowUp.objects.select_for_update().get(pk=followup.pk)
        if record.next_done_on != on:
            record.next_done_on = on
            record.save(update_fields=["next_done_on"])
    return record


# --------------------------------------------------------------------------- #
# Order follow-up (跟单)
# --------------------------------------------------------------------------- #


def order_stage_upsert(
    *, code: str, name: str, position: int, milestone: str = "", active: bool = True
) -> tuple[OrderStage, bool]:
    """Add or change a state of order follow-up."""
    if not code or len(code) > 32:
        raise InvalidInput(_("状态代码应为 1 到 32 个字符"))
    if not name or len(name) > 50:
        raise InvalidInput(_("状态名称应为 1 到 50 个字符"))
    if milestone not in Milestone.values:
        raise InvalidInput(
            _("未知的节点「%(value)s」（允许：%(allowed)s）")
            % {"value": milestone, "allowed": ", ".join(v for v in Milestone.values if v)}
        )
    with transaction.atomic():
        return _upsert(OrderStage, code, {"name": name, "position": position, "milestone": milestone, "active": active})


def order_stages_ensure_default() -> bool:
    """The default states of order follow-up, when there are none at all
    (a database whose data migration was flushed, say); True when made."""
    if OrderStage.objects.exists():
        return False
    with transaction.atomic():
        OrderStage.objects.bulk_create(
            [OrderStage(code=c, name=n, position=p, milestone=m) for c, n, p, m in DEFAULT_STAGES]
        )
    return True


def _sale(order: Order | str) -> Order:
    found = order if isinstance(order, Order) else Order.objects.filter(pk=order).first()
    if found is None:
        raise InvalidInput(_("未知的订单「%(id)s」") % {"id": order})
    if found.refund_of_id is not None:
        raise InvalidInput(_("「%(id)s」是退款，不是订单") % {"id": found.pk})
    return found


def order_stage_set(
    *,
    order: Order | str,
    stage: OrderStage | str,
    on: dt.date,
    reason: str = "",
    user: Any = None,
    actor: str = "",
) -> OrderTracking:
    """Move an order to a state of order follow-up on ``on``, recording the
    change (from, to, day, who, when). An exception state needs a reason.
    Reaching the delivered milestone schedules the after-delivery callback."""
    order = _sale(order)
    if isinstance(stage, str):
        found = OrderStage.objects.filter(pk=stage).first()
        if found is None:
            raise InvalidInput(_("未知的跟单状态「%(code)s」") % {"code": stage})
        stage = found
    if not stage.active:
        raise InvalidInput(_("跟单状态「%(name)s」已停用") % {"name": stage.name})
    reason = reason.strip()
    if stage.milestone == Milestone.EXCEPTION and not reason:
        raise InvalidInput(_("标记为异常时必须填写原因"))
    if len(reason) > 200:
        raise InvalidInput(_("原因长度超过 %(max)d 个字符") % {"max": 200})
    if on < order.order_date:
        raise InvalidInput(_("跟单日期不能早于下单日期 %(date)s") % {"date": order.order_date.isoformat()})
    with transaction.atomic():
        tracking = OrderTracking.objects.select_for_update().filter(order_id=order.pk).first()
        before = tracking.stage_id if tracking is not None else None
        if tracking is None:
            tracking = OrderTracking(order=order, stage=stage, stage_since=on)
        elif before == stage.pk and tracking.exception_reason == (reason if stage.milestone == Milestone.EXCEPTION else ""):
            return tracking
        tracking.stage = stage
        tracking.stage_since = on
        tracking.exception_reason = reason if stage.milestone == Milestone.EXCEPTION else ""
        tracking.save()
        OrderStageChange.objects.create(
            order=order,
            from_stage_id=before,
            to_stage=stage,
            changed_on=on,
            reason=reason,
            changed_by=user if user is not None and getattr(user, "is_authenticated", False) else None,
            actor=actor[:100],
        )
        if stage.milestone == Milestone.DELIVERED:
            _schedule_after_delivery(order, on, desk_rules())
    return tracking


def order_tracking_dates_set(
    *,
    order: Order | str,
    ship_by: dt.date | None = None,
    payment_due_on: dt.date | None = None,
    paid_on: dt.date | None = None,
) -> OrderTracking:
    """Set the dates an order's work queue watches. An order not tracked yet
    starts in the first active state on its order date."""
    order = _sale(order)
    if paid_on is not None and paid_on < order.order_date:
        raise InvalidInput(_("收款日期不能早于下单日期 %(date)s") % {"date": order.order_date.isoformat()})
    with transaction.atomic():
        tracking = OrderTracking.objects.select_for_update().filter(order_id=order.pk).first()
        if tracking is None:
            first = OrderStage.objects.filter(active=True).exclude(milestone=Milestone.EXCEPTION).first()
            if first is None:
                raise InvalidInput(_("没有启用的跟单状态"))
            tracking = OrderTracking(order=order, stage=first, stage_since=order.order_date)
        tracking.ship_by, tracking.payment_due_on, tracking.paid_on = ship_by, payment_due_on, paid_on
        tracking.save()
    return tracking


# --------------------------------------------------------------------------- #
# Callbacks (回访)
# --------------------------------------------------------------------------- #


def _schedule_after_delivery(order: Order, delivered_on: dt.date, rules: DeskRules) -> Callback | None:
    if Callback.objects.filter(order=order, reason=CallbackReason.AFTER_DELIVERY).exists():
        return None
    due = delivered_on + dt.timedelta(days=rules.after_delivery_days)
    staff_id = service_participant(order.customer_id, due) or service_participant(order.customer_id, delivered_on)
    callback = Callback(
        callback_id=new_id("HF", due),
        customer_id=order.customer_id,
        staff_id=staff_id,
        due_on=due,
        reason=CallbackReason.AFTER_DELIVERY,
        order=order,
    )
    callback.save(force_insert=True)
    return callback


def callback_schedule(
    *,
    customer: Customer | str,
    due_on: dt.date,
    staff: Staff | str | None = None,
    note: str = "",
    callback_id: str = "",
) -> Callback:
    """Plan a callback by hand; by default for the customer's service
    participant on ``due_on``."""
    customer = _customer(customer)
    person = _staff(staff) if staff is not None else None
    staff_id = person.pk if person is not None else service_participant(customer.pk, due_on)
    with transaction.atomic():
        callback = Callback(
            callback_id=callback_id or new_id("HF", due_on),
            customer=customer,
            staff_id=staff_id,
            due_on=due_on,
            reason=CallbackReason.MANUAL,
            note=note,
        )
        try:
            with transaction.atomic():
                callback.save(force_insert=True)
        except IntegrityError:
            raise InvalidInput(_("回访编号「%(id)s」已存在") % {"id": callback.pk}) from None
    return callback


def callbacks_schedule(*, on: dt.date) -> dict[str, int]:
    """The scheduler's daily pass (idempotent): an after-delivery callback for
    every delivered order that has none, and a callback due ``on`` for every
    customer with no contact (a follow-up, a callback that reached them, a
    complaint) in the ``no_contact_days`` before ``on`` and no callback
    planned. Each goes to the customer's service participant on its day
    (none: to nobody's queue, shown to the managers)."""
    rules = desk_rules()
    counts = {CallbackReason.AFTER_DELIVERY.value: 0, CallbackReason.NO_CONTACT.value: 0}
    with transaction.atomic():
        delivered = (
            OrderTracking.objects.filter(stage__milestone__in=(Milestone.DELIVERED, Milestone.DONE))
            .exclude(order__callbacks__reason=CallbackReason.AFTER_DELIVERY)
            .select_related("order")
        )
        for tracking in delivered:
            delivered_on = (
                OrderStageChange.objects.filter(order_id=tracking.order_id, to_stage__milestone=Milestone.DELIVERED)
                .order_by("changed_on")
                .values_list("changed_on", flat=True)
                .first()
            ) or tracking.stage_since
            if _schedule_after_delivery(tracking.order, delivered_on, rules) is not None:
                counts[CallbackReason.AFTER_DELIVERY] += 1
        since = on - dt.timedelta(days=rules.no_contact_days)
        contacted = set(
            FollowUp.objects.filter(followed_on__gt=since, followed_on__lte=on).values_list("customer_id", flat=True)
        )
        contacted |= set(
            Callback.objects.filter(called_on__gt=since, called_on__lte=on)
            .exclude(outcome="unreachable")
            .values_list("customer_id", flat=True)
        )
        contacted |= set(
            Complaint.objects.filter(opened_on__gt=since, opened_on__lte=on).values_list("customer_id", flat=True)
        )
        planned = set(Callback.objects.filter(called_on__isnull=True).values_list("customer_id", flat=True))
        # A customer acquired within the window has had no time to fall silent.
        silent = sorted(
            set(Customer.objects.filter(acquired_on__lte=since).values_list("customer_id", flat=True))
            - contacted
            - planned
        )
        owners = participants_on(silent, on)
        new = [
            Callback(
                callback_id=new_id("HF", on),
                customer_id=customer_id,
                staff_id=owners.get(customer_id),
                due_on=on,
                reason=CallbackReason.NO_CONTACT,
            )
            for customer_id in silent
        ]
        Callback.objects.bulk_create(new, batch_size=1000)
        counts[CallbackReason.NO_CONTACT] = len(new)
    return counts


def callback_record(
    *,
    customer: Customer | str,
    staff: Staff | str,
    called_on: dt.date,
    outcome: str,
    score: int | str | None = None,
    note: str = "",
    next_step: str = "",
    praise: bool = False,
    recommends: Customer | str | None = None,
    callback_id: str = "",
) -> tuple[Callback, bool]:
    """Record a callback made on ``called_on`` (completing the planned one
    when ``callback_id`` names it, or changing a recorded one); returns
    (record, changed).

    ``recommends``: the customer recommended a new customer on the call
    ("recommends X"): X's referrer becomes this customer, through the
    customers domain (`customer_upsert`), so the referral reaches the
    commission engine's referral crediting like one recorded on the
    customer's form. Refused when X already has another referrer."""
    callback_id = callback_id or new_id("HF", called_on)
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    staff_id = staff.pk if isinstance(staff, Staff) else staff
    raise_first(
        callback_violations(
            callback_id=callback_id,
            customer_id=customer_id,
            staff_id=staff_id,
            outcome=outcome,
            note=note,
            next_step=next_step,
        )
    )
    number, violation = parse_score(score)
    raise_first([violation])
    customer = _customer(customer)
    person = _staff(staff)
    _active(person, called_on)
    referred = _customer(recommends, "recommends") if recommends not in (None, "") else None
    values = {
        "customer_id": customer.pk,
        "staff_id": person.pk,
        "called_on": called_on,
        "outcome": outcome,
        "score": number,
        "note": note,
        "next_step": next_step,
        "praise": praise,
        "recommends_id": referred.pk if referred is not None else None,
    }
    with transaction.atomic():
        existing = Callback.objects.select_for_update().filter(pk=callback_id).first()
        if existing is not None and existing.customer_id != customer.pk:
            raise InvalidInput(
                _("回访「%(id)s」属于客户「%(customer)s」") % {"id": callback_id, "customer": existing.customer_id}
            )
        record, changed = _upsert(Callback, callback_id, values)
        if referred is not None:
            _referral_record(referred=referred, referrer=customer)
    return record, changed


def _referral_record(*, referred: Customer, referrer: Customer) -> None:
    from tandem.customers.services import customer_upsert

    if referred.pk == referrer.pk:
        raise InvalidInput(_("客户不能转介绍自己"))
    if referred.referred_by_id not in (None, referrer.pk):
        raise InvalidInput(
            _("客户「%(customer)s」已登记由「%(referrer)s」转介绍")
            % {"customer": referred.pk, "referrer": referred.referred_by_id}
        )
    customer_upsert(
        customer_id=referred.pk,
        name=referred.name,
        tier=referred.tier,
        acquired_on=referred.acquired_on,
        acquired_by=referred.acquired_by_id,
        referred_by=referrer.pk,
    )


def praise_mark(*, record: Callback | SurveyAnswer, praise: bool = True) -> Callback | SurveyAnswer:
    """Mark a made callback or a survey answer as praise from the customer."""
    if isinstance(record, Callback) and record.called_on is None:
        raise InvalidInput(_("回访尚未完成，不能标记为表扬"))
    with transaction.atomic():
        fresh = type(record).objects.select_for_update().get(pk=record.pk)
        if fresh.praise != praise:
            fresh.praise = praise
            fresh.save(update_fields=["praise"])
    return fresh


# --------------------------------------------------------------------------- #
# Opportunities
# --------------------------------------------------------------------------- #


def opportunity_open(
    *,
    customer: Customer | str,
    staff: Staff | str,
    opened_on: dt.date,
    callback: Callback | None = None,
    note: str = "",
) -> Opportunity:
    """The customer wants to buy again: an opportunity owned by ``staff``
    (usually opened from the callback that found it)."""
    customer = _customer(customer)
    person = _staff(staff)
    _active(person, opened_on)
    if callback is not None:
        if callback.customer_id != customer.pk:
            raise InvalidInput(
                _("回访「%(id)s」属于客户「%(customer)s」") % {"id": callback.pk, "customer": callback.customer_id}
            )
        if callback.called_on is None:
            raise InvalidInput(_("回访尚未完成，不能由它创建商机"))
    with transaction.atomic():
        return Opportunity.objects.create(
            customer=customer, staff=person, opened_on=opened_on, callback=callback, note=note
        )


def opportunity_link_order(*, opportunity: Opportunity, order: Order | str, user: Any = None) -> OpportunityOrder:
    """Link an order that followed from the opportunity: a sale of the same
    customer dated on or after the opportunity opened, not linked to
    another one. A won opportunity is marked so on its first order."""
    order = _sale(order)
    if order.customer_id != opportunity.customer_id:
        raise InvalidInput(
            _("订单「%(order)s」不是客户「%(customer)s」的订单")
            % {"order": order.pk, "customer": opportunity.customer_id}
        )
    if order.order_date < opportunity.opened_on:
        raise InvalidInput(
            _("订单「%(order)s」早于商机创建日期 %(date)s")
            % {"order": order.pk, "date": opportunity.opened_on.isoformat()}
        )
    with transaction.atomic():
        existing = OpportunityOrder.objects.select_for_update().filter(order_id=order.pk).first()
        if existing is not None:
            if existing.opportunity_id == opportunity.pk:
                return existing
            raise InvalidInput(_("订单「%(order)s」已关联到另一个商机") % {"order": order.pk})
        link = OpportunityOrder.objects.create(
            order=order,
            opportunity=opportunity,
            linked_by=user if user is not None and getattr(user, "is_authenticated", False) else None,
        )
        if opportunity.status == OpportunityStatus.OPEN:
            opportunity.status = OpportunityStatus.WON
            opportunity.closed_on = order.order_date
            opportunity.save(update_fields=["status", "closed_on"])
    return link


def opportunity_close(*, opportunity: Opportunity, closed_on: dt.date, won: bool) -> Opportunity:
    if closed_on < opportunity.opened_on:
        raise InvalidInput(_("关闭日期不能早于创建日期 %(date)s") % {"date": opportunity.opened_on.isoformat()})
    with transaction.atomic():
        record = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        record.status = OpportunityStatus.WON if won else OpportunityStatus.LOST
        record.closed_on = closed_on
        record.save(update_fields=["status", "closed_on"])
    return record


# --------------------------------------------------------------------------- #
# Complaints (投诉)
# --------------------------------------------------------------------------- #


def complaint_record(
    *,
    customer: Customer | str,
    opened_on: dt.date,
    severity: str,
    escalated: bool = False,
    channel: str = "",
    resolved_on: dt.date | None = None,
    note: str = "",
    owner: Staff | str | None = None,
    resolution: str | None = None,
    complaint_id: str = "",
) -> tuple[Complaint, bool]:
    """Record a complaint (or change one, same id); returns (record,
    changed). Its owner is by default the customer's service participant on
    ``opened_on`` (kept when the record is changed); a new complaint's owner
    is notified. ``resolution`` None keeps the one recorded (the files carry
    none)."""
    complaint_id = complaint_id or new_id("TS", opened_on)
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    raise_first(
        complaint_violations(
            complaint_id=complaint_id,
            customer_id=customer_id,
            severity=severity,
            channel=channel,
            note=note,
            opened_on=opened_on,
            resolved_on=resolved_on,
        )
    )
    customer = _customer(customer)
    handler = _staff(owner, "owner") if owner not in (None, "") else None  # type: ignore[arg-type]
    with transaction.atomic():
        existing = Complaint.objects.select_for_update().filter(pk=complaint_id).first()
        owner_id: str | None
        if handler is None:
            if existing is not None and existing.owner_id is not None:
                owner_id = existing.owner_id
            else:
                owner_id = service_participant(customer.pk, opened_on)
        else:
            owner_id = handler.pk
        values: dict[str, Any] = {
            "customer_id": customer.pk,
            "opened_on": opened_on,
            "severity": severity,
            "escalated": escalated,
            "channel": channel,
            "resolved_on": resolved_on,
            "note": note,
            "owner_id": owner_id,
            "status": _status(existing, resolved_on),
        }
        if resolution is not None:
            values["resolution"] = resolution.strip()
        record, changed = _upsert(Complaint, complaint_id, values)
        if existing is None and owner_id is not None:
            _notify(owner_id, NoticeKind.COMPLAINT_OPENED, record, opened_on)
    return record, changed


def _status(existing: Complaint | None, resolved_on: dt.date | None) -> str:
    if resolved_on is not None:
        return ComplaintStatus.RESOLVED
    if existing is not None and existing.status == ComplaintStatus.PROCESSING:
        return ComplaintStatus.PROCESSING
    return ComplaintStatus.OPEN


def complaint_take(*, complaint: Complaint, owner: Staff | str | None = None) -> Complaint:
    """Start handling a complaint (status 处理中), optionally handing it to
    another person, who is notified."""
    with transaction.atomic():
        record = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if record.status == ComplaintStatus.RESOLVED:
            raise InvalidInput(_("投诉「%(id)s」已解决") % {"id": record.pk})
        fields = ["status"]
        record.status = ComplaintStatus.PROCESSING
        if owner not in (None, ""):
            person = _staff(owner, "owner")  # type: ignore[arg-type]
            if person.pk != record.owner_id:
                record.owner = person
                fields.append("owner")
                _notify(person.pk, NoticeKind.COMPLAINT_OPENED, record, record.opened_on)
        record.save(update_fields=fields)
    return record


def complaint_resolve(*, complaint: Complaint, resolved_on: dt.date, resolution: str) -> Complaint:
    """Close a complaint with its resolution."""
    resolution = resolution.strip()
    if not resolution:
        raise InvalidInput(_("请填写处理结果"))
    raise_first([check_resolved(complaint.opened_on, resolved_on)])
    with transaction.atomic():
        record = Complaint.objects.select_for_update().get(pk=complaint.pk)
        record.resolved_on = resolved_on
        record.resolution = resolution
        record.status = ComplaintStatus.RESOLVED
        record.save(update_fields=["resolved_on", "resolution", "status"])
    return record


def _notify(staff_id: str, kind: str, complaint: Complaint, day: dt.date) -> bool:
    _notice, created = Notice.objects.get_or_create(
        staff_id=staff_id, kind=kind, complaint=complaint, defaults={"created_on": day}
    )
    return created


def complaints_alert_overdue(*, on: dt.date) -> int:
    """Tell the service managers about every unresolved complaint past its
    SLA on ``on`` (once each: idempotent); returns how many were raised."""
    from .selectors import complaints_overdue

    sla_days = dict(scorecard_rules().sla_days)
    raised = 0
    with transaction.atomic():
        for complaint in complaints_overdue(on=on, sla_days=sla_days):
            if complaint.manager_alerted_on is not None:
                continue
            handler = complaint.owner
            if handler is None:
                managers = list(Staff.objects.filter(role=Role.MANAGER, team__isnull=True, left_on__isnull=True))
            else:
                managers = service_managers_of(handler)
            for manager in managers:
                _notify(manager.pk, NoticeKind.COMPLAINT_OVERDUE, complaint, on)
            complaint.manager_alerted_on = on
            complaint.save(update_fields=["manager_alerted_on"])
            raised += 1
    return raised


# --------------------------------------------------------------------------- #
# Open work changes hands
# --------------------------------------------------------------------------- #


def open_work_hand_over(*, leaver: Staff | str, receivers: dict[str, str], on: dt.date) -> dict[str, int]:
    """A departure's handover (handover.md §3): the leaver's open work on
    the customers handed over goes to their receivers — planned callbacks,
    unresolved complaints (the receiver is notified) and open
    opportunities. ``receivers``: customer_id -> the receiving staff_id.
    Follow-ups stay as they were: they record who followed up. Returns how
    many of each moved."""
    leaver_id = leaver.pk if isinstance(leaver, Staff) else leaver
    moved = {"callbacks": 0, "complaints": 0, "opportunities": 0}
    by_receiver: dict[str, list[str]] = {}
    for customer_id, staff_id in receivers.items():
        by_receiver.setdefault(staff_id, []).append(customer_id)
    with transaction.atomic():
        for staff_id, customer_ids in sorted(by_receiver.items()):
            moved["callbacks"] += Callback.objects.filter(
                customer_id__in=customer_ids, staff_id=leaver_id, called_on__isnull=True
            ).update(staff_id=staff_id)
            complaints = list(
                Complaint.objects.select_for_update()
                .filter(customer_id__in=customer_ids, owner_id=leaver_id, resolved_on__isnull=True)
                .exclude(status=ComplaintStatus.RESOLVED)
            )
            for complaint in complaints:
                complaint.owner_id = staff_id
                complaint.save(update_fields=["owner"])
                _notify(staff_id, NoticeKind.COMPLAINT_OPENED, complaint, on)
            moved["complaints"] += len(complaints)
            moved["opportunities"] += Opportunity.objects.filter(
                customer_id__in=customer_ids, staff_id=leaver_id, status=OpportunityStatus.OPEN
            ).update(staff_id=staff_id)
    return moved


# --------------------------------------------------------------------------- #
# Surveys, thanks
# --------------------------------------------------------------------------- #


def survey_answer_record(
    *,
    customer: Customer | str,
    answered_on: dt.date,
    answer: str,
    score: int | str | None = None,
    comment: str = "",
    praise: bool = False,
    survey_id: str = "",
) -> tuple[SurveyAnswer, bool]:
    """Record a survey answer (or change one, same id)."""
    survey_id = survey_id or new_id("DC", answered_on)
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    raise_first(survey_violations(survey_id=survey_id, customer_id=customer_id, answer=answer, comment=comment))
    number, violation = parse_score(score)
    raise_first([violation])
    customer = _customer(customer)
    values = {
        "customer_id": customer.pk,
        "answered_on": answered_on,
        "answer": answer,
        "score": number,
        "comment": comment,
        "praise": praise,
    }
    with transaction.atomic():
        return _upsert(SurveyAnswer, survey_id, values)


def thanks_note_write(*, staff: Staff | str, author: Staff | str, written_on: dt.date, text: str) -> ThanksNote:
    """A manager thanks a person."""
    person = _staff(staff)
    writer = _staff(author, "author")
    if writer.role != Role.MANAGER:
        raise InvalidInput(_("只有经理可以写感谢留言"))
    if writer.pk == person.pk:
        raise InvalidInput(_("不能给自己写感谢留言"))
    text = text.strip()
    if not text:
        raise InvalidInput(_("感谢内容不能为空"))
    if len(text) > 2000:
        raise InvalidInput(_("感谢内容长度超过 %(max)d 个字符") % {"max": 2000})
    with transaction.atomic():
        return ThanksNote.objects.create(staff=person, author=writer, written_on=written_on, text=text)


# --------------------------------------------------------------------------- #
# Rules
# --------------------------------------------------------------------------- #


def desk_rules_set(
    *, after_delivery_days: int, no_contact_days: int, ship_within_days: int, confirm_within_days: int
) -> DeskRules:
    for value in (after_delivery_days, no_contact_days, ship_within_days, confirm_within_days):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
            raise InvalidInput(_("天数应为 0 到 3650 的整数，收到「%(value)s」") % {"value": value})
    with transaction.atomic():
        rules = DeskRules.objects.select_for_update().filter(pk=1).first() or DeskRules(pk=1)
        rules.after_delivery_days = after_delivery_days
        rules.no_contact_days = no_contact_days
        rules.ship_within_days = ship_within_days
        rules.confirm_within_days = confirm_within_days
        rules.save()
    return rules


def scorecard_rules() -> scoring.Rules:
    """The scorecard rules in force (the spec's defaults until a file is
    loaded)."""
    stored = ScorecardRuleSet.objects.filter(pk=1).values_list("document", flat=True).first()
    if stored is None:
        return scoring.Rules()
    rules, _problems = scoring.rules_from_document(stored)
    return rules


def rules_problem_text(problem: scoring.RulesProblem) -> str:
    """A rules problem in words (zh-Hans by default)."""
    texts = {
        "unknown_key": _("未知的键"),
        "not_table": _("应为表"),
        "not_integer": _("应为整数，收到「%(value)s」"),
        "negative": _("不能为负数，收到「%(value)s」"),
        "not_decimal": _("应为整数或用引号括起的小数，收到「%(value)s」"),
        "float": _("小数请用引号括起（如 \"0.4000\"），收到 %(value)s"),
        "unknown_measure": _("未知的考核指标「%(value)s」"),
    }
    text = texts[problem.code]
    return text % {"value": problem.value} if "%(value)s" in text else text


def scorecard_rules_load(*, path: str) -> scoring.Rules:
    """Load a scorecard rules file (TOML); it replaces the rules whole (a
    key left out takes its default). Raises InvalidInput listing every
    problem as ``file: key: reason``, and writes nothing then."""
    file = Path(path)
    if not file.is_file():
        raise InvalidInput(_("%(file)s: 找不到文件") % {"file": path})
    try:
        document = tomllib.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InvalidInput(_("考核规则文件无效"), [f"{path}: " + _("文件不是 UTF-8 编码")]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(
            _("考核规则文件无效"), [f"{path}: " + _("TOML 语法错误：%(error)s") % {"error": exc}]
        ) from exc
    rules, problems = scoring.rules_from_document(document)
    if problems:
        raise InvalidInput(
            _("考核规则文件无效"), [f"{path}: {p.where}: {rules_problem_text(p)}" for p in problems]
        )
    with transaction.atomic():
        stored = ScorecardRuleSet.objects.select_for_update().filter(pk=1).first() or ScorecardRuleSet(pk=1)
        stored.document = scoring.rules_document(rules)
        stored.source = file.name[:300]
        stored.save()
    return rules
