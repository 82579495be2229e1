"""The demo company: a realistic trading firm in zh-CN with three years of
history, for trying Tandem out and for screenshots.

`generate()` builds the company in memory (deterministic for a seed and a
"today"); `demo_load()` writes it to the database with bulk inserts in one
transaction, loads the default plan, creates one login per role and runs the
commissions when the engine is there.

What is in it: ~40 staff in two sales departments (华东销售部, 华南销售部) and
two service teams (客服一组, 客服二组), their managers, a general manager, finance
and an admin; customers (about 10% key accounts) with contacts; three years
of orders up to the end of last month, seasonal (slow around 春节, peaks
before 618 and 双十一, a strong Q4); about 3% refunds, some partial;
referrals; salespeople who left and whose customers were handed over, one
whose customers never were, a busy salesperson who released customers to the
pool, and a few customers nobody owns. The data obeys the exchange rules:
no overlapping assignments per customer and role, refunds after their order
and never more than it, nobody refers themselves."""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from bisect import bisect_right
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from tandem.customers.models import Assignment, Contact, Customer, Reason, Tier
from tandem.sales.models import Order
from tandem.staff.models import Role, Staff, Team

DEMO_PASSWORD = "tandem-demo"

# username -> what the person is, in the order the logins are shown.
DEMO_LOGINS: tuple[tuple[str, str], ...] = (
    ("gm", "总经理"),
    ("sales_manager", "销售经理（华东销售部）"),
    ("service_manager", "客服经理（客服一组）"),
    ("sales", "销售"),
    ("service", "客服"),
    ("finance", "财务"),
    ("admin", "管理员"),
)

DEFAULT_PLAN = {
    "name": "默认协作方案",
    "effective_from": dt.date(1900, 1, 1),
    "pool_rate": "0.05",
    "category_rates": {},
    "splits": {
        "standard": {"sales": "0.70", "service": "0.30"},
        "inherited": {"service": "0.70", "sales": "0.30"},
        "referral": {"sales": "0.70", "referrer_service": "0.30"},
    },
}

CATEGORIES = ("equipment", "consumables", "service")

# Spring Festival (春节) dates: orders all but stop in the week around it.
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
_EAST_CITIES = (
    "苏州",
    "无锡",
    "常州",
    "南京",
    "杭州",
    "宁波",
    "温州",
    "嘉兴",
    "绍兴",
    "上海",
    "合肥",
    "南通",
)
_SOUTH_CITIES = (
    "广州",
    "深圳",
    "东莞",
    "佛山",
    "中山",
    "珠海",
    "厦门",
    "福州",
    "泉州",
    "江门",
    "惠州",
)
_BRANDS = (
    "精工",
    "恒达",
    "华盛",
    "鑫源",
    "永泰",
    "宏图",
    "瑞丰",
    "金桥",
    "博远",
    "新科",
    "联创",
    "天成",
    "汇通",
    "德隆",
    "盛世",
    "嘉禾",
    "中成",
    "东方",
    "远航",
    "宝利",
    "正泰",
    "海川",
    "安信",
    "创维",
    "佳美",
    "优品",
    "利达",
    "万丰",
    "鸿运",
    "兴业",
    "信达",
    "凯盛",
    "同舟",
    "益丰",
    "久安",
    "立信",
    "华腾",
    "骏马",
    "锦程",
    "卓越",
)
_TRADES = (
    "贸易",
    "机械",
    "电子",
    "科技",
    "实业",
    "五金",
    "塑胶",
    "包装",
    "化工",
    "医疗器械",
    "自动化设备",
    "食品",
    "纺织",
    "汽车配件",
    "建材",
    "电气",
)
_SUFFIXES = ("有限公司",) * 8 + ("股份有限公司", "有限责任公司")
_TITLES = (
    "采购经理",
    "采购专员",
    "总经理",
    "财务主管",
    "仓库主管",
    "技术负责人",
    "行政主管",
    "生产经理",
)


@dataclass
class DemoCompany:
    seed: int
    today: dt.date
    start: dt.date  # first order day of the window
    end: dt.date  # last day of last month
    teams: list[Team] = field(default_factory=list)
    staff: list[Staff] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    logins: dict[str, str] = field(default_factory=dict)  # username -> staff_id

    @property
    def sale_orders(self) -> list[Order]:
        return [o for o in self.orders if o.refund_of_id is None]

    @property
    def refunds(self) -> list[Order]:
        return [o for o in self.orders if o.refund_of_id is not None]


@dataclass
class DemoSummary:
    created: bool
    staff: int = 0
    customers: int = 0
    contacts: int = 0
    assignments: int = 0
    orders: int = 0
    refunds: int = 0
    logins: int = 0
    start: dt.date | None = None
    end: dt.date | None = None
    load_seconds: float = 0.0
    run_seconds: float | None = None  # None: no commission engine yet
    run_result: object = None


# --------------------------------------------------------------------- dates


def _month_start(day: dt.date, months: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_days(first: dt.date) -> int:
    return (_month_start(first, 1) - first).days


def _random_day(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
    """A day in [low, high]."""
    return low + dt.timedelta(days=rng.randint(0, (high - low).days))


# ---------------------------------------------------------------- generation


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def person(self) -> str:
        while True:
            name = self.rng.choice(_SURNAMES) + self.rng.choice(_GIVEN)
            if name not in self.used:
                self.used.add(name)
                return name

    def company(self, east: bool) -> str:
        cities = _EAST_CITIES if east else _SOUTH_CITIES
        while True:
            name = (
                self.rng.choice(cities)
                + self.rng.choice(_BRANDS)
                + self.rng.choice(_TRADES)
                + self.rng.choice(_SUFFIXES)
            )
            if name not in self.used:
                self.used.add(name)
                return name


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


@dataclass
class _Person:
    staff: Staff
    weight: float = 1.0

    def active(self, day: dt.date) -> bool:
        return self.staff.is_active_on(day)


def _pick(
    rng: random.Random, people: list[_Person], day: dt.date, *, exclude: Staff | None = None
) -> Staff:
    pool = [p for p in people if p.active(day) and p.staff is not exclude]
    if not pool:  # never happens with the staff plan below; keeps the data valid if it did
        raise RuntimeError(f"no active staff on {day}")
    return rng.choices([p.staff for p in pool], weights=[p.weight for p in pool])[0]


def generate(*, seed: int = 42, customers: int = 2000, today: dt.date | None = None) -> DemoCompany:
    """Build the demo company in memory. Same seed and today, same company."""
    rng = random.Random(seed)
    if today is None:
        today = timezone.localdate()
    first_of_month = _month_start(today)
    end = first_of_month - dt.timedelta(days=1)
    start = _month_start(today, -36)
    company = DemoCompany(seed=seed, today=today, start=start, end=end)
    names = _Names(rng)

    def at(months: int, low: int = 1, high: int = 28) -> dt.date:
        return _month_start(start, months) + dt.timedelta(days=rng.randint(low, high) - 1)

    def old(year_from: int, year_to: int) -> dt.date:
        return _random_day(rng, dt.date(year_from, 1, 5), dt.date(year_to, 12, 20))

    # ---- teams and staff
    east_sales = Team(name="华东销售部", department="sales")
    south_sales = Team(name="华南销售部", department="sales")
    service_one = Team(name="客服一组", department="service")
    service_two = Team(name="客服二组", department="service")
    company.teams = [east_sales, south_sales, service_one, service_two]

    counter = iter(range(1, 1000))

    def person(role: str, team: Team | None, hired: dt.date, left: dt.date | None = None) -> Staff:
        staff = Staff(
            staff_id=f"TD{next(counter):03d}",
            name=names.person(),
            role=role,
            team=team,
            hired_on=hired,
            left_on=left,
        )
        company.staff.append(staff)
        return staff

    gm = person(Role.MANAGER, None, dt.date(2012, 3, 1))
    east_manager = person(Role.MANAGER, east_sales, old(2013, 2014))
    person(Role.MANAGER, south_sales, old(2014, 2015))
    service_one_manager = person(Role.MANAGER, service_one, old(2015, 2016))
    person(Role.MANAGER, service_two, old(2016, 2017))

    sales_people: dict[str, list[_Person]] = {}
    handover_departures: set[str] = set()
    kept_departures: set[str] = set()  # left, customers never handed over

    # 华东销售部: one leaves with a handover, one leaves and nobody hands over.
    east = [
        _Person(person(Role.SALES, east_sales, old(2013, 2016)), 3.0),  # the demo salesperson
        _Person(person(Role.SALES, east_sales, old(2013, 2016), at(8)), 3.0),
        _Person(person(Role.SALES, east_sales, old(2014, 2017)), 2.5),
        _Person(person(Role.SALES, east_sales, old(2014, 2017), at(22)), 2.5),
        _Person(person(Role.SALES, east_sales, old(2015, 2017)), 2.0),
        _Person(person(Role.SALES, east_sales, old(2018, 2019)), 2.0),
        _Person(person(Role.SALES, east_sales, old(2019, 2020)), 1.5),
        _Person(person(Role.SALES, east_sales, at(6)), 1.5),
        _Person(person(Role.SALES, east_sales, at(20)), 1.5),
    ]
    handover_departures.add(east[1].staff.staff_id)
    kept_departures.add(east[3].staff.staff_id)
    # 华南销售部: two leave, both handed over; [1] is busy and releases customers.
    south = [
        _Person(person(Role.SALES, south_sales, old(2013, 2016), at(14)), 3.0),
        _Person(person(Role.SALES, south_sales, old(2013, 2016)), 4.0),
        _Person(person(Role.SALES, south_sales, old(2014, 2017)), 2.5),
        _Person(person(Role.SALES, south_sales, old(2014, 2017), at(28)), 2.5),
        _Person(person(Role.SALES, south_sales, old(2015, 2017)), 2.0),
        _Person(person(Role.SALES, south_sales, old(2018, 2019)), 2.0),
        _Person(person(Role.SALES, south_sales, old(2020, 2021)), 1.5),
        _Person(person(Role.SALES, south_sales, at(12)), 1.5),
        _Person(person(Role.SALES, south_sales, at(26)), 1.5),
    ]
    handover_departures.update({south[0].staff.staff_id, south[3].staff.staff_id})
    busy = south[1].staff
    sales_people = {"east": east, "south": south}

    service_people = {
        "east": [
            _Person(
                person(Role.SERVICE, service_one, old(2014, 2016)), 2.0
            ),  # the demo service person
            _Person(person(Role.SERVICE, service_one, old(2014, 2017)), 2.0),
            _Person(person(Role.SERVICE, service_one, old(2015, 2017)), 2.0),
            _Person(person(Role.SERVICE, service_one, old(2016, 2017)), 2.0),
            _Person(person(Role.SERVICE, service_one, old(2018, 2020)), 1.5),
            _Person(person(Role.SERVICE, service_one, old(2020, 2021)), 1.5),
            _Person(person(Role.SERVICE, service_one, at(10)), 1.0),
        ],
        "south": [
            _Person(person(Role.SERVICE, service_two, old(2014, 2016)), 2.0),
            _Person(person(Role.SERVICE, service_two, old(2014, 2016), at(18)), 2.0),
            _Person(person(Role.SERVICE, service_two, old(2015, 2017)), 2.0),
            _Person(person(Role.SERVICE, service_two, old(2016, 2017)), 2.0),
            _Person(person(Role.SERVICE, service_two, old(2018, 2020)), 1.5),
            _Person(person(Role.SERVICE, service_two, old(2019, 2021)), 1.5),
            _Person(person(Role.SERVICE, service_two, at(17)), 1.0),
        ],
    }
    finance = person(Role.FINANCE, None, old(2015, 2016))
    person(Role.FINANCE, None, old(2019, 2020))
    admin = person(Role.ADMIN, None, old(2020, 2021))

    company.logins = {
        "gm": gm.staff_id,
        "sales_manager": east_manager.staff_id,
        "service_manager": service_one_manager.staff_id,
        "sales": east[0].staff.staff_id,
        "service": service_people["east"][0].staff.staff_id,
        "finance": finance.staff_id,
        "admin": admin.staff_id,
    }

    # ---- customers
    history_from = dt.date(2018, 1, 8)
    n = customers
    drafts = []
    for _ in range(n):
        east_region = rng.random() < 0.55
        if rng.random() < 0.45:
            acquired = _random_day(rng, history_from, start - dt.timedelta(days=1))
            key = rng.random() < 0.17
        else:
            acquired = _random_day(rng, start, end - dt.timedelta(days=20))
            key = rng.random() < 0.045
        drafts.append((acquired, east_region, key, names.company(east_region)))
    drafts.sort(key=lambda d: (d[0], d[3]))

    no_owner = set(rng.sample(range(n), max(2, n // 250)))
    referred: dict[int, int] = {}
    candidates = [i for i in range(n) if drafts[i][0] >= start and i not in no_owner and i > 0]
    days = [d[0] for d in drafts]
    for i in rng.sample(candidates, min(len(candidates), round(n * 0.08))):
        earlier = bisect_right(days, drafts[i][0] - dt.timedelta(days=1))
        if earlier:
            referred[i] = rng.randrange(earlier)

    for i, (acquired, east_region, key, name) in enumerate(drafts):
        region = "east" if east_region else "south"
        developer = None if i in no_owner else _pick(rng, sales_people[region], acquired)
        customer = Customer(
            customer_id=f"C{i + 1:05d}",
            name=name,
            tier=Tier.KEY if key else Tier.STANDARD,
            acquired_on=acquired,
            acquired_by_id=developer.staff_id if developer else None,
            referred_by_id=f"C{referred[i] + 1:05d}" if i in referred else None,
        )
        company.customers.append(customer)
        for k in range(rng.choices((1, 2, 3), weights=(5, 4, 1))[0]):
            email = ""
            if rng.random() < 0.35:
                email = f"{rng.randint(10_000_000, 2_999_999_999)}@qq.com"
            company.contacts.append(
                Contact(
                    customer_id=customer.customer_id,
                    name=names.person(),
                    title=_TITLES[0] if k == 0 and rng.random() < 0.5 else rng.choice(_TITLES),
                    phone=f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}",
                    email=email,
                    is_primary=k == 0,
                )
            )
        if developer is not None:
            _assign(
                rng,
                company,
                customer,
                developer,
                sales_people[region],
                service_people[region],
                handover_departures,
            )

    # ---- a busy salesperson releases some of their standard accounts to the pool
    release_day = at(24, 10, 20)
    releasable = [
        a
        for a in company.assignments
        if a.role == "sales"
        and a.staff_id == busy.staff_id
        and a.valid_to is None
        and a.valid_from < release_day - dt.timedelta(days=90)
        and _tier_of(company, a.customer_id) == Tier.STANDARD
    ]
    for row in rng.sample(releasable, min(len(releasable), max(2, n * 15 // 1000))):
        row.valid_to = release_day + dt.timedelta(days=rng.randint(0, 6))
        row.reason = Reason.RELEASE
        row.note = "业务繁忙，释放至公海"

    _orders(rng, company, referred)
    return company


def _tier_of(company: DemoCompany, customer_id: str) -> str:
    return company.customers[int(customer_id[1:]) - 1].tier


def _assign(
    rng: random.Random,
    company: DemoCompany,
    customer: Customer,
    developer: Staff,
    sellers: list[_Person],
    servers: list[_Person],
    handover_departures: set[str],
) -> None:
    """The ownership rows of one customer: developed by `developer`, handed
    over (sales and service) when a salesperson with handover leaves, service
    handed over when its person leaves."""

    def row(role: str, staff: Staff, start: dt.date, end: dt.date | None, reason: str) -> None:
        company.assignments.append(
            Assignment(
                customer_id=customer.customer_id,
                role=role,
                staff_id=staff.staff_id,
                valid_from=start,
                valid_to=end,
                reason=reason,
                note="离职交接" if reason == Reason.HANDOVER else "",
            )
        )

    # sales
    handovers: list[dt.date] = []
    seller, since, reason = developer, customer.acquired_on, Reason.DEVELOPED
    while True:
        left = seller.left_on
        if left is None or seller.staff_id not in handover_departures:
            row("sales", seller, since, None, reason)  # open, also after a departure nobody handled
            break
        row("sales", seller, since, left, reason)
        handovers.append(left)
        seller, since, reason = _pick(rng, sellers, left, exclude=seller), left, Reason.HANDOVER

    # service
    server = _pick(rng, servers, customer.acquired_on)
    since, reason = customer.acquired_on, Reason.DEVELOPED
    while True:
        changes = [d for d in handovers if d > since]
        if server.left_on is not None and server.left_on > since:
            changes.append(server.left_on)
        if not changes:
            row("service", server, since, None, reason)
            break
        change = min(changes)
        row("service", server, since, change, reason)
        if not server.is_active_on(change) or rng.random() < 0.4:
            server = _pick(rng, servers, change, exclude=server)
        since, reason = change, Reason.HANDOVER


def _order_day(rng: random.Random, first: dt.date, low: dt.date) -> dt.date | None:
    """A day of the month starting `first`, not before `low`, shaped by the
    calendar: quiet around 春节, busy in the run-up to 618 and 双十一."""
    days = _month_days(first)
    for _ in range(8):
        if first.month in (6, 11) and rng.random() < 0.6:
            day = first + dt.timedelta(days=rng.randint(0, 17 if first.month == 6 else 10))
        else:
            day = first + dt.timedelta(days=rng.randint(0, days - 1))
        if day < low:
            continue
        festival = _SPRING_FESTIVAL.get(day.year)
        if festival and abs((day - festival).days) <= 7 and rng.random() < 0.85:
            continue
        return day
    return None


def _amount_cents(rng: random.Random, category: str, key: bool) -> int:
    median, sigma, step = {
        "equipment": (26_000, 0.75, 10_000),  # whole hundreds of yuan
        "consumables": (1_600, 0.95, 50),  # half yuan
        "service": (4_800, 0.65, 1_000),  # whole ten yuan
    }[category]
    yuan = median * math.exp(rng.gauss(0, sigma)) * (2.6 if key else 1.0)
    cents = max(2_000, int(yuan * 100) // step * step)
    return min(cents, 480_000_000)


def _orders(rng: random.Random, company: DemoCompany, referred: dict[int, int]) -> None:
    start, end = company.start, company.end
    drafts: list[tuple[dt.date, str, int, str]] = []  # date, customer, cents, category
    for i, customer in enumerate(company.customers):
        key = customer.tier == Tier.KEY
        rate = (2.6 if key else 0.7) * math.exp(rng.gauss(0, 0.6) - 0.18)
        churn_at = None
        if rng.random() < 0.12:
            churn_at = _random_day(rng, max(start, customer.acquired_on), end)
        weights = (0.35, 0.3, 0.35) if key else (0.1, 0.65, 0.25)
        first = _month_start(max(start, customer.acquired_on))
        if i in referred:
            # the referred customer's first order follows soon after it was won
            day = customer.acquired_on + dt.timedelta(days=rng.randint(0, 14))
            category = rng.choices(CATEGORIES, weights)[0]
            drafts.append(
                (min(day, end), customer.customer_id, _amount_cents(rng, category, key), category)
            )
        while first <= end:
            growth = 1.0 + 0.1 * (first.year - start.year)
            for _ in range(_poisson(rng, rate * _SEASON[first.month] * growth)):
                when = _order_day(rng, first, max(customer.acquired_on, start))
                if when is None or when > end or (churn_at and when >= churn_at):
                    continue
                category = rng.choices(CATEGORIES, weights)[0]
                drafts.append(
                    (when, customer.customer_id, _amount_cents(rng, category, key), category)
                )
            first = _month_start(first, 1)

    drafts.sort()
    per_day: dict[dt.date, int] = {}
    sales: list[Order] = []
    for day, customer_id, cents, category in drafts:
        per_day[day] = per_day.get(day, 0) + 1
        sales.append(
            Order(
                order_id=f"SO{day:%Y%m%d}{per_day[day]:04d}",
                customer_id=customer_id,
                order_date=day,
                amount=_decimal(cents),
                category=category,
            )
        )

    refunds: list[tuple[dt.date, Order, int]] = []
    for order in sales:
        if rng.random() >= 0.029:
            continue
        cents = int(order.amount * 100)
        day = order.order_date + dt.timedelta(days=rng.randint(2, 45))
        if day > end:
            continue
        if rng.random() < 0.4:
            refunds.append((day, order, cents))  # the whole order back
            continue
        part = max(1, cents * rng.randint(5, 60) // 100)
        refunds.append((day, order, part))
        second = order.order_date + dt.timedelta(days=rng.randint(10, 80))
        if rng.random() < 0.15 and second > day and second <= end:
            refunds.append((second, order, max(1, (cents - part) * rng.randint(10, 100) // 100)))
    refunds.sort(key=lambda r: (r[0], r[1].order_id))
    per_day = {}
    rows: list[Order] = []
    for day, order, cents in refunds:
        per_day[day] = per_day.get(day, 0) + 1
        rows.append(
            Order(
                order_id=f"RF{day:%Y%m%d}{per_day[day]:03d}",
                customer_id=order.customer_id,
                order_date=day,
                amount=_decimal(cents),
                category=order.category,
                refund_of_id=order.order_id,
            )
        )
    company.orders = sales + rows


def _decimal(cents: int):
    from tandem.core.money import from_cents

    return from_cents(cents)


# -------------------------------------------------------------------- loading


def demo_load(
    *,
    seed: int = 42,
    customers: int = 2000,
    today: dt.date | None = None,
    if_empty: bool = False,
    run: bool = True,
) -> DemoSummary:
    """Write the demo company to the (empty) database. With `if_empty`, a
    database that already has customers is left alone (created=False)."""
    from django.contrib.auth.hashers import make_password
    from simple_history.utils import bulk_create_with_history

    from tandem.core.errors import TandemError
    from tandem.staff.accounts import role_groups_sync, staff_user_link

    if Customer.objects.exists():
        if if_empty:
            return DemoSummary(created=False)
        raise TandemError(
            "数据库中已有客户数据：演示数据只能载入空数据库（或加 --if-empty 跳过）。"
        )

    started = time.perf_counter()
    company = generate(seed=seed, customers=customers, today=today)
    reason = "演示数据"
    with transaction.atomic():
        # The plan first: loading a plan marks existing customers dirty, and
        # there are none yet (the full run below computes everything).
        _plan_ensure_default()
        Team.objects.bulk_create(company.teams)
        for staff in company.staff:
            staff.team_id = staff.team.pk if staff.team else None
        bulk_create_with_history(company.staff, Staff, batch_size=500, default_change_reason=reason)
        bulk_create_with_history(
            company.customers, Customer, batch_size=1000, default_change_reason=reason
        )
        Contact.objects.bulk_create(company.contacts, batch_size=2000)
        bulk_create_with_history(
            company.assignments, Assignment, batch_size=1000, default_change_reason=reason
        )
        Order.objects.bulk_create(company.orders, batch_size=2000)
        role_groups_sync()
        password_hash = make_password(DEMO_PASSWORD)  # hashed once, shared by the demo logins
        by_id = {s.staff_id: s for s in company.staff}
        for username, staff_id in company.logins.items():
            staff_user_link(staff=by_id[staff_id], username=username, password_hash=password_hash)
    load_seconds = time.perf_counter() - started

    summary = DemoSummary(
        created=True,
        staff=len(company.staff),
        customers=len(company.customers),
        contacts=len(company.contacts),
        assignments=len(company.assignments),
        orders=len(company.sale_orders),
        refunds=len(company.refunds),
        logins=len(company.logins),
        start=company.start,
        end=company.end,
        load_seconds=load_seconds,
    )
    if run:
        try:
            from tandem.commissions.runs import run_commissions  # type: ignore[import-not-found]
        except ImportError:
            return summary
        # The run starts on a fresh connection: the load leaves this one with
        # its temporary storage in use, which SQLite settings of a run may not
        # change any more.
        connection.close()
        started = time.perf_counter()
        summary.run_result = run_commissions(full=True)
        summary.run_seconds = time.perf_counter() - started
    return summary


def _plan_ensure_default() -> None:
    try:
        from tandem.exchange.plans import plans_ensure_default  # type: ignore[import-not-found]
    except ImportError:
        from tandem.commissions.models import Plan

        Plan.objects.get_or_create(
            effective_from=dt.date(1900, 1, 1),
            defaults={key: value for key, value in DEFAULT_PLAN.items() if key != "effective_from"},
        )
        return
    plans_ensure_default()


def demo_logins_present() -> list[tuple[str, str, str, bool]]:
    """The demo logins that exist in this database, as (username, staff name,
    role description, password is still the demo one). Empty when this is
    not a demo database."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password

    users = {
        u.username: u
        for u in get_user_model()
        .objects.filter(username__in=[name for name, _ in DEMO_LOGINS])
        .select_related("staff")
    }
    checked: dict[str, bool] = {}  # one hash check per distinct stored hash
    rows = []
    for username, description in DEMO_LOGINS:
        user = users.get(username)
        if user is None or not hasattr(user, "staff"):
            continue
        if user.password not in checked:
            checked[user.password] = check_password(DEMO_PASSWORD, user.password)
        rows.append((username, user.staff.name, description, checked[user.password]))
    if not any(row[3] for row in rows):
        return []
    return rows
