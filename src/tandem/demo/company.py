"""The demo company as exchange-format rows (shared/spec/exchange-format.md):
staff, customers, assignments and orders, plus what those files do not
carry (teams, contacts, logins, and the releases, which go through the
ownership ledger's services). Pure Python, no database: `tandem demo` loads
the rows through the importer, and the benchmark generator (bench/generate.py)
makes its million-order company with the same code at a larger size.

Deterministic: the same seed, `today` and sizes give the same rows.

What is in it (default size): ~40 staff in two sales departments (华东销售部,
华南销售部) and two service teams (客服一组, 客服二组), their managers, a general
manager, finance and an admin; customers (about 10% key accounts) with
contacts; three years of orders up to and including `today` (this month so
far only, fewer at weekends), seasonal (slow around 春节, peaks before 618
and 双十一, a strong Q4); about 3% refunds, some partial; referrals;
salespeople who left and whose customers were handed over, one whose
customers never were, a busy salesperson who releases customers to
colleagues and to the pool (公海), and a few customers nobody owns. More
staff repeat the same teams (华东销售一部, 华东销售二部, …).

The rows obey the exchange rules: every reference is known, no overlapping
assignments per customer and role, refunds after their order and never more
than it, nobody refers themselves. Assignment reasons are the ones the
importer gives such rows (developed, handover, reassignment), and `release`
for the rows the releases open.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate
from pathlib import Path

from tandem.core.money import format_cents

CATEGORIES = ("equipment", "consumables", "service")
REFUND_RATE = 0.029

# The files of a company, in the importer's dependency order.
KINDS = ("staff", "customers", "assignments", "orders")

# Every column the contract gives each file (exchange-format.md, with the
# optional columns of service-desk.md), in its order. The files are written
# with the columns the importer reads (`exchange_columns`).
CONTRACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "staff": ("staff_id", "name", "role", "hired_on", "left_on", "team"),
    "customers": ("customer_id", "name", "tier", "acquired_on", "acquired_by", "referred_by"),
    "assignments": (
        "customer_id",
        "role",
        "staff_id",
        "valid_from",
        "valid_to",
        "reason",
        "end_reason",
        "note",
    ),
    "orders": ("order_id", "customer_id", "order_date", "amount", "category", "refund_of"),
}

DEVELOPED, HANDOVER, RELEASE, REASSIGNMENT = "developed", "handover", "release", "reassignment"
RELEASE_NOTE = "业务繁忙，释放给同事"

# Spring Festival (春节) dates: orders all but stop in the weeks around it.
_SPRING_FESTIVAL = {
    2015: dt.date(2015, 2, 19),
    2016: dt.date(2016, 2, 8),
    2017: dt.date(2017, 1, 28),
    2018: dt.date(2018, 2, 16),
    2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23),
    2032: dt.date(2032, 2, 11),
    2033: dt.date(2033, 1, 31),
    2034: dt.date(2034, 2, 19),
    2035: dt.date(2035, 2, 8),
}

# Month factors: slow in Jan/Feb (春节), stocking up before 618 (May/June)
# and 双十一 (Oct/Nov), a strong fourth quarter.
_SEASON = {
    1: 0.80,
    2: 0.65,
    3: 1.00,
    4: 1.00,
    5: 1.20,
    6: 1.35,
    7: 0.90,
    8: 0.90,
    9: 1.00,
    10: 1.15,
    11: 1.45,
    12: 1.35,
}
# Within a month: B2B buyers order little at weekends; the run-up to 618
# (June 1-18) and 双十一 (November 1-11) takes most of those months' orders.
_WEEKDAY = (1.0, 1.0, 1.0, 1.0, 1.0, 0.45, 0.25)
_FESTIVAL_DAYS, _FESTIVAL_FACTOR = 7, 0.15

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 婷 鹏 辉 斌 宇 浩 凯 健 俊 帆 旭 宁 琳 晨 颖 倩 慧 晶 蕾 琪 "
    "瑶 璐 峰 博 昊 秀英 桂英 玉兰 建华 建国 志强 志明 海燕 晓东 晓明 晓燕 国强 国华 丽娟 丽华 春梅 雅琴 子轩 子涵 梓萱 "
    "一鸣 天佑 思雨 欣怡 佳怡 嘉怡 浩然 宇轩 俊杰 文博 雨萱 若曦 家豪 志伟 明辉 晓峰 海涛 丹丹 婷婷 静怡 文静 晨曦 亚楠 "
    "振华 永强 建军 立新 红梅 美玲 淑芬 玉梅 秋菊 金凤 德明 宏伟 鑫 磊磊 佳琪 诗涵 梦瑶 嘉欣 俊熙 子墨"
).split()
_EAST_CITIES = ("苏州", "无锡", "常州", "南京", "杭州", "宁波", "温州", "嘉兴", "绍兴", "上海", "合肥", "南通")
_SOUTH_CITIES = ("广州", "深圳", "东莞", "佛山", "中山", "珠海", "厦门", "福州", "泉州", "江门", "惠州")
_BRANDS = (
    "精工 恒达 华盛 鑫源 永泰 宏图 瑞丰 金桥 博远 新科 联创 天成 汇通 德隆 盛世 嘉禾 中成 东方 远航 宝利 "
    "正泰 海川 安信 创维 佳美 优品 利达 万丰 鸿运 兴业 信达 凯盛 同舟 益丰 久安 立信 华腾 骏马 锦程 卓越"
).split()
_TRADES = (
    "贸易 机械 电子 科技 实业 五金 塑胶 包装 化工 医疗器械 自动化设备 食品 纺织 汽车配件 建材 电气"
).split()
_SUFFIXES = ("有限公司",) * 8 + ("股份有限公司", "有限责任公司")
_TITLES = ("采购经理", "采购专员", "总经理", "财务主管", "仓库主管", "技术负责人", "行政主管", "生产经理")
_NUMERALS = "一二三四五六七八九"


# ---------------------------------------------------------------------- rows


@dataclass(slots=True)
class TeamRow:
    name: str
    department: str  # sales | service


@dataclass(slots=True)
class StaffRow:
    staff_id: str
    name: str
    role: str  # sales | service | manager | finance | admin
    hired_on: dt.date | None
    left_on: dt.date | None
    team: str  # a team's name, "" for none

    def is_active_on(self, day: dt.date) -> bool:
        """As Staff.is_active_on: hired_on <= day < left_on."""
        if self.hired_on and day < self.hired_on:
            return False
        return self.left_on is None or day < self.left_on


@dataclass(slots=True)
class CustomerRow:
    customer_id: str
    name: str
    tier: str  # key | standard
    acquired_on: dt.date
    acquired_by: str | None
    referred_by: str | None


@dataclass(slots=True)
class ContactRow:
    customer_id: str
    name: str
    title: str
    phone: str
    email: str
    is_primary: bool


@dataclass(slots=True)
class AssignmentRow:
    customer_id: str
    role: str  # sales | service
    staff_id: str
    valid_from: dt.date
    valid_to: dt.date | None  # exclusive
    reason: str
    end_reason: str = ""
    note: str = ""


@dataclass(slots=True)
class Release:
    """A salesperson gives a customer to a colleague (`receiver`) or to the
    pool (no receiver) on `day`: `giver` is their row, closed that day."""

    customer_id: str
    day: dt.date
    giver: AssignmentRow
    receiver: AssignmentRow | None


@dataclass(slots=True)
class OrderRow:
    order_id: str
    customer_id: str
    order_date: dt.date
    cents: int
    category: str
    refund_of: str | None  # a refund names its order


@dataclass(slots=True)
class _Habit:
    """How a customer buys: orders a month before seasons and growth, and
    the day it stops buying (None: never)."""

    rate: float
    churn_at: dt.date | None


@dataclass
class DemoCompany:
    seed: int
    today: dt.date  # the last order day
    start: dt.date  # the first order day of the window
    months: int  # whole months before today's month
    orders_wanted: int | None  # sale orders to make; None: as the habits give
    order_ids: str  # "dated" (SO2026031800001) or "numbered" (O0000001)
    teams: list[TeamRow] = field(default_factory=list)
    staff: list[StaffRow] = field(default_factory=list)
    customers: list[CustomerRow] = field(default_factory=list)
    contacts: list[ContactRow] = field(default_factory=list)
    # The ledger as the company ends up with it, sorted by customer, role, start.
    assignments: list[AssignmentRow] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    orders: list[OrderRow] = field(default_factory=list)  # filled by generate()
    logins: dict[str, str] = field(default_factory=dict)  # username -> staff_id
    habits: list[_Habit] = field(default_factory=list, repr=False)  # per customer

    @property
    def end(self) -> dt.date:
        return self.today

    @property
    def sale_orders(self) -> list[OrderRow]:
        return [o for o in self.orders if o.refund_of is None]

    @property
    def refunds(self) -> list[OrderRow]:
        return [o for o in self.orders if o.refund_of is not None]

    def imported_assignments(self) -> list[AssignmentRow]:
        """The ledger before the releases: what the assignments file holds
        (the releases are then written through the ledger's services)."""
        givers = {id(r.giver) for r in self.releases}
        receivers = {id(r.receiver) for r in self.releases if r.receiver is not None}
        rows = []
        for row in self.assignments:
            if id(row) in receivers:
                continue
            if id(row) in givers:
                row = replace(row, valid_to=None, end_reason="")
            rows.append(row)
        return rows


# --------------------------------------------------------------------- dates


def _month_start(day: dt.date, months: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _random_day(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
    """A day in [low, high]."""
    return low + dt.timedelta(days=rng.randint(0, (high - low).days))


class _Month:
    """A month's days as cumulative order weights: weekday, the 618/双十一
    run-up and 春节. `shape` is the month's weight without 春节, which
    normalises it: 春节 takes orders away, the rest only moves them."""

    __slots__ = ("first", "days", "cum", "shape")

    def __init__(self, first: dt.date) -> None:
        self.first = first
        self.days = [first + dt.timedelta(days=i) for i in range((_month_start(first, 1) - first).days)]
        peak_days = {6: 18, 11: 11}.get(first.month, 0)
        peak = 3.5 if first.month == 6 else 5.0
        festival = _SPRING_FESTIVAL.get(first.year)
        weights, shape = [], 0.0
        for day in self.days:
            w = _WEEKDAY[day.weekday()] * (peak if day.day <= peak_days else 1.0)
            shape += w
            if festival is not None and abs((day - festival).days) <= _FESTIVAL_DAYS:
                w *= _FESTIVAL_FACTOR
            weights.append(w)
        self.cum = [0.0, *accumulate(weights)]
        self.shape = shape

    def mass(self, low: int, high: int) -> float:
        """The weight of days low..high (indexes, inclusive)."""
        return self.cum[high + 1] - self.cum[low]

    def pick(self, rng: random.Random, low: int, high: int) -> dt.date:
        """A day of low..high, drawn by weight."""
        cum = self.cum
        x = cum[low] + rng.random() * (cum[high + 1] - cum[low])
        index = min(max(bisect_right(cum, x) - 1, low), high)
        return self.days[index]


# ---------------------------------------------------------------- generation


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def person(self, *, unique: bool) -> str:
        """A person's name; staff names are unique, contacts' may repeat
        (there are many 王伟)."""
        while True:
            name = self.rng.choice(_SURNAMES) + self.rng.choice(_GIVEN)
            if not unique:
                return name
            if name not in self.used:
                self.used.add(name)
                return name

    def company(self, east: bool) -> str:
        cities = _EAST_CITIES if east else _SOUTH_CITIES
        rng = self.rng
        tries = 0
        while True:
            tries += 1
            # A large company list runs out of city+brand+trade names: then
            # brands pair up (精工华盛).
            brand = rng.choice(_BRANDS) + (rng.choice(_BRANDS) if tries > 20 else "")
            name = rng.choice(cities) + brand + rng.choice(_TRADES) + rng.choice(_SUFFIXES)
            if name not in self.used:
                self.used.add(name)
                return name


def _numeral(n: int) -> str:
    """1..99 in Chinese numerals (一, 十, 十一, 二十三)."""
    tens, ones = divmod(n, 10)
    text = ("" if tens <= 1 else _NUMERALS[tens - 1]) + ("十" if tens else "")
    return text + (_NUMERALS[ones - 1] if ones else "")


@dataclass
class _Person:
    staff: StaffRow
    weight: float = 1.0

    def active(self, day: dt.date) -> bool:
        return self.staff.is_active_on(day)


def _pick(
    rng: random.Random,
    people: list[_Person],
    day: dt.date,
    *,
    exclude: StaffRow | None = None,
    staying: int | None = 0,
) -> StaffRow:
    """Someone active on `day`, by weight: still there `staying` days later,
    or for good when `staying` is None."""
    pool = [
        p
        for p in people
        if p.active(day)
        and p.staff is not exclude
        and (
            p.staff.left_on is None
            or (staying is not None and p.staff.left_on > day + dt.timedelta(days=staying))
        )
    ]
    if not pool:  # the staff plan below always leaves someone; keeps the rows valid if not
        raise RuntimeError(f"no active staff on {day}")
    return rng.choices([p.staff for p in pool], weights=[p.weight for p in pool])[0]


@dataclass(frozen=True)
class _Region:
    east: bool
    sales_name: str
    share: float  # of the customers
    hires: tuple[int, int]  # months into the window at which two salespeople join
    # (slot, month into the window, handed over) of the salespeople who leave
    leavers: tuple[tuple[int, int, bool], ...]
    busy_slot: int | None  # the salesperson who releases customers
    service_hire: int
    service_leavers: tuple[tuple[int, int], ...]
    manager_hired: tuple[int, int]
    service_manager_hired: tuple[int, int]


_REGIONS = (
    # 华东: one leaves with a handover, one leaves and nobody hands over.
    _Region(
        east=True,
        sales_name="华东销售",
        share=0.55,
        hires=(6, 20),
        leavers=((1, 8, True), (3, 22, False)),
        busy_slot=None,
        service_hire=10,
        service_leavers=(),
        manager_hired=(10, 9),
        service_manager_hired=(8, 7),
    ),
    # 华南: two leave, both handed over; slot 1 is busy and releases customers.
    _Region(
        east=False,
        sales_name="华南销售",
        share=0.45,
        hires=(12, 26),
        leavers=((0, 14, True), (3, 28, True)),
        busy_slot=1,
        service_hire=17,
        service_leavers=((1, 18),),
        manager_hired=(9, 8),
        service_manager_hired=(7, 6),
    ),
)
# A sales team's people: when hired (years before the window, from..to; None:
# during it) and how much business they win.
_SALES_SLOTS: tuple[tuple[tuple[int, int] | None, float], ...] = (
    ((10, 7), 3.0),
    ((10, 7), 3.0),
    ((9, 6), 2.5),
    ((9, 6), 2.5),
    ((8, 6), 2.0),
    ((5, 4), 2.0),
    ((4, 3), 1.5),
    (None, 1.5),
    (None, 1.5),
)
_SERVICE_SLOTS: tuple[tuple[tuple[int, int] | None, float], ...] = (
    ((9, 7), 2.0),
    ((9, 7), 2.0),
    ((8, 6), 2.0),
    ((7, 6), 2.0),
    ((5, 3), 1.5),
    ((3, 2), 1.5),
    (None, 1.0),
)
_EXTRA_SLOT = ((7, 2), 2.0)  # slots beyond the plans above
MIN_SALES_PER_TEAM, MIN_SERVICE_PER_TEAM = 6, 4


def build_company(
    *,
    seed: int,
    today: dt.date,
    customers: int = 2000,
    staff: int = 40,
    orders: int | None = None,
    months: int = 36,
    order_ids: str = "dated",
) -> DemoCompany:
    """Everything but the orders (see `iter_orders`). `orders` is the exact
    number of sale orders to make, None for as many as the customers' habits
    give; `months` the whole months of history before today's month."""
    if customers < 10:
        raise ValueError("the demo company needs at least 10 customers")
    if order_ids not in ("dated", "numbered"):
        raise ValueError(f"unknown order id style {order_ids!r}")
    rng = random.Random(seed)
    start = _month_start(today, -months)
    company = DemoCompany(
        seed=seed, today=today, start=start, months=months, orders_wanted=orders, order_ids=order_ids
    )
    names = _Names(rng)

    def at(month: int, low: int = 1, high: int = 28) -> dt.date:
        """A day of the month `month` months into a 36-month window, scaled to this one."""
        first = _month_start(start, round(month * months / 36))
        return first + dt.timedelta(days=rng.randint(low, high) - 1)

    def years_before(span: tuple[int, int]) -> dt.date:
        early, late = span
        return _random_day(rng, dt.date(start.year - early, 1, 5), dt.date(start.year - late, 12, 20))

    # ---- teams and staff
    teams_per_region = max(1, round(staff / 40))
    finance_count, admin_count = max(2, staff // 75), max(1, staff // 150)
    team_count = 2 * teams_per_region
    rest = staff - 1 - 2 * team_count - finance_count - admin_count
    sales_count = round(rest * 9 / 16)
    service_count = rest - sales_count
    if (
        sales_count < MIN_SALES_PER_TEAM * team_count
        or service_count < MIN_SERVICE_PER_TEAM * team_count
    ):
        raise ValueError(f"{staff} staff are too few for the demo company's teams (at least 30)")

    def team_name(region: _Region, j: int) -> str:
        return f"{region.sales_name}{'' if teams_per_region == 1 else _numeral(j + 1)}部"

    sales_teams = [(r, j, team_name(r, j)) for r in _REGIONS for j in range(teams_per_region)]
    service_teams = [
        (r, j, f"客服{_numeral(i + 1)}组")
        for i, (r, j) in enumerate((r, j) for r in _REGIONS for j in range(teams_per_region))
    ]
    company.teams = [TeamRow(name, "sales") for _r, _j, name in sales_teams] + [
        TeamRow(name, "service") for _r, _j, name in service_teams
    ]

    width = max(3, len(str(staff)))
    counter = iter(range(1, staff + 1))

    def person(role: str, team: str, hired: dt.date, left: dt.date | None = None) -> StaffRow:
        row = StaffRow(f"TD{next(counter):0{width}d}", names.person(unique=True), role, hired, left, team)
        company.staff.append(row)
        return row

    gm = person("manager", "", dt.date(start.year - 11, 3, 1))
    sales_managers = [person("manager", name, years_before(r.manager_hired)) for r, _j, name in sales_teams]
    service_managers = [
        person("manager", name, years_before(r.service_manager_hired)) for r, _j, name in service_teams
    ]

    def sizes(total: int) -> list[int]:
        return [total // team_count + (1 if i < total % team_count else 0) for i in range(team_count)]

    def jitter(month: int, j: int) -> int:
        # The first team of a region keeps the plan; more teams vary it.
        return month if j == 0 else min(33, max(3, month + rng.randint(-3, 3)))

    sellers: list[list[_Person]] = []  # per sales team
    handed_over: set[str] = set()  # staff ids whose departure was handed over
    busy: list[tuple[int, StaffRow]] = []  # (team index, salesperson)
    for t, ((region, j, name), size) in enumerate(zip(sales_teams, sizes(sales_count), strict=True)):
        leaving = {slot: (jitter(month, j), handed) for slot, month, handed in region.leavers}
        members = []
        hires = iter(region.hires)
        for slot in range(size):
            hired_span, weight = _SALES_SLOTS[slot] if slot < len(_SALES_SLOTS) else _EXTRA_SLOT
            hired = years_before(hired_span) if hired_span else at(jitter(next(hires), j))
            left = None
            if slot in leaving:
                left = at(leaving[slot][0])
            if slot == region.busy_slot:
                weight = 4.0
            seller = person("sales", name, hired, left)
            if left is not None and leaving[slot][1]:
                handed_over.add(seller.staff_id)
            if slot == region.busy_slot:
                busy.append((t, seller))
            members.append(_Person(seller, weight))
        sellers.append(members)

    servers: list[list[_Person]] = []  # per service team, paired with the sales team of the same index
    for (region, j, name), size in zip(service_teams, sizes(service_count), strict=True):
        leaving_service = {slot: jitter(month, j) for slot, month in region.service_leavers}
        members = []
        for slot in range(size):
            hired_span, weight = _SERVICE_SLOTS[slot] if slot < len(_SERVICE_SLOTS) else _EXTRA_SLOT
            hired = years_before(hired_span) if hired_span else at(jitter(region.service_hire, j))
            left = at(leaving_service[slot]) if slot in leaving_service else None
            members.append(_Person(person("service", name, hired, left), weight))
        servers.append(members)

    finance = [person("finance", "", years_before(span)) for span in _spans(finance_count, (8, 7), (4, 3))]
    admin = [person("admin", "", years_before(span)) for span in _spans(admin_count, (3, 2))]

    company.logins = {
        "gm": gm.staff_id,
        "sales_manager": sales_managers[0].staff_id,
        "service_manager": service_managers[0].staff_id,
        "sales": sellers[0][0].staff.staff_id,
        "service": servers[0][0].staff.staff_id,
        "finance": finance[0].staff_id,
        "admin": admin[0].staff_id,
    }

    # ---- customers
    history_from = dt.date(start.year - 5, 1, 8)
    last_won = today - dt.timedelta(days=3)
    n = customers
    drafts = []
    for _ in range(n):
        region_index = 0 if rng.random() < _REGIONS[0].share else 1
        team = region_index * teams_per_region + rng.randrange(teams_per_region)
        if rng.random() < 0.45:
            acquired = _random_day(rng, history_from, start - dt.timedelta(days=1))
            key = rng.random() < 0.17
        else:
            acquired = _random_day(rng, start, last_won)
            key = rng.random() < 0.045
        drafts.append((acquired, names.company(_REGIONS[region_index].east), team, key))
    drafts.sort(key=lambda d: (d[0], d[1]))

    no_owner = set(rng.sample(range(n), max(2, n // 250)))
    referred: dict[int, int] = {}
    candidates = [i for i in range(n) if drafts[i][0] >= start and i not in no_owner and i > 0]
    days = [d[0] for d in drafts]
    for i in rng.sample(candidates, min(len(candidates), round(n * 0.08))):
        earlier = bisect_right(days, drafts[i][0] - dt.timedelta(days=1))
        if earlier:
            referred[i] = rng.randrange(earlier)

    id_width = max(5, len(str(n)))
    ledger: list[AssignmentRow] = []
    for i, (acquired, name, team, key) in enumerate(drafts):
        developer = None if i in no_owner else _pick(rng, sellers[team], acquired)
        customer = CustomerRow(
            customer_id=f"C{i + 1:0{id_width}d}",
            name=name,
            tier="key" if key else "standard",
            acquired_on=acquired,
            acquired_by=developer.staff_id if developer else None,
            referred_by=f"C{referred[i] + 1:0{id_width}d}" if i in referred else None,
        )
        company.customers.append(customer)
        for k in range(rng.choices((1, 2, 3), weights=(5, 4, 1))[0]):
            email = ""
            if rng.random() < 0.35:
                email = f"{rng.randint(10_000_000, 2_999_999_999)}@qq.com"
            company.contacts.append(
                ContactRow(
                    customer_id=customer.customer_id,
                    name=names.person(unique=False),
                    title=_TITLES[0] if k == 0 and rng.random() < 0.5 else rng.choice(_TITLES),
                    phone=f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}",
                    email=email,
                    is_primary=k == 0,
                )
            )
        if developer is not None:
            ledger.extend(_assign(rng, customer, developer, sellers[team], servers[team], handed_over))

    # ---- the busy salespeople release some standard accounts: half to a
    # colleague of their team, half to the pool
    tiers = {c.customer_id: c.tier for c in company.customers}
    total = max(2, n * 15 // 1000)
    for t, giver in busy:
        release_day = at(jitter(24, t % teams_per_region), 10, 20)
        releasable = [
            a
            for a in ledger
            if a.role == "sales"
            and a.staff_id == giver.staff_id
            and a.valid_to is None
            and a.valid_from < release_day - dt.timedelta(days=90)
            and tiers[a.customer_id] == "standard"
        ]
        chosen = rng.sample(releasable, min(len(releasable), max(1, round(total / len(busy)))))
        for k, row in enumerate(chosen):
            day = release_day + dt.timedelta(days=rng.randint(0, 6))
            row.valid_to, row.end_reason = day, RELEASE
            receiver = None
            if k % 2 == 0:
                colleague = _pick(rng, sellers[t], day, exclude=giver, staying=None)
                receiver = AssignmentRow(
                    row.customer_id, "sales", colleague.staff_id, day, None, RELEASE, note=RELEASE_NOTE
                )
                ledger.append(receiver)
            company.releases.append(Release(row.customer_id, day, row, receiver))
    ledger.sort(key=lambda a: (a.customer_id, a.role, a.valid_from))
    company.assignments = ledger

    # ---- buying habits (the orders follow from them, see iter_orders)
    for c in company.customers:
        rate = (2.6 if c.tier == "key" else 0.7) * math.exp(rng.gauss(0, 0.6) - 0.18)
        churn_at = None
        if rng.random() < 0.12:
            churn_at = _random_day(rng, max(start, c.acquired_on), today)
        company.habits.append(_Habit(rate, churn_at))
    return company


def _spans(count: int, *plan: tuple[int, int]) -> list[tuple[int, int]]:
    """Hiring spans of `count` people: the plan's, then spread over the last years."""
    return [plan[i] if i < len(plan) else (6, 1) for i in range(count)]


def _assign(
    rng: random.Random,
    customer: CustomerRow,
    developer: StaffRow,
    sellers: list[_Person],
    servers: list[_Person],
    handed_over: set[str],
) -> list[AssignmentRow]:
    """The ownership rows of one customer: developed by `developer`; handed
    over to a colleague who stays when a salesperson with a handover leaves;
    the service person changes when they leave (a handover) and sometimes
    with a new salesperson (a reassignment)."""
    rows: list[AssignmentRow] = []
    cid = customer.customer_id

    # sales
    handovers: list[dt.date] = []
    seller, since, reason = developer, customer.acquired_on, DEVELOPED
    while True:
        left = seller.left_on
        if left is None or seller.staff_id not in handed_over:
            rows.append(AssignmentRow(cid, "sales", seller.staff_id, since, None, reason))
            break  # open, also after a departure nobody handled
        rows.append(AssignmentRow(cid, "sales", seller.staff_id, since, left, reason, HANDOVER))
        handovers.append(left)
        seller = _pick(rng, sellers, left, exclude=seller, staying=30)
        since, reason = left, HANDOVER

    # service
    server = _pick(rng, servers, customer.acquired_on)
    since, reason = customer.acquired_on, DEVELOPED
    for change in sorted({d for d in handovers if d > since}):
        if server.left_on is not None and server.left_on <= change:
            break  # their own departure comes first
        if rng.random() < 0.4:
            rows.append(AssignmentRow(cid, "service", server.staff_id, since, change, reason, REASSIGNMENT))
            server = _pick(rng, servers, change, exclude=server, staying=30)
            since, reason = change, REASSIGNMENT
    while server.left_on is not None and server.left_on > since:
        change = server.left_on
        rows.append(AssignmentRow(cid, "service", server.staff_id, since, change, reason, HANDOVER))
        server = _pick(rng, servers, change, exclude=server, staying=30)
        since, reason = change, HANDOVER
    rows.append(AssignmentRow(cid, "service", server.staff_id, since, None, reason))
    return rows


# -------------------------------------------------------------------- orders


def _amount_cents(rng: random.Random, category: str, key: bool) -> int:
    median, sigma, step = {
        "equipment": (26_000, 0.75, 10_000),  # whole hundreds of yuan
        "consumables": (1_600, 0.95, 50),  # half yuan
        "service": (4_800, 0.65, 1_000),  # whole ten yuan
    }[category]
    yuan = median * math.exp(rng.gauss(0, sigma)) * (2.6 if key else 1.0)
    cents = max(2_000, int(yuan * 100) // step * step)
    return min(cents, 480_000_000)


_CATEGORY_WEIGHTS = {
    True: tuple(accumulate((0.35, 0.3, 0.35))),  # key accounts
    False: tuple(accumulate((0.1, 0.65, 0.25))),
}


class _Ids:
    """Order and refund ids in date order: SO<day><n>/RF<day><n> numbered per
    day, or O<n>/R<n> numbered throughout."""

    def __init__(self, style: str) -> None:
        self.dated = style == "dated"
        self.sales: dict[dt.date, int] = defaultdict(int)
        self.refunds: dict[dt.date, int] = defaultdict(int)
        self.sale_count = self.refund_count = 0

    def sale(self, day: dt.date) -> str:
        if self.dated:
            self.sales[day] += 1
            return f"SO{day.year:04d}{day.month:02d}{day.day:02d}{self.sales[day]:04d}"
        self.sale_count += 1
        return f"O{self.sale_count:07d}"

    def refund(self, day: dt.date) -> str:
        if self.dated:
            self.refunds[day] += 1
            return f"RF{day.year:04d}{day.month:02d}{day.day:02d}{self.refunds[day]:03d}"
        self.refund_count += 1
        return f"R{self.refund_count:07d}"


def iter_orders(company: DemoCompany) -> Iterator[OrderRow]:
    """The company's orders and refunds, month by month (a month's sales in
    date order, then its refunds), up to and including `today`. The same rows
    on every call: the orders draw from their own random stream.

    Each customer buys at its own rate, shaped by season, growth (+10% a
    year), weekdays and 春节, from the day it was won until it churns; the
    month's share of `today`'s month is the part up to today. A referred
    customer's first order follows within two weeks of it being won. The
    sale orders are spread over customers and months in proportion to that
    (so `orders_wanted`, when given, is met exactly); about 3% get a refund
    2-45 days later, 60% of those partial, some partial ones a second one."""
    rng = random.Random(f"{company.seed}/orders")
    today, start = company.today, company.start
    months = [_Month(_month_start(start, i)) for i in range(company.months + 1)]
    customers, habits = company.customers, company.habits
    acquired = [c.acquired_on for c in customers]

    def month_index(day: dt.date) -> int:
        return (day.year - start.year) * 12 + day.month - start.month

    def buyers(m: int) -> list[tuple[int, int, int, float]]:
        """(customer index, first day, last day, weight) of the month's buyers."""
        month = months[m]
        first, last = month.first, month.days[-1]
        growth = 1.0 + 0.1 * (first.year - start.year)
        factor = _SEASON[first.month] * growth / month.shape
        out = []
        for i in range(bisect_right(acquired, min(last, today))):  # customers are sorted by acquired_on
            habit = habits[i]
            low = max(first, acquired[i])
            high = min(last, today)
            if habit.churn_at is not None and habit.churn_at <= high:
                high = habit.churn_at - dt.timedelta(days=1)
            if low > high:
                continue
            a, b = (low - first).days, (high - first).days
            out.append((i, a, b, habit.rate * factor * month.mass(a, b)))
        return out

    first_orders: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for c in customers:
        if c.referred_by is not None:
            day = min(c.acquired_on + dt.timedelta(days=rng.randint(0, 14)), today)
            first_orders[month_index(day)].append((day, c.customer_id))
    referral_orders = sum(len(v) for v in first_orders.values())

    month_weights = [sum(b[3] for b in buyers(m)) for m in range(len(months))]
    if company.orders_wanted is None:
        total = round(sum(month_weights))
    else:
        total = company.orders_wanted - referral_orders
        if total < 0:
            raise ValueError(f"{company.orders_wanted} orders are fewer than the referred customers")
    per_month = [0] * len(months)
    if total:
        for m in rng.choices(range(len(months)), weights=month_weights, k=total):
            per_month[m] += 1

    ids = _Ids(company.order_ids)
    pending: dict[int, list[tuple[dt.date, str, str, int, str]]] = defaultdict(list)  # refunds by month
    key_ids = {c.customer_id for c in customers if c.tier == "key"}
    for m, month in enumerate(months):
        drafts: list[tuple[dt.date, str, int, str]] = []
        for day, customer_id in first_orders.pop(m, ()):
            drafts.append(_draft(rng, day, customer_id, customer_id in key_ids))
        if per_month[m]:
            candidates = buyers(m)
            cum = list(accumulate(b[3] for b in candidates))
            for pick in rng.choices(range(len(candidates)), cum_weights=cum, k=per_month[m]):
                i, a, b, _weight = candidates[pick]
                c = customers[i]
                drafts.append(_draft(rng, month.pick(rng, a, b), c.customer_id, c.tier == "key"))
        drafts.sort()
        for day, customer_id, cents, category in drafts:
            order_id = ids.sale(day)
            yield OrderRow(order_id, customer_id, day, cents, category, None)
            if rng.random() < REFUND_RATE:
                for refund_day, refund_cents in _refunds(rng, day, cents, today):
                    pending[month_index(refund_day)].append(
                        (refund_day, order_id, customer_id, refund_cents, category)
                    )
        refunds = pending.pop(m, [])
        refunds.sort(key=lambda r: (r[0], r[1]))
        for refund_day, order_id, customer_id, refund_cents, category in refunds:
            yield OrderRow(ids.refund(refund_day), customer_id, refund_day, refund_cents, category, order_id)


def _draft(rng: random.Random, day: dt.date, customer_id: str, key: bool) -> tuple[dt.date, str, int, str]:
    category = rng.choices(CATEGORIES, cum_weights=_CATEGORY_WEIGHTS[key])[0]
    return (day, customer_id, _amount_cents(rng, category, key), category)


def _refunds(rng: random.Random, day: dt.date, cents: int, today: dt.date) -> list[tuple[dt.date, int]]:
    """The refunds of an order of `cents` dated `day`: (date, cents), never
    after today, together never more than the order."""
    first = day + dt.timedelta(days=rng.randint(2, 45))
    if first > today:
        return []
    if rng.random() < 0.4:
        return [(first, cents)]  # the whole order back
    part = max(1, cents * rng.randint(5, 60) // 100)
    out = [(first, part)]
    second = day + dt.timedelta(days=rng.randint(10, 80))
    if rng.random() < 0.15 and first < second <= today:
        out.append((second, max(1, (cents - part) * rng.randint(10, 100) // 100)))
    return out


def generate(
    *,
    seed: int = 42,
    customers: int = 2000,
    today: dt.date,
    staff: int = 40,
    orders: int | None = None,
    months: int = 36,
    order_ids: str = "dated",
) -> DemoCompany:
    """The whole company, orders included. Same arguments, same company."""
    company = build_company(
        seed=seed,
        today=today,
        customers=customers,
        staff=staff,
        orders=orders,
        months=months,
        order_ids=order_ids,
    )
    company.orders = list(iter_orders(company))
    return company


# --------------------------------------------------------------------- files


def exchange_columns() -> dict[str, tuple[str, ...]]:
    """The columns `tandem import` reads, per kind of file."""
    from tandem.exchange.readers import COLUMNS

    return {kind: tuple(name for name, _optional in COLUMNS[kind]) for kind in KINDS}


def _text(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _values(kind: str, row: object) -> tuple[str, ...]:
    """A row's values in CONTRACT_COLUMNS order."""
    if isinstance(row, StaffRow):
        return (row.staff_id, row.name, row.role, _text(row.hired_on), _text(row.left_on), row.team)
    if isinstance(row, CustomerRow):
        return (
            row.customer_id,
            row.name,
            row.tier,
            row.acquired_on.isoformat(),
            row.acquired_by or "",
            row.referred_by or "",
        )
    if isinstance(row, AssignmentRow):
        return (
            row.customer_id,
            row.role,
            row.staff_id,
            row.valid_from.isoformat(),
            _text(row.valid_to),
            row.reason,
            row.end_reason,
            row.note,
        )
    if isinstance(row, OrderRow):
        return (
            row.order_id,
            row.customer_id,
            row.order_date.isoformat(),
            format_cents(row.cents),
            row.category,
            row.refund_of or "",
        )
    raise TypeError(f"not a {kind} row: {row!r}")


def write_files(
    company: DemoCompany,
    directory: Path,
    *,
    assignments: Iterable[AssignmentRow] | None = None,
    orders: Iterable[OrderRow] | None = None,
    columns: Mapping[str, Sequence[str]] | None = None,
    prefix: str = "",
) -> tuple[dict[str, Path], dict[str, int]]:
    """Write the company as exchange files `<prefix><kind>.csv` (UTF-8, one
    header row) in `directory`, with `columns` per kind (default: those the
    importer reads). `assignments` defaults to the ledger before the
    releases; `orders` to `company.orders` (pass `iter_orders(company)` to
    stream a large company). Returns the paths by kind and the rows written
    (orders and refunds apart)."""
    columns = columns or exchange_columns()
    directory.mkdir(parents=True, exist_ok=True)
    sources: dict[str, Iterable[object]] = {
        "staff": company.staff,
        "customers": company.customers,
        "assignments": company.imported_assignments() if assignments is None else assignments,
        "orders": company.orders if orders is None else orders,
    }
    paths: dict[str, Path] = {}
    counts: dict[str, int] = {}
    for kind in KINDS:
        wanted = list(columns[kind])
        unknown = [c for c in wanted if c not in CONTRACT_COLUMNS[kind]]
        if unknown:
            raise ValueError(f"{kind}: no such column in the contract: {', '.join(unknown)}")
        positions = [CONTRACT_COLUMNS[kind].index(c) for c in wanted]
        path = directory / f"{prefix}{kind}.csv"
        part = path.with_name(path.name + ".part")
        written = refunds = 0
        with part.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(wanted)
            batch: list[list[str]] = []
            for row in sources[kind]:
                values = _values(kind, row)
                batch.append([values[p] for p in positions])
                written += 1
                if isinstance(row, OrderRow) and row.refund_of is not None:
                    refunds += 1
                if len(batch) >= 50_000:
                    writer.writerows(batch)
                    batch.clear()
            writer.writerows(batch)
        part.replace(path)
        paths[kind] = path
        if kind == "orders":
            counts["orders"], counts["refunds"] = written - refunds, refunds
        else:
            counts[kind] = written
    return paths, counts
