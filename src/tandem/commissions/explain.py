"""Why a commission line exists, in words a salesperson accepts (spec §7).

Pure Python over ``engine.Line``: the order, the plan, the scenario and the
rule's source, the rate and whether it is a category rate, the pool, the
weight after renormalisation, and for a clawback the refund and the sale line
it corrects. zh-Hans by default, English with ``lang='en'``. Roles and
scenarios are named with the ``Words`` the caller passes (the labels of
commissions.vocabulary); without them, by their codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from tandem.commissions.engine import CLAWBACK, RATE_CATEGORY, Line
from tandem.commissions.rules import INHERITED, REFERRAL, ROLE_RANK, STANDARD, UNASSIGNED
from tandem.core.money import format_cents, pool_cents, ratio

ZH = "zh-hans"
EN = "en"


@dataclass(frozen=True, slots=True)
class Words:
    """What the reader calls each role and scenario, in the language asked
    for. The labels are Tandem's one vocabulary (commissions.vocabulary);
    this module stays free of Django, so the caller passes them in. Without
    them a sentence names the codes."""

    roles: Mapping[str, str] = field(default_factory=dict)
    scenarios: Mapping[str, str] = field(default_factory=dict)

    def role(self, code: str) -> str:
        return self.roles.get(code, code)

    def scenario(self, code: str) -> str:
        return self.scenarios.get(code, code)


CODES = Words()

# The source text of each scenario's rule (the spec's table, "from the
# seed's text"), quoted in the explanation.
SCENARIO_SOURCES: Mapping[str, Mapping[str, str]] = {
    ZH: {
        STANDARD: "客服 30% 提成（维护、跟单、对账），销售 70%（新客户开发、大客户维护）",
        INHERITED: "流失销售开发的客户：客服维护为主 70%，新销售跟进 30%",
        REFERRAL: "老客户介绍的新客户，功劳记到维护老客户的客服",
    },
    EN: {
        STANDARD: "service 30% (account care, order follow-up, reconciliation), "
        "sales 70% (new-customer development, key-account care)",
        INHERITED: "customers developed by a salesperson who left: service leads with 70%, "
        "the new salesperson follows up with 30%",
        REFERRAL: "a new customer introduced by an existing customer: the credit goes to "
        "the service person who looks after the existing customer",
    },
}


def _lang(lang: str) -> str:
    key = lang.lower().replace("_", "-")
    if key in (ZH, "zh", "zh-cn", "zh-hans-cn"):
        return ZH
    if key.startswith("en"):
        return EN
    raise ValueError(f"unsupported language: {lang}")


def _pct_decimal(value: Decimal) -> str:
    """0.05 -> '5%', 0.055 -> '5.5%'."""
    scaled = value * 100
    if scaled == scaled.to_integral_value():
        return f"{int(scaled)}%"
    return f"{scaled.normalize():f}%"


def _pct_fraction(value: Fraction) -> str:
    """7/10 -> '70%'; a non-terminating weight is shown to two decimals ('≈')."""
    scaled = value * 100
    if scaled.denominator == 1:
        return f"{scaled.numerator}%"
    den = scaled.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den == 1:  # terminating decimal: exact
        text = f"{Decimal(scaled.numerator) / Decimal(scaled.denominator):f}"
        return f"{text}%"
    hundredths = (200 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    whole, frac = divmod(hundredths, 100)
    return f"≈{whole}.{frac:02d}%"


def _person(staff_id: str | None, names: Mapping[str, str] | None) -> str:
    if not staff_id:
        return ""
    if names and staff_id in names:
        return names[staff_id]
    return staff_id


def _split_text(line: Line, words: Words) -> str:
    weights = sorted(line.split_weights, key=lambda rw: (-rw[1], ROLE_RANK.get(rw[0], 9)))
    return " / ".join(f"{words.role(r)} {_pct_decimal(w)}" for r, w in weights)


def _nominal_of(line: Line, role: str) -> Decimal | None:
    for r, w in line.split_weights:
        if r == role:
            return w
    return None


def _pool_for(line: Line, amount_cents: int) -> int:
    return pool_cents(amount_cents, ratio(line.rate))


def _absent_parts(line: Line, lang: str, words: Words) -> tuple[str, str]:
    """The absent roles' names and their nominal weights, joined for ``lang``."""
    names = [words.role(role) for role in line.absent_roles]
    weights = []
    for role in line.absent_roles:
        w = _nominal_of(line, role)
        weights.append(_pct_decimal(w) if w is not None else "0%")
    if lang == ZH:
        return "、".join(names), "、".join(weights)
    return _and(names), _and(weights)


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _context_zh(
    line: Line, names: Mapping[str, str] | None, customers: Mapping[str, str] | None, words: Words
) -> str:
    name, source = words.scenario(line.scenario), SCENARIO_SOURCES[ZH].get(line.scenario, "")
    head = (
        f"订单 {line.order_id}（{line.order_date.isoformat()}，金额 "
        f"{format_cents(line.order_amount_cents)}）适用方案「{line.plan_name}」"
        f"（{line.plan_from.isoformat()} 起）："
    )
    reason = ""
    if line.scenario == INHERITED and line.developer_id:
        left = line.developer_left_on.isoformat() if line.developer_left_on else ""
        reason = f"客户的开发人 {_person(line.developer_id, names)} 已于 {left} 离职，"
    elif line.scenario == REFERRAL and line.referrer_id:
        referrer = (customers or {}).get(line.referrer_id, line.referrer_id)
        customer = (customers or {}).get(line.customer_id, line.customer_id)
        reason = f"这是客户 {customer} 的首单，该客户由老客户 {referrer} 介绍，"
    split = _split_text(line, words)
    scenario = f"按「{name}」场景（{split}）" if split else f"按「{name}」场景"
    if source:
        scenario += f"，规则依据：“{source}”"
    return head + reason + scenario + "。"


def _context_en(
    line: Line, names: Mapping[str, str] | None, customers: Mapping[str, str] | None, words: Words
) -> str:
    name, source = words.scenario(line.scenario), SCENARIO_SOURCES[EN].get(line.scenario, "")
    head = (
        f"Order {line.order_id} ({line.order_date.isoformat()}, amount "
        f'{format_cents(line.order_amount_cents)}) falls under plan "{line.plan_name}" '
        f"(in force from {line.plan_from.isoformat()}): "
    )
    reason = ""
    if line.scenario == INHERITED and line.developer_id:
        left = line.developer_left_on.isoformat() if line.developer_left_on else ""
        reason = f"the customer's developer {_person(line.developer_id, names)} left on {left}, so "
    elif line.scenario == REFERRAL and line.referrer_id:
        referrer = (customers or {}).get(line.referrer_id, line.referrer_id)
        customer = (customers or {}).get(line.customer_id, line.customer_id)
        reason = (
            f"this is the first order of customer {customer}, who was referred by "
            f"existing customer {referrer}, so "
        )
    split = _split_text(line, words)
    scenario = f'the "{name}" scenario applies' + (f" ({split})" if split else "")
    if source:
        scenario += f'; the rule: "{source}"'
    return head + reason + scenario + "."


def _pool_zh(line: Line) -> str:
    rate = _pct_decimal(line.rate)
    text = (
        f"提成池 = {format_cents(line.order_amount_cents)} × {rate} = "
        f"{format_cents(line.pool_cents)}"
    )
    if line.rate_source == RATE_CATEGORY:
        text += f"（{rate} 是品类「{line.category}」的专用比例）"
    elif line.category:
        text += f"（品类「{line.category}」没有专用比例，按方案的提成池比例 {rate}）"
    return text


def _pool_en(line: Line) -> str:
    rate = _pct_decimal(line.rate)
    text = (
        f"Pool = {format_cents(line.order_amount_cents)} × {rate} = {format_cents(line.pool_cents)}"
    )
    if line.rate_source == RATE_CATEGORY:
        text += f' ({rate} is the rate of category "{line.category}")'
    elif line.category:
        text += (
            f' (category "{line.category}" has no rate of its own: the plan\'s pool rate {rate})'
        )
    return text


def _share_zh(line: Line, words: Words) -> str:
    share = _pct_fraction(line.weight)
    if not line.absent_roles:
        return share
    nominal = _pct_decimal(line.nominal_weight) if line.nominal_weight is not None else "0%"
    roles, weights = _absent_parts(line, ZH, words)
    return (
        f"{share}（方案原定 {nominal}；{roles}当天没有在职负责人，"
        f"其 {weights} 按比例并入有人负责的角色）"
    )


def _share_en(line: Line, words: Words) -> str:
    share = _pct_fraction(line.weight)
    if not line.absent_roles:
        return share
    nominal = _pct_decimal(line.nominal_weight) if line.nominal_weight is not None else "0%"
    roles, weights = _absent_parts(line, EN, words)
    return (
        f"{share} (the plan says {nominal}; {roles} had no active holder that day, "
        f"so its {weights} went to the roles that had one, in proportion)"
    )


def _sale_zh(line: Line, names: Mapping[str, str] | None, words: Words) -> str:
    pool = _pool_zh(line)
    if line.role == UNASSIGNED:
        absent, _ = _absent_parts(line, ZH, words)
        who = f"{absent}当天都没有在职负责人" if absent else "当天没有可计提的在职负责人"
        return (
            f"{pool}；{who}，整笔 {format_cents(line.amount_cents)} 记为一条"
            f"“{words.role(UNASSIGNED)}”行（不归任何人），留待处理，不会丢失。"
        )
    person = _person(line.staff_id, names)
    return (
        f"{pool}；{person} 作为{words.role(line.role)}占 {_share_zh(line, words)}，"
        f"得 {format_cents(line.amount_cents)}。"
    )


def _sale_en(line: Line, names: Mapping[str, str] | None, words: Words) -> str:
    pool = _pool_en(line)
    if line.role == UNASSIGNED:
        absent, _ = _absent_parts(line, EN, words)
        who = (
            f"{absent} had no active holder that day"
            if absent
            else "no role had an active holder to credit that day"
        )
        return (
            f"{pool}; {who}, so the whole {format_cents(line.amount_cents)} is one "
            f'"{words.role(UNASSIGNED)}" line (nobody\'s), kept for follow-up, never lost.'
        )
    person = _person(line.staff_id, names)
    return (
        f"{pool}; {person}, as {words.role(line.role)}, takes {_share_en(line, words)}: "
        f"{format_cents(line.amount_cents)}."
    )


def _clawback_zh(line: Line, names: Mapping[str, str] | None, words: Words) -> str:
    before_f = line.refunded_before_cents or 0
    after_f = line.refunded_after_cents or 0
    amount = line.order_amount_cents
    pool_before = _pool_for(line, amount - before_f)
    pool_after = _pool_for(line, amount - after_f)
    who = (
        f"“{words.role(UNASSIGNED)}”行"
        if line.role == UNASSIGNED
        else f"{_person(line.staff_id, names)} 作为{words.role(line.role)}（占 {_share_zh(line, words)}）"
    )
    return (
        f"{line.line_date.isoformat()} 退款 {line.refund_id} 退回 "
        f"{format_cents(after_f - before_f)}：此前累计退款 {format_cents(before_f)}，"
        f"之后累计 {format_cents(after_f)}。按订单原日期、方案、场景和负责人重算，"
        f"提成池由 {format_cents(pool_before)}（按 {format_cents(amount - before_f)} 计）"
        f"变为 {format_cents(pool_after)}（按 {format_cents(amount - after_f)} 计），"
        f"{who}应得由 {format_cents(line.net_before_cents or 0)} 变为 "
        f"{format_cents(line.net_after_cents or 0)}，冲回 {format_cents(line.amount_cents)}，"
        f"记入 {line.period}，用于更正该订单 {line.order_date.isoformat()} 的销售提成行。"
    )


def _clawback_en(line: Line, names: Mapping[str, str] | None, words: Words) -> str:
    before_f = line.refunded_before_cents or 0
    after_f = line.refunded_after_cents or 0
    amount = line.order_amount_cents
    pool_before = _pool_for(line, amount - before_f)
    pool_after = _pool_for(line, amount - after_f)
    who = (
        f'the "{words.role(UNASSIGNED)}" line'
        if line.role == UNASSIGNED
        else f"{_person(line.staff_id, names)}'s share as {words.role(line.role)} "
        f"({_share_en(line, words)})"
    )
    return (
        f"Refund {line.refund_id} on {line.line_date.isoformat()} returned "
        f"{format_cents(after_f - before_f)}: refunded {format_cents(before_f)} before, "
        f"{format_cents(after_f)} after. Recomputed with the order's own date, plan, "
        f"scenario and people, the pool goes from {format_cents(pool_before)} (on "
        f"{format_cents(amount - before_f)}) to {format_cents(pool_after)} (on "
        f"{format_cents(amount - after_f)}) and {who} from "
        f"{format_cents(line.net_before_cents or 0)} to {format_cents(line.net_after_cents or 0)}: "
        f"a clawback of {format_cents(line.amount_cents)} in {line.period}, correcting "
        f"the order's sale line of {line.order_date.isoformat()}."
    )


def explain_line(
    line: Line,
    lang: str = ZH,
    staff_names: Mapping[str, str] | None = None,
    customer_names: Mapping[str, str] | None = None,
    words: Words = CODES,
) -> str:
    """Why ``line`` exists, in zh-Hans (default) or English (``lang='en'``).

    ``staff_names`` maps staff_id to a display name and ``customer_names``
    customer_id to one; ids are shown where a name is missing. ``words``
    names the roles and scenarios in the same language."""
    lang = _lang(lang)
    if lang == ZH:
        context = _context_zh(line, staff_names, customer_names, words)
        body = (
            _clawback_zh(line, staff_names, words)
            if line.kind == CLAWBACK
            else _sale_zh(line, staff_names, words)
        )
        return context + body
    context = _context_en(line, staff_names, customer_names, words)
    body = (
        _clawback_en(line, staff_names, words)
        if line.kind == CLAWBACK
        else _sale_en(line, staff_names, words)
    )
    return context + " " + body


def explain_order(
    lines: Iterable[Line],
    lang: str = ZH,
    staff_names: Mapping[str, str] | None = None,
    customer_names: Mapping[str, str] | None = None,
    words: Words = CODES,
) -> list[str]:
    """For each order among ``lines`` (in order_id order): one sentence on how
    its pool was shared, then the explanation of each of its lines."""
    lang = _lang(lang)
    by_order: dict[str, list[Line]] = {}
    for line in lines:
        by_order.setdefault(line.order_id, []).append(line)
    out: list[str] = []
    for order_id in sorted(by_order):
        group = by_order[order_id]
        sales = [ln for ln in group if ln.kind != CLAWBACK]
        if sales:
            first = sales[0]
            if lang == ZH:
                shares = "、".join(
                    f"{words.role(UNASSIGNED)} {format_cents(ln.amount_cents)}"
                    if ln.role == UNASSIGNED
                    else f"{_person(ln.staff_id, staff_names)}（{words.role(ln.role)}）"
                    f"{format_cents(ln.amount_cents)}"
                    for ln in sales
                )
                out.append(
                    f"订单 {order_id} 的提成池 {format_cents(first.pool_cents)} 分配为：{shares}。"
                )
            else:
                shares = ", ".join(
                    f"{words.role(UNASSIGNED)} {format_cents(ln.amount_cents)}"
                    if ln.role == UNASSIGNED
                    else f"{_person(ln.staff_id, staff_names)} ({words.role(ln.role)}) "
                    f"{format_cents(ln.amount_cents)}"
                    for ln in sales
                )
                out.append(
                    f"The pool of order {order_id}, {format_cents(first.pool_cents)}, "
                    f"is shared as: {shares}."
                )
        out.extend(explain_line(ln, lang, staff_names, customer_names, words) for ln in group)
    return out
