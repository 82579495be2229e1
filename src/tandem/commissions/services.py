"""Writes of the commissions domain: plans (checked by the pure plan rules,
upserted by the day they take effect, recorded as a change of the plans),
and recording a sale or a refund with its commission previewed at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import ngettext

from tandem.core.changes import plans_changed
from tandem.core.errors import InvalidInput
from tandem.sales import services as sales_services
from tandem.sales.models import Order

from .models import Plan
from .plan_messages import plans_problems_text
from .plan_rules import PlanSpec, plans_check


@dataclass
class PlansSaved:
    """What `plans_save` did; `plans` in the order they were given."""

    plans: list[Plan] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _same(plan: Plan, spec: PlanSpec) -> bool:
    return (
        plan.name == spec.name
        and Decimal(plan.pool_rate) == Decimal(spec.pool_rate)
        and (plan.category_rates or {}) == spec.category_rates
        and plan.splits == spec.splits
    )


def plans_save(*, plans: Sequence[Mapping[str, object]], reason: str) -> PlansSaved:
    """Check plans given as plain values (`plan_rules`) and insert or
    replace them by `effective_from`, in one transaction, through the ORM so
    the history shows every change (with `reason`). Records that the plans
    changed from the earliest day touched. Raises InvalidInput listing
    every problem, and writes nothing, when any plan breaks a rule."""
    checks = plans_check(plans)
    specs = [c.spec for c in checks if c.spec is not None]
    if len(specs) != len(checks):
        problems = plans_problems_text(checks)
        text = "方案无效：共 %(count)d 处错误，没有写入任何方案"
        raise InvalidInput(ngettext(text, text, len(problems)) % {"count": len(problems)}, problems)
    saved = PlansSaved()
    with transaction.atomic():
        existing = {
            p.effective_from: p
            for p in Plan.objects.select_for_update().filter(effective_from__in=[s.effective_from for s in specs])
        }
        earliest: date | None = None
        for spec in specs:
            plan = existing.get(spec.effective_from)
            if plan is not None and _same(plan, spec):
                saved.unchanged += 1
                saved.plans.append(plan)
                continue
            if plan is None:
                plan = Plan(effective_from=spec.effective_from)
                saved.created += 1
            else:
                saved.updated += 1
            plan.name = spec.name
            plan.pool_rate = Decimal(spec.pool_rate)
            plan.category_rates = spec.category_rates
            plan.splits = spec.splits
            plan._change_reason = reason[:100]  # type: ignore[attr-defined]
            plan.save()
            saved.plans.append(plan)
            if earliest is None or spec.effective_from < earliest:
                earliest = spec.effective_from
        if earliest is not None:
            plans_changed(earliest)
    return saved


def plans_delete(*, effective_from: Iterable[date], reason: str) -> int:
    """Delete the plans taking effect on these days; the orders they
    covered fall under the plan before them. Records that the plans changed
    from the earliest day deleted. Returns how many were deleted."""
    days = set(effective_from)
    with transaction.atomic():
        plans = list(Plan.objects.select_for_update().filter(effective_from__in=days))
        for plan in plans:
            plan._change_reason = reason[:100]  # type: ignore[attr-defined]
            plan.delete()
        if plans:
            plans_changed(min(p.effective_from for p in plans))
    return len(plans)


def customer_preview(*, customer_id: str) -> None:
    """Live preview: recompute one customer's lines at once, inside the
    caller's transaction, so a new order's commission shows immediately."""
    from .runs import customer_preview as recompute

    recompute(customer_id=customer_id)


def _customers_of(record_id: str) -> set[str]:
    return set(Order.objects.filter(pk=record_id).values_list("customer_id", flat=True))


def order_record_previewed(**fields: Any) -> Order:
    """`sales.services.order_record`, then the commission of the customers it
    touched (the new one, and the old one of a changed order) recomputed in
    the same transaction."""
    with transaction.atomic():
        before = _customers_of(fields["order_id"])
        order = sales_services.order_record(**fields)
        for customer_id in sorted(before | {order.customer_id}):
            customer_preview(customer_id=customer_id)
    return order


def refund_record_previewed(**fields: Any) -> Order:
    """`sales.services.refund_record` with its commission previewed."""
    with transaction.atomic():
        before = _customers_of(fields["refund_id"])
        refund = sales_services.refund_record(**fields)
        for customer_id in sorted(before | {refund.customer_id}):
            customer_preview(customer_id=customer_id)
    return refund
