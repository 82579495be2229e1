"""Explanations of stored lines in words a salesperson accepts (spec §7).

Sale and clawback lines are explained by the pure `explain` module from the
engine's facts (the engine is rerun for the order's customer: cheap, and the
same code that made the line). Adjustment lines are explained here from what
the locked month holds and what the truth is now."""

from __future__ import annotations

from collections import defaultdict

from django.utils import translation
from django.utils.translation import gettext as _

from tandem.core.errors import TandemError
from tandem.core.money import format_cents

from . import engine, explain
from .histories import Dates, load_plans, load_staff, read_histories
from .models import CommissionLine, Statement
from .selectors import customer_pending, staff_names, statement_for
from .vocabulary import Kind, LineRole, Scenario, explain_words, label


def _role_word(role: str, lang: str) -> str:
    with translation.override(lang):
        return label(LineRole, role)


def _truth_lines(customer_id: str) -> list[engine.Line]:
    dates = Dates()
    histories, referrer_service = read_histories([customer_id], dates)
    if not histories:
        return []
    lookups = engine.Lookups(staff=load_staff(dates), plans=load_plans(), referrer_service=referrer_service)
    return engine.compute_customer(histories[0], lookups).lines


def _adjustment_text(line: CommissionLine, held: int, truth: int, lang: str, name: str) -> str:
    values = {
        "month": line.adjusts_period,
        "held": format_cents(held),
        "truth": format_cents(truth),
        "amount": format_cents(line.amount_cents),
        "period": line.period,
        "who": name or _role_word(line.role, lang),
        "role": _role_word(line.role, lang),
    }
    if lang == "en":
        return (
            "{month} is locked and holds {held} for {who} as {role} on this order; with today's data it "
            "would be {truth}. The difference {amount} is posted as an adjustment in {period}, the first "
            "open month after it."
        ).format(**values)
    return (
        "{month} 已锁账，该月本订单记给 {who}（{role}）{held}；按现有数据应为 {truth}。"
        "差额 {amount} 作为调整计入其后第一个未锁账月份 {period}。"
    ).format(**values)


def explain_lines(*, order_id: str, lang: str = "zh-hans") -> list[tuple[CommissionLine, str]]:
    """Every stored line of an order (or of the order a refund refunds) with
    its explanation."""
    from tandem.sales.models import Order

    order = Order.objects.filter(order_id=order_id).first()
    with translation.override(lang):
        if order is None:
            raise TandemError(_("没有编号为 %(order)s 的订单。") % {"order": order_id})
    if order.refund_of_id:
        order = Order.objects.get(order_id=order.refund_of_id)
    stored = list(
        CommissionLine.objects.filter(customer_id=order.customer_id, order_id=order.order_id).order_by(
            "period", "kind", "role", "staff_id"
        )
    )
    names = staff_names()
    truth = [line for line in _truth_lines(order.customer_id) if line.order_id == order.order_id]
    facts = {(t.staff_id, t.role, t.kind, t.refund_id or "", t.line_date): t for t in truth}

    # For adjustments: per (month, staff, role) what locked months hold and the truth.
    held: dict[tuple[str, str, str], int] = defaultdict(int)
    for line in stored:
        month = line.adjusts_period if line.kind == "adjustment" else line.period
        held[(month, line.staff_id, line.role)] += line.amount_cents
    true_amounts: dict[tuple[str, str, str], int] = defaultdict(int)
    for t in truth:
        true_amounts[(t.period, t.staff_id, t.role)] += t.amount_cents

    words = explain_words(lang)
    out = []
    for line in stored:
        name = names.get(line.staff_id, line.staff_id)
        if line.kind == "adjustment":
            key = (line.adjusts_period, line.staff_id, line.role)
            before = held[key] - line.amount_cents
            text = _adjustment_text(line, before, true_amounts[key], lang, name)
        else:
            fact = facts.get((line.staff_id, line.role, line.kind, line.refund_id, line.line_date))
            if fact is not None and fact.amount_cents == line.amount_cents:
                text = explain.explain_line(fact, lang=lang, staff_names=names, words=words)
            else:
                with translation.override(lang):
                    text = _("该明细按计算时的数据生成；数据已变更，下次运行提成计算时会更新或调整。")
        out.append((line, text))
    return out


def explain_order(*, order_id: str, lang: str = "zh-hans") -> list[str]:
    """The text of `tandem commissions explain`: a heading, then one block per line."""
    from tandem.sales.models import Order

    pairs = explain_lines(order_id=order_id, lang=lang)
    order = Order.objects.select_related("customer").get(order_id=order_id)
    if order.refund_of_id:
        order = Order.objects.select_related("customer").get(order_id=order.refund_of_id)
    names = staff_names()
    with translation.override(lang):
        lines = [
            _("订单 %(order)s：客户 %(customer)s，%(date)s，金额 %(amount)s 元，提成明细 %(n)d 行。")
            % {
                "order": order.order_id,
                "customer": (
                    f"{order.customer.name} ({order.customer_id})"
                    if lang == "en"
                    else f"{order.customer.name}（{order.customer_id}）"
                ),
                "date": order.order_date.isoformat(),
                "amount": format_cents(int(order.amount * 100)),
                "n": len(pairs),
            }
        ]
        if customer_pending(order.customer_id):
            lines.append(_("注意：该客户的数据已变更，尚未重新计算提成。"))
        if not pairs:
            lines.append(_("该订单没有提成明细（可能没有适用的提成方案，或尚未运行提成计算）。"))
        for line, text in pairs:
            who = names.get(line.staff_id, "") if line.staff_id else label(LineRole, LineRole.UNASSIGNED)
            lines.append(
                f"[{line.period}] {who} {line.staff_id} · {label(LineRole, line.role)} · "
                f"{label(Scenario, line.scenario)} · {label(Kind, line.kind)} · "
                f"{format_cents(line.amount_cents)}"
            )
            lines.append(f"    {text}")
    return lines


def statement_table(*, staff_id: str, period: str, lang: str = "zh-hans") -> tuple[list[str], list[list[str]]]:
    """A person's statement as a table: a summary block (the figures a
    payslip needs), then every line with its explanation."""
    view = statement_for(staff_id=staff_id, period=period)
    with translation.override(lang):
        if not view.staff_name:
            raise TandemError(_("没有编号为 %(staff)s 的员工。") % {"staff": staff_id})
        explained: dict[int, str] = {}
        for order_id in sorted({line.order_id for line in view.lines}):
            for line, text in explain_lines(order_id=order_id, lang=lang):
                explained[line.pk] = text
        header = [
            _("项目"),
            _("期间"),
            _("订单编号"),
            _("客户编号"),
            _("日期"),
            _("角色"),
            _("场景"),
            _("类型"),
            _("金额"),
            _("说明"),
        ]
        status = str(Statement.Status(view.status).label) if view.status else _("未出具")
        summary = [
            [_("员工"), period, "", "", "", "", "", "", "", f"{view.staff_name}（{view.staff_id}）{view.role} {view.team}"],
            [_("状态"), period, "", "", "", "", "", "", "", status + (_("，已锁账") if view.locked else _("，未锁账"))],
        ]
        for kind in Kind.values:
            summary.append(
                [_("合计·") + label(Kind, kind), period, "", "", "", "", "", kind, format_cents(view.by_kind.get(kind, 0)), ""]
            )
        for scenario in sorted(view.by_scenario):
            summary.append(
                [_("合计·") + label(Scenario, scenario), period, "", "", "", "", scenario, "", format_cents(view.by_scenario[scenario]), ""]
            )
        summary.append(
            [_("应发提成"), period, "", "", "", "", "", "", format_cents(view.total_cents),
             _("订单 %(orders)d 个，客户 %(customers)d 个") % {"orders": view.orders, "customers": view.customers}]
        )
        rows = [
            [
                _("明细"),
                line.period,
                line.order_id,
                line.customer_id,
                line.line_date.isoformat(),
                label(LineRole, line.role),
                label(Scenario, line.scenario),
                label(Kind, line.kind),
                format_cents(line.amount_cents),
                explained.get(line.pk, ""),
            ]
            for line in view.lines
        ]
    return [str(h) for h in header], [[str(c) for c in r] for r in summary + rows]
