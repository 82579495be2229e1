"""The demo company's last year of service desk history, as exchange rows
(shared/spec/service-desk.md): follow-ups, callbacks, complaints and survey
answers, plus what those files do not carry (praise, managers' notes of
thanks, opportunities opened by callbacks, order follow-up of the recent
orders), which the loader writes through the service desk's services.

Pure Python, no database; deterministic for a company and a seed. What it
tells: most customers are satisfied; a callback about a week after an
order; salespeople and service staff follow their accounts up (key
accounts monthly); about 2% of orders bring a complaint, a few go straight
to the general manager; some dissatisfied customers order again within
weeks (the scorecard's recovery); quarterly surveys; praise and thanks.
Every call and follow-up is made by someone working that day, a callback
by the customer's service owner when there is one."""

from __future__ import annotations

import csv
import datetime as dt
import random
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .company import DemoCompany, StaffRow

# The files, in the importer's dependency order after the company's.
KINDS = ("followups", "callbacks", "complaints", "surveys")

CONTRACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "followups": ("followup_id", "customer_id", "staff_id", "followed_on", "channel", "note"),
    "callbacks": ("callback_id", "customer_id", "staff_id", "called_on", "outcome", "score", "note"),
    "complaints": (
        "complaint_id", "customer_id", "opened_on", "severity", "escalated", "channel", "resolved_on", "note",
    ),  # fmt: skip
    "surveys": ("survey_id", "customer_id", "answered_on", "answer", "score", "comment"),
}

_FOLLOWUP_NOTES = {
    "sales": ("拜访采购经理，了解下季度需求", "电话沟通新品报价", "送样品并演示", "确认年度框架协议", "微信发送产品目录"),
    "service": ("确认到货及安装情况", "对账并核对发票", "提醒续订耗材", "回复使用问题", "协调售后维修"),
}
_SATISFIED_NOTES = ("交期准，包装好", "安装指导很及时", "对产品质量满意", "客服响应快", "")
_NEUTRAL_NOTES = ("价格希望再优惠", "一般，没有特别的意见", "物流慢了一天", "")
_DISSATISFIED_NOTES = ("到货破损，等待补发", "发票开错，重开慢", "安装师傅迟到", "型号发错")
_PRAISE_NOTES = ("客户点名表扬王芳，处理及时", "客户表扬售后很专业", "客户说服务比上一家供应商好很多")
_COMPLAINT_NOTES = ("发货延迟一周", "产品有瑕疵", "发票开错", "售后上门不及时", "退款处理慢", "型号与订单不符")
_SURVEY_COMMENTS = ("服务很好，继续保持", "希望增加线上下单", "配送可以再快一些", "产品稳定", "", "")
_THANKS = (
    "这个月你把{customer}的投诉当天处理完，客户后来又下了单，谢谢！",
    "{customer}点名表扬你，辛苦了，大家都看到了。",
    "接手离职同事的客户后，你稳住了{customer}，谢谢！",
)


@dataclass(slots=True)
class FollowUpRow:
    followup_id: str
    customer_id: str
    staff_id: str
    followed_on: dt.date
    channel: str
    note: str


@dataclass(slots=True)
class CallbackRow:
    callback_id: str
    customer_id: str
    staff_id: str
    called_on: dt.date
    outcome: str
    score: int | None
    note: str
    praise: bool = False  # not in the file: marked through the services
    order_id: str | None = None  # the order it followed (a callback after delivery)


@dataclass(slots=True)
class ComplaintRow:
    complaint_id: str
    customer_id: str
    opened_on: dt.date
    severity: str
    escalated: bool
    channel: str
    resolved_on: dt.date | None
    note: str


@dataclass(slots=True)
class SurveyRow:
    survey_id: str
    customer_id: str
    answered_on: dt.date
    answer: str
    score: int | None
    comment: str
    praise: bool = False


@dataclass(slots=True)
class ThanksRow:
    staff_id: str
    author_id: str
    written_on: dt.date
    text: str


@dataclass(slots=True)
class OpportunityRow:
    """A callback found the customer wants to buy again: the opportunity and
    the orders that followed it."""

    callback_id: str
    customer_id: str
    staff_id: str
    opened_on: dt.date
    order_ids: list[str]


@dataclass
class ServiceHistory:
    start: dt.date  # the first day of the year of history
    followups: list[FollowUpRow] = field(default_factory=list)
    callbacks: list[CallbackRow] = field(default_factory=list)
    complaints: list[ComplaintRow] = field(default_factory=list)
    surveys: list[SurveyRow] = field(default_factory=list)
    thanks: list[ThanksRow] = field(default_factory=list)
    opportunities: list[OpportunityRow] = field(default_factory=list)
    # Orders of the last weeks and the order follow-up state each has reached.
    tracking: list[tuple[str, str, dt.date]] = field(default_factory=list)  # order_id, stage code, day

    def rows(self, kind: str) -> list:
        found: dict[str, list] = {
            "followups": self.followups,
            "callbacks": self.callbacks,
            "complaints": self.complaints,
            "surveys": self.surveys,
        }
        return found[kind]


class _Owners:
    """Who holds a role on a customer on a day, if active (commission-rules §1)."""

    def __init__(self, company: DemoCompany) -> None:
        self.staff = {s.staff_id: s for s in company.staff}
        rows: dict[tuple[str, str], list] = defaultdict(list)
        for row in company.assignments:
            rows[(row.customer_id, row.role)].append(row)
        for spans in rows.values():
            spans.sort(key=lambda r: r.valid_from)
        self.rows = rows

    def on(self, customer_id: str, role: str, day: dt.date) -> StaffRow | None:
        spans = self.rows.get((customer_id, role), ())
        i = bisect_right([r.valid_from for r in spans], day)
        if not i:
            return None
        row = spans[i - 1]
        if row.valid_to is not None and day >= row.valid_to:
            return None
        person = self.staff[row.staff_id]
        return person if person.is_active_on(day) else None


def _score(rng: random.Random, outcome: str) -> int | None:
    if rng.random() < 0.25:
        return None
    return {"satisfied": rng.choice((4, 5, 5)), "neutral": 3, "dissatisfied": rng.choice((1, 2))}[outcome]


def generate_service_history(company: DemoCompany, *, seed: int | None = None) -> ServiceHistory:
    """The last year (up to the company's today) of service desk history."""
    rng = random.Random((company.seed if seed is None else seed) * 7919 + 17)
    today = company.today
    start = today - dt.timedelta(days=364)
    history = ServiceHistory(start=start)
    owners = _Owners(company)
    working = [s for s in company.staff]
    service_staff = [s for s in working if s.role == "service"]
    customers = {c.customer_id: c for c in company.customers}
    # Each customer's mood: most are happy, a few hard to please.
    mood = {cid: rng.choices(("happy", "fine", "hard"), weights=(70, 22, 8))[0] for cid in customers}

    def anyone(pool: list[StaffRow], day: dt.date) -> StaffRow:
        active = [s for s in pool if s.is_active_on(day)]
        return rng.choice(active)

    def caller(customer_id: str, day: dt.date) -> StaffRow:
        return owners.on(customer_id, "service", day) or anyone(service_staff, day)

    sales_of_year = [o for o in company.sale_orders if start <= o.order_date <= today]
    orders_by_customer: dict[str, list] = defaultdict(list)
    for order in company.sale_orders:
        orders_by_customer[order.customer_id].append(order)

    # Callbacks about a week after an order (a quarter of the orders).
    n = 0
    for order in sales_of_year:
        if rng.random() >= 0.25:
            continue
        day = order.order_date + dt.timedelta(days=rng.randint(6, 10))
        if day > today:
            continue
        n += 1
        who = caller(order.customer_id, day)
        kind = mood[order.customer_id]
        weights = {"happy": (88, 8, 2, 2), "fine": (55, 30, 7, 8), "hard": (25, 30, 35, 10)}[kind]
        outcome = rng.choices(("satisfied", "neutral", "dissatisfied", "unreachable"), weights=weights)[0]
        notes = {"satisfied": _SATISFIED_NOTES, "neutral": _NEUTRAL_NOTES, "dissatisfied": _DISSATISFIED_NOTES,
                 "unreachable": ("无人接听", "电话占线")}[outcome]
        praise = outcome == "satisfied" and rng.random() < 0.04
        history.callbacks.append(
            CallbackRow(
                f"HF{day:%Y%m%d}{n:05d}", order.customer_id, who.staff_id, day, outcome,
                None if outcome == "unreachable" else _score(rng, outcome),
                rng.choice(_PRAISE_NOTES) if praise else rng.choice(notes), praise, order.order_id,
            )  # fmt: skip
        )

    # Follow-ups: key accounts monthly by their salesperson, others now and
    # then; service staff follow up after deliveries.
    n = 0
    for customer in company.customers:
        key = customer.tier == "key"
        every = 30 if key else 120
        day = start + dt.timedelta(days=rng.randint(0, every))
        while day <= today:
            for role in ("sales", "service"):
                if role == "service" and rng.random() < 0.6:
                    continue
                holder = owners.on(customer.customer_id, role, day)
                if holder is None:
                    continue
                n += 1
                channel = rng.choices(("visit", "call", "message", "email", "other"), weights=(
                    (40, 35, 15, 8, 2) if role == "sales" and key else (10, 50, 28, 10, 2)))[0]
                history.followups.append(
                    FollowUpRow(f"GJ{day:%Y%m%d}{n:05d}", customer.customer_id, holder.staff_id, day, channel,
                                rng.choice(_FOLLOWUP_NOTES[role]))
                )
            day += dt.timedelta(days=rng.randint(every - every // 4, every + every // 4))

    # Complaints: about 2% of the year's orders, a few days after; some go
    # straight to management; most are solved within their SLA.
    n = 0
    for order in sales_of_year:
        kind = mood[order.customer_id]
        if rng.random() >= {"happy": 0.008, "fine": 0.02, "hard": 0.08}[kind]:
            continue
        opened = order.order_date + dt.timedelta(days=rng.randint(1, 6))
        if opened > today:
            continue
        n += 1
        severity = rng.choices(("low", "normal", "high"), weights=(30, 55, 15))[0]
        escalated = rng.random() < (0.15 if kind == "hard" else 0.03)
        channel = "management" if escalated else rng.choice(("call", "call", "message", "email", "visit"))
        sla = {"high": 1, "normal": 3, "low": 7}[severity]
        took = rng.choice((0, 1, 1, 2, sla, sla, sla + 2, sla + 6))
        resolved = opened + dt.timedelta(days=took)
        history.complaints.append(
            ComplaintRow(f"TS{opened:%Y%m%d}{n:04d}", order.customer_id, opened, severity, escalated, channel,
                         None if resolved > today else resolved, rng.choice(_COMPLAINT_NOTES))
        )

    # Quarterly surveys to a fifth of the customers acquired by then.
    n = 0
    for quarter in range(4):
        day0 = start + dt.timedelta(days=quarter * 91 + 20)
        if day0 > today:
            break
        for customer in company.customers:
            if customer.acquired_on > day0 or rng.random() >= 0.2:
                continue
            day = min(today, day0 + dt.timedelta(days=rng.randint(0, 14)))
            if rng.random() < 0.35:  # not everyone answers
                continue
            n += 1
            kind = mood[customer.customer_id]
            shares = {"happy": (85, 13, 2), "fine": (50, 40, 10), "hard": (25, 40, 35)}[kind]
            answer = rng.choices(("satisfied", "neutral", "dissatisfied"), weights=shares)[0]
            history.surveys.append(
                SurveyRow(f"DC{day:%Y%m%d}{n:05d}", customer.customer_id, day, answer, _score(rng, answer),
                          rng.choice(_SURVEY_COMMENTS), answer == "satisfied" and rng.random() < 0.03)
            )

    # Opportunities: satisfied after-order callbacks where the customer
    # ordered again within 60 days.
    linked: set[str] = set()  # an order follows from one opportunity at most
    for call in history.callbacks:
        if call.outcome != "satisfied" or rng.random() >= 0.03:
            continue
        later = [o for o in orders_by_customer[call.customer_id]
                 if call.called_on <= o.order_date <= call.called_on + dt.timedelta(days=60)
                 and o.order_id not in linked]
        owner = owners.on(call.customer_id, "service", call.called_on)
        if later and owner is not None and owner.staff_id == call.staff_id:
            linked.update(o.order_id for o in later[:2])
            history.opportunities.append(
                OpportunityRow(call.callback_id, call.customer_id, call.staff_id, call.called_on,
                               [o.order_id for o in later[:2]])
            )

    # Managers thank their service people now and then.
    managers = {s.team: s for s in working if s.role == "manager" and s.team}
    for month in range(12):
        day = start + dt.timedelta(days=month * 30 + rng.randint(20, 28))
        if day > today:
            break
        for person in rng.sample(service_staff, k=min(2, len(service_staff))):
            author = managers.get(person.team)
            if author is None or not person.is_active_on(day) or not author.is_active_on(day):
                continue
            served = [c.customer_id for c in history.callbacks if c.staff_id == person.staff_id]
            name = customers[rng.choice(served)].name if served else "客户"
            history.thanks.append(
                ThanksRow(person.staff_id, author.staff_id, day, rng.choice(_THANKS).format(customer=name))
            )

    # Order follow-up of some of the last two weeks' orders (the work
    # queues show the late ones).
    flow = ("confirmed", "preparing", "shipped", "delivered", "completed")
    for order in sales_of_year:
        age = (today - order.order_date).days
        if age > 14 or rng.random() >= 0.2:
            continue
        reached = min(len(flow), age // 3 + (1 if rng.random() < 0.5 else 0))
        if rng.random() < 0.03 and reached:
            history.tracking.append((order.order_id, "exception", order.order_date + dt.timedelta(days=1)))
            continue
        for step in range(reached):
            history.tracking.append((order.order_id, flow[step], order.order_date + dt.timedelta(days=step * 3)))
    history.tracking = [(o, stage, min(day, today)) for o, stage, day in history.tracking]
    return history


def _text(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def write_service_files(history: ServiceHistory, directory: Path, *, prefix: str = "") -> dict[str, Path]:
    """Write the four files `<prefix><kind>.csv` (UTF-8, one header row,
    every column of the contract) in `directory`; returns them by kind."""
    directory.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for kind in KINDS:
        path = directory / f"{prefix}{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(CONTRACT_COLUMNS[kind])
            writer.writerows(values(kind, row) for row in history.rows(kind))
        paths[kind] = path
    return paths


def values(kind: str, row: object) -> tuple[str, ...]:
    """A row's values in CONTRACT_COLUMNS order."""
    if isinstance(row, FollowUpRow):
        return (row.followup_id, row.customer_id, row.staff_id, row.followed_on.isoformat(), row.channel, row.note)
    if isinstance(row, CallbackRow):
        score = "" if row.score is None else str(row.score)
        return (row.callback_id, row.customer_id, row.staff_id, row.called_on.isoformat(), row.outcome, score,
                row.note)
    if isinstance(row, ComplaintRow):
        return (row.complaint_id, row.customer_id, row.opened_on.isoformat(), row.severity,
                "yes" if row.escalated else "no", row.channel, _text(row.resolved_on), row.note)
    if isinstance(row, SurveyRow):
        score = "" if row.score is None else str(row.score)
        return (row.survey_id, row.customer_id, row.answered_on.isoformat(), row.answer, score, row.comment)
    raise TypeError(f"not a {kind} row: {row!r}")
