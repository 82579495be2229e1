"""Commission runs: read customers' histories, call the pure engine, write
the lines of open months and post adjustments for locked ones.

One transaction per run, so a crash leaves the previous state whole. The
unit of work is a customer: a run takes customers in batches, reads each
batch's orders, refunds and ownership rows with a few queries, computes the
truth with `engine.compute_customer`, and rewrites a customer's open-month
lines only where they differ from what is stored — a second run on unchanged
data writes nothing.

Incremental runs recompute the customers that the writers' change facts
reach (`changes.customers_to_recompute`); `full=True` recomputes every customer. Both give
the same lines (tests/commissions/test_runs_differential.py)."""

from __future__ import annotations

import gc
import os
import time
import zlib
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from fractions import Fraction
from operator import attrgetter

from django.db import connection, transaction

from tandem.commissions import engine, rules
from tandem.commissions.adjustments import ADJUSTMENT, Amount, adjustments_for
from tandem.core.changes import facts_discard, facts_pending
from tandem.core.db import REFRESH_FROM, refresh_statistics

from .changes import customers_to_recompute
from .models import CommissionLine, CommissionRun, PeriodLock, Plan

BATCH = 2_000  # customers per read batch
IN_CHUNK = 500  # ids per IN (...) clause
WRITE_CHUNK = 20_000
PIPELINE_MIN_CUSTOMERS = 4_000  # below this, worker processes are not worth starting
PIPELINE_BATCH = 1_000

LINE_TABLE = CommissionLine._meta.db_table
LINE_COLUMNS = (
    "period",
    "order_id",
    "customer_id",
    "staff_id",
    "role",
    "scenario",
    "kind",
    "line_date",
    "amount_cents",
    "plan_from",
    "pool_cents",
    "weight",
    "refund_id",
    "adjusts_period",
)
_MAX_EXCEPTIONS_KEPT = 1_000

# A stored or computed line as the run compares and writes it; dates as ISO
# strings so rows read from any database compare equal to computed ones.
Row = tuple[str, str, str, str, str, str, str, str, int, str | None, int, str, str, str]


@dataclass
class RunResult:
    mode: str
    period: str = ""
    customers: int = 0
    orders: int = 0
    lines_written: int = 0
    lines_deleted: int = 0
    adjustments: int = 0
    exceptions: list[dict] = field(default_factory=list)
    exception_count: int = 0
    duration_ms: int = 0
    run_id: int | None = None


Progress = Callable[[int], None]


# --------------------------------------------------------------------------- #
# Reading
# --------------------------------------------------------------------------- #


class _Dates:
    """ISO date strings (SQLite) or dates (PostgreSQL) to dates, cached: a
    run sees about a thousand distinct days for a million orders."""

    def __init__(self) -> None:
        self.cache: dict[object, date] = {}

    def __call__(self, value: object) -> date:
        d = self.cache.get(value)
        if d is None:
            d = value if isinstance(value, date) else date.fromisoformat(str(value))
            self.cache[value] = d
        return d

    def optional(self, value: object) -> date | None:
        return None if value is None or value == "" else self(value)


def _date_sql(column: str) -> str:
    # On SQLite a bare date column goes through Django's date converter (a
    # million parse_date calls); as text it comes back raw and _Dates caches it.
    return column if connection.vendor == "postgresql" else f"CAST({column} AS TEXT)"


def _amount_cents_sql() -> str:
    # Orders keep Decimal(14,2); read them as exact integer cents.
    if connection.vendor == "postgresql":
        return "CAST(o.amount * 100 AS BIGINT)"
    return "CAST(ROUND(o.amount * 100) AS INTEGER)"


def load_plans() -> rules.PlanBook:
    plans = [
        rules.Plan(
            name=p.name,
            effective_from=p.effective_from,
            pool_rate=Decimal(p.pool_rate).normalize(),
            category_rates={k: Decimal(str(v)) for k, v in (p.category_rates or {}).items()},
            splits={
                scenario: {role: Decimal(str(w)) for role, w in weights.items()}
                for scenario, weights in (p.splits or {}).items()
            },
        )
        for p in Plan.objects.order_by("effective_from")
    ]
    return rules.PlanBook(plans)


def load_staff(dates: _Dates) -> dict[str, rules.StaffActivity]:
    with connection.cursor() as cur:
        cur.execute("SELECT staff_id, hired_on, left_on FROM staff_staff")
        return {
            sid: rules.StaffActivity(hired_on=dates.optional(h), left_on=dates.optional(left))
            for sid, h, left in cur.fetchall()
        }


def locked_periods() -> frozenset[str]:
    return frozenset(PeriodLock.objects.values_list("period", flat=True))


def _chunks(items: Sequence[str], size: int = IN_CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _placeholders(n: int) -> str:
    return ",".join(["%s"] * n)


def _assignments_of(ids: Sequence[str], dates: _Dates, role: str | None = None):
    rows: dict[str, list[rules.Assignment]] = defaultdict(list)
    with connection.cursor() as cur:
        for chunk in _chunks(ids):
            sql = (
                f"SELECT customer_id, role, staff_id, {_date_sql('valid_from')}, {_date_sql('valid_to')} "
                "FROM customers_assignment "
                f"WHERE customer_id IN ({_placeholders(len(chunk))})"
            )
            params: list[str] = list(chunk)
            if role:
                sql += " AND role = %s"
                params.append(role)
            cur.execute(sql, params)
            for cid, r, sid, vf, vt in cur.fetchall():
                rows[cid].append(rules.Assignment(r, sid, dates(vf), dates.optional(vt)))
    for value in rows.values():
        value.sort(key=lambda a: a.valid_from)
    return rows


def read_histories(
    customer_ids: Sequence[str], dates: _Dates
) -> tuple[list[engine.CustomerHistory], dict[str, list[rules.Assignment]]]:
    """Histories of these customers, and the service rows of their referrers."""
    customers: dict[str, tuple[str | None, str | None]] = {}
    orders: dict[str, list[engine.Order]] = defaultdict(list)
    refunds: dict[str, list[engine.Refund]] = defaultdict(list)
    amount_sql = _amount_cents_sql()
    with connection.cursor() as cur:
        for chunk in _chunks(customer_ids):
            marks = _placeholders(len(chunk))
            cur.execute(
                "SELECT customer_id, acquired_by_id, referred_by_id FROM customers_customer "
                f"WHERE customer_id IN ({marks})",
                list(chunk),
            )
            for cid, dev, ref in cur.fetchall():
                customers[cid] = (dev, ref)
            cur.execute(
                f"SELECT o.order_id, o.customer_id, {_date_sql('o.order_date')}, {amount_sql}, o.category, o.refund_of_id "
                f"FROM sales_order o WHERE o.customer_id IN ({marks})",
                list(chunk),
            )
            # Both drivers return the cents as int; the day cache is read
            # inline (a method call per order costs more than the look-up).
            cached_day = dates.cache.get
            new_order, new_refund = engine.new_order, engine.new_refund
            for oid, cid, day, cents, category, refund_of in cur.fetchall():
                d = cached_day(day) or dates(day)
                if refund_of:
                    refunds[cid].append(new_refund(oid, refund_of, d, cents))
                else:
                    orders[cid].append(new_order(oid, d, cents, category or None))
    assignments = _assignments_of(list(customers), dates)
    referrers = sorted({ref for _, ref in customers.values() if ref})
    referrer_service = _assignments_of(referrers, dates, role="service") if referrers else {}
    histories = [
        engine.CustomerHistory(
            customer_id=cid,
            acquired_by=dev,
            referred_by=ref,
            orders=orders.get(cid, ()),
            refunds=refunds.get(cid, ()),
            assignments=assignments.get(cid, ()),
        )
        for cid, (dev, ref) in sorted(customers.items())
    ]
    return histories, referrer_service


def _stored_lines(ids: Sequence[str], windows: Mapping[str, str] | None = None) -> dict[str, list[tuple[int, Row]]]:
    """The stored lines of these customers; of a customer with a window
    (see `_windows`), only its lines from that month on, adjustments left
    out."""
    stored: dict[str, list[tuple[int, Row]]] = defaultdict(list)
    cols = ", ".join(_date_sql(c) if c in ("line_date", "plan_from") else c for c in LINE_COLUMNS)
    windows = windows or {}
    groups: dict[str, list[str]] = defaultdict(list)
    for cid in ids:
        groups[windows.get(cid, "")].append(cid)
    iso = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        for first_period, members in groups.items():
            for chunk in _chunks(members):
                sql = f"SELECT id, {cols} FROM {LINE_TABLE} WHERE customer_id IN ({_placeholders(len(chunk))})"
                params = list(chunk)
                if first_period:
                    sql += " AND period >= %s AND kind <> %s"
                    params += [first_period, ADJUSTMENT]
                cur.execute(sql, params)
                if iso:
                    # psycopg returns dates as date objects: compare ISO text.
                    for row in cur.fetchall():
                        line: Row = (*row[1:8], str(row[8]), row[9], _iso(row[10]), *row[11:])  # type: ignore[assignment]
                        stored[line[2]].append((row[0], line))
                else:
                    # SQLite: dates already come back as text (CAST), amounts as int.
                    for row in cur.fetchall():
                        stored[row[3]].append((row[0], row[1:]))
    return stored


def _iso(value: object) -> str | None:
    return None if value is None else str(value)


# --------------------------------------------------------------------------- #
# Computing
# --------------------------------------------------------------------------- #

def weight_text(weight: Fraction) -> str:
    """A weight as stored and exported: '0.7' when it is a finite decimal,
    else the exact fraction ('7/15')."""
    den = weight.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den != 1:
        return f"{weight.numerator}/{weight.denominator}"
    text = format(Decimal(weight.numerator) / Decimal(weight.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class RowMaker:
    """Engine lines to rows, with the per-day and per-weight text cached: a
    full run makes two million rows from about a thousand days and a handful
    of weights."""

    def __init__(self) -> None:
        self.days: dict[date, tuple[str, str]] = {}
        self.weights: dict[int, tuple[object, str]] = {}  # id -> (weight kept alive, text)

    def day(self, d: date) -> tuple[str, str]:
        text = self.days.get(d)
        if text is None:
            text = self.days[d] = (f"{d.year:04d}-{d.month:02d}", d.isoformat())
        return text

    def make(
        self, order_id, customer_id, staff_id, role, scenario, kind, line_date, amount_cents,
        order_date, plan_name, plan_from, rate, rate_source, category, order_amount_cents,
        pool_cents, weight, nominal_weight, split_weights, absent_roles, refund_id,
        refunded_before_cents, refunded_after_cents, net_before_cents, net_after_cents,
        referrer_id, developer_id, developer_left_on,
    ) -> Row:  # fmt: skip
        """The row of a line, from the Line's fields in order: what
        `engine.compute_customer_as` calls instead of building a Line.
        Equal to `self(Line(...))` (tests/commissions/test_runs.py)."""
        days = self.days
        period, iso = days.get(line_date) or self.day(line_date)
        plan_from_iso = (days.get(plan_from) or self.day(plan_from))[1]
        cached = self.weights.get(id(weight))
        if cached is None or cached[0] is not weight:
            cached = self.weights[id(weight)] = (weight, weight_text(weight))
        return (
            period, order_id, customer_id, staff_id, role, scenario, kind, iso, amount_cents,
            plan_from_iso, pool_cents, cached[1], refund_id or "", "",
        )  # fmt: skip

    def __call__(self, line: engine.Line) -> Row:
        """The row of a Line (the same as `make` on its fields)."""
        return self.make(*_LINE_FIELDS(line))


_LINE_FIELDS = attrgetter(*(f.name for f in fields(engine.Line)))


def adjustment_row(adj, customer_id: str) -> Row:
    year, month = int(adj.period[:4]), int(adj.period[5:7])
    return (
        adj.period,
        adj.order_id,
        customer_id,
        adj.staff_id,
        adj.role,
        adj.scenario,
        ADJUSTMENT,
        date(year, month, 1).isoformat(),
        adj.amount_cents,
        None,
        0,
        "",
        "",
        adj.adjusts_period,
    )


def _as_amount(row: Row) -> Amount:
    return Amount(
        period=row[0],
        order_id=row[1],
        staff_id=row[3],
        role=row[4],
        scenario=row[5],
        kind=row[6],
        amount_cents=row[8],
        adjusts_period=row[13],
    )


def wanted_rows(
    rows: list[Row],
    customer_id: str,
    held: list[Row],
    locked: frozenset[str],
) -> list[Row]:
    """What a customer's open months should hold (given the rows of all its
    lines): the truth for open months, plus the adjustments that bring its
    locked months to the truth."""
    if not locked:
        return rows
    wanted = [r for r in rows if r[0] not in locked]
    if locked and (held or len(wanted) != len(rows)):
        truth = [_as_amount(r) for r in rows if r[0] in locked]
        adjustments = adjustments_for(truth=truth, held=[_as_amount(r) for r in held], locked=locked)
        wanted.extend(adjustment_row(a, customer_id) for a in adjustments)
    return wanted


# --------------------------------------------------------------------------- #
# Writing
# --------------------------------------------------------------------------- #


def _insert(rows: list[Row]) -> None:
    if not rows:
        return
    cols = ", ".join(LINE_COLUMNS)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {LINE_TABLE} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {LINE_TABLE} ({cols}) VALUES ({_placeholders(len(LINE_COLUMNS))})"
            for start in range(0, len(rows), WRITE_CHUNK):
                cur.executemany(sql, rows[start : start + WRITE_CHUNK])


def _delete(ids: list[int]) -> None:
    with connection.cursor() as cur:
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start : start + IN_CHUNK]
            cur.execute(f"DELETE FROM {LINE_TABLE} WHERE id IN ({_placeholders(len(chunk))})", chunk)


LINE_INDEXES = {
    # name -> column, as created by the migrations
    "line_customer": "customer_id",
    "line_period": "period",
}


def _no_lines() -> bool:
    with connection.cursor() as cur:
        cur.execute(f"SELECT 1 FROM {LINE_TABLE} LIMIT 1")
        return cur.fetchone() is None


@contextmanager
def _indexes_rebuilt(names: Iterable[str]) -> Iterator[None]:
    """For a run that writes the whole table (the first full run), drop
    these line indexes and build them once at the end: one sorted build is
    faster than two million index updates. Inside the run's transaction, so
    a failed run leaves them as they were."""
    names = list(names)
    with connection.cursor() as cur:
        for name in names:
            cur.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cur:
        for name in names:
            cur.execute(f"CREATE INDEX {name} ON {LINE_TABLE} ({LINE_INDEXES[name]})")


def _pipeline_workers(n_customers: int) -> int:
    """How many worker processes a top-level run of this size should use:
    none for small runs (starting a worker costs about half a second), else
    one per core. TANDEM_RUN_WORKERS overrides (0 = compute in-process)."""
    override = os.environ.get("TANDEM_RUN_WORKERS")
    if override is not None:
        return max(0, int(override))
    if n_customers < PIPELINE_MIN_CUSTOMERS:
        return 0
    if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]) in ("", ":memory:"):
        return 0  # a worker could not see an in-memory database
    return max(1, min(4, os.cpu_count() or 1))


def _serialise_runs() -> None:
    # SQLite serialises writers already (IMMEDIATE transactions); on
    # PostgreSQL two runs at once would both rewrite the same customers.
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            # Lines go into four indexes in customer order, i.e. at random
            # places of the order-keyed ones: a bigger page cache keeps that
            # in memory instead of thrashing the WAL (256 MB, this connection).
            cur.execute("PRAGMA cache_size = -262144")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(b"tandem.commissions.run")])


# --------------------------------------------------------------------------- #
# The run
# --------------------------------------------------------------------------- #


def recompute_customers(
    customer_ids: Sequence[str],
    *,
    period: str = "",
    result: RunResult,
    progress: Progress | None = None,
    workers: int = 0,
    nothing_stored: bool = False,
    since: Mapping[str, date | None] | None = None,
    stage: ExitStack | None = None,
) -> None:
    """Recompute these customers and rewrite what differs, inside the
    caller's transaction.

    With `workers` (only for a run that has not written anything yet in its
    transaction), worker processes read and compute batches of customers from
    the committed data while this process writes the lines of the batches
    already done: the database takes writes from one connection, and the
    engine's work then runs beside it on the other cores.

    `nothing_stored`: the line table was empty when the run began, so there
    are no stored lines to compare with (each customer's lines are written
    only by its own batch).

    `since`: customer -> the earliest day its lines can differ (None: any),
    from the dirty marks; without it every customer is compared whole.

    `stage`: see `_staged` (SQLite, nothing stored, with workers)."""
    if nothing_stored:
        since = None  # nothing to compare with: every line is written
    if workers and stage is not None:
        _staged(customer_ids, period, workers, stage, result, progress)
        return
    if workers:
        batches = [customer_ids[i : i + PIPELINE_BATCH] for i in range(0, len(customer_ids), PIPELINE_BATCH)]
        outcomes = _pipelined(batches, period, workers, nothing_stored, since)
    else:
        outcomes = _in_process(customer_ids, period, nothing_stored, since)
    for n, outcome in outcomes:
        deletes, inserts, orders, adjustments, exceptions = outcome
        _delete(deletes)
        _insert(inserts)
        result.lines_deleted += len(deletes)
        _count(result, progress, n, len(inserts), orders, adjustments, exceptions)


def _count(
    result: RunResult,
    progress: Progress | None,
    customers: int,
    written: int,
    orders: int,
    adjustments: int,
    exceptions: list[dict],
) -> None:
    """Add a finished batch to the run's counts (keeping the first
    exceptions) and move the progress bar."""
    result.lines_written += written
    result.orders += orders
    result.adjustments += adjustments
    for exc in exceptions:
        result.exception_count += 1
        if len(result.exceptions) < _MAX_EXCEPTIONS_KEPT:
            result.exceptions.append(exc)
    result.customers += customers
    if progress:
        progress(customers)


Outcome = tuple[list[int], list[Row], int, int, list[dict]]


class _BatchComputer:
    """Reads and computes batches of customers with one set of look-ups."""

    def __init__(self, period: str, nothing_stored: bool = False) -> None:
        self.nothing_stored = nothing_stored
        self.dates = _Dates()
        self.staff = load_staff(self.dates)
        self.plans = load_plans()
        self.locked = locked_periods()
        self.period = period
        self.line_row = RowMaker()

    def __call__(self, batch: Sequence[str], since: Mapping[str, date | None] | None = None) -> Outcome:
        if self.period and self.period in self.locked:
            return [], [], 0, 0, []
        with _collector_paused():
            histories, referrer_service = read_histories(batch, self.dates)
            lookups = engine.Lookups(staff=self.staff, plans=self.plans, referrer_service=referrer_service)
            windows = _windows(batch, since, self.locked)
            stored = {} if self.nothing_stored else _stored_lines(batch, windows)
            return _diff_batch(histories, lookups, stored, self.locked, self.period, self.line_row, windows)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch is read and
    computed. A batch makes hundreds of thousands of small objects (orders,
    lines, rows) with no cycles among them, freed by reference counting as
    soon as the batch is written; the collector would walk them again and
    again as they pile up, which measured as half the engine's time."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _windows(
    batch: Sequence[str], since: Mapping[str, date | None] | None, locked: frozenset[str]
) -> dict[str, str]:
    """customer -> the first month whose lines are compared, for customers
    whose change has a `since` day after every locked month.

    A line depends only on what happened on or before its date (an order's
    lines on its date, a refund's on the refund's date), so the months
    before `since` hold the truth already. The locked months, all earlier,
    keep their truth too, so the adjustments already posted for them stand
    and are left out of the comparison. A customer without a window is
    compared whole."""
    if not since:
        return {}
    latest_lock = max(locked) if locked else ""
    windows: dict[str, str] = {}
    for cid in batch:
        day = since.get(cid)
        if day is None:
            continue
        first_period = f"{day.year:04d}-{day.month:02d}"
        if first_period > latest_lock:
            windows[cid] = first_period
    return windows


def _in_process(
    customer_ids: Sequence[str], period: str, nothing_stored: bool, since: Mapping[str, date | None] | None
) -> Iterable[tuple[int, Outcome]]:
    compute = _BatchComputer(period, nothing_stored)
    for start in range(0, len(customer_ids), BATCH):
        batch = customer_ids[start : start + BATCH]
        yield len(batch), compute(batch, since)


def _pipelined(
    batches: list[Sequence[str]],
    period: str,
    workers: int,
    nothing_stored: bool,
    since: Mapping[str, date | None] | None,
) -> Iterable[tuple[int, Outcome]]:
    import multiprocessing

    # spawn, not fork: a forked child would share this process's database
    # connection (and its open transaction).
    from . import workers as entry

    context = multiprocessing.get_context("spawn")
    with context.Pool(processes=workers, initializer=entry.init, initargs=(period, nothing_stored)) as pool:
        # At most two batches per worker in flight: finished batches wait in
        # the workers, not in this process's memory, while it writes.
        pending: deque = deque()
        for batch in batches:
            batch_since = {cid: since[cid] for cid in batch if cid in since} if since else None
            pending.append(pool.apply_async(entry.compute, (batch, batch_since)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


# At most this many staging files per run: SQLite attaches at most ten
# databases to a connection, and they stay attached until the commit.
STAGE_FILES = 8
STAGE_TABLE = "line"


def stage_rows(path: str, rows: list[Row]) -> None:
    """Append rows to a staging file (a worker's own SQLite database, no
    journal: it only lives for the run, and a crash discards the run)."""
    import sqlite3

    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute(f"CREATE TABLE IF NOT EXISTS {STAGE_TABLE} ({', '.join(LINE_COLUMNS)})")
        con.execute("BEGIN")
        con.executemany(
            f"INSERT INTO {STAGE_TABLE} VALUES ({', '.join('?' * len(LINE_COLUMNS))})", rows
        )
        con.execute("COMMIT")
    finally:
        con.close()


def _staged(
    customer_ids: Sequence[str],
    period: str,
    workers: int,
    stage: ExitStack,
    result: RunResult,
    progress: Progress | None,
) -> None:
    """The first run on an empty line table, on SQLite: the workers compute
    groups of customers and write each group's lines into a staging file of
    their own; this process attaches each finished file and copies it into
    the line table with one INSERT ... SELECT, SQLite's bulk path (binding
    two million rows from Python in one process was the run's bottleneck).
    The copy is inside the run's transaction; the files are detached and
    removed after it ends (`stage` closes after the commit or rollback)."""
    import multiprocessing
    import tempfile

    from . import workers as entry

    folder = stage.enter_context(tempfile.TemporaryDirectory(prefix="tandem-run-"))
    size = -(-len(customer_ids) // STAGE_FILES)
    groups = [customer_ids[i : i + size] for i in range(0, len(customer_ids), size)]
    attached: list[str] = []

    def detach() -> None:
        with connection.cursor() as cur:
            for alias in attached:
                cur.execute(f"DETACH DATABASE {alias}")

    stage.callback(detach)  # runs before the folder is removed (LIFO)
    cols = ", ".join(LINE_COLUMNS)
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes=workers, initializer=entry.init, initargs=(period, True)) as pool:
        pending = [
            pool.apply_async(entry.compute_into, (group, os.path.join(folder, f"stage{k}.sqlite3"), PIPELINE_BATCH))
            for k, group in enumerate(groups)
        ]
        for k, job in enumerate(pending):
            n, path, written, orders, adjustments, exceptions = job.get()
            if written:
                alias = f"tandem_stage{k}"
                with connection.cursor() as cur:
                    cur.execute(f"ATTACH DATABASE %s AS {alias}", [path])
                    attached.append(alias)
                    cur.execute(f"INSERT INTO {LINE_TABLE} ({cols}) SELECT {cols} FROM {alias}.{STAGE_TABLE}")
            _count(result, progress, n, written, orders, adjustments, exceptions)


def _diff_batch(histories, lookups, stored, locked, period, line_row, windows=None) -> Outcome:
    """Compute a batch of customers: the stored line ids to delete and the
    rows to insert for the customers whose open months differ, with counts."""
    inserts: list[Row] = []
    deletes: list[int] = []
    orders = adjustments = 0
    exceptions: list[dict] = []
    for history in histories:
        cid = history.customer_id
        first_period = windows.get(cid) if windows else None
        # Only the months from the window on, adjustments aside (_windows).
        start = date(int(first_period[:4]), int(first_period[5:7]), 1) if first_period else None
        rows, excs = engine.compute_customer_as(history, lookups, line_row.make, start)
        orders += len(history.orders)
        exceptions.extend(
            {
                "order_id": exc.order_id,
                "customer_id": exc.customer_id,
                "order_date": exc.order_date.isoformat(),
                "reason": exc.reason_code,
            }
            for exc in excs
        )
        mine = stored.get(cid, ())
        if start is not None:
            start_iso = start.isoformat()
            wanted = [r for r in rows if r[7] >= start_iso]
            current = list(mine)
        else:
            held = [row for _, row in mine if row[0] in locked]
            wanted = wanted_rows(rows, cid, held, locked)
            current = [(i, row) for i, row in mine if row[0] not in locked]
        if period:
            wanted = [r for r in wanted if r[0] == period]
            current = [(i, r) for i, r in current if r[0] == period]
        # Rows are unique (one per order, staff, role, kind, date, refund and
        # adjusted month), so sets compare them.
        if not current:
            inserts.extend(wanted)
            adjustments += sum(1 for r in wanted if r[6] == ADJUSTMENT)
        elif wanted or current:
            # Rewrite only the lines that differ.
            want = set(wanted)
            have = {r for _, r in current}
            if want != have:
                deletes.extend(i for i, r in current if r not in want)
                new_rows = [r for r in wanted if r not in have]
                inserts.extend(new_rows)
                adjustments += sum(1 for r in new_rows if r[6] == ADJUSTMENT)
    # Customers that no longer exist keep no open lines.
    gone = set(stored) - {h.customer_id for h in histories}
    for cid in gone:
        deletes.extend(
            i for i, row in stored[cid] if row[0] not in locked and (not period or row[0] == period)
        )
    return deletes, inserts, orders, adjustments, exceptions


def all_customer_ids() -> list[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT customer_id FROM customers_customer ORDER BY customer_id")
        ids = [r[0] for r in cur.fetchall()]
        # Lines of customers that were removed must go too.
        cur.execute(f"SELECT DISTINCT customer_id FROM {LINE_TABLE}")
        extra = {r[0] for r in cur.fetchall()} - set(ids)
    return ids + sorted(extra)


def run_commissions(
    *,
    full: bool = False,
    period: str = "",
    progress_start: Callable[[int], Progress] | None = None,
) -> RunResult:
    """Recompute the truth and refresh open months (all, or `period` alone);
    post adjustments for locked months. Records the run."""
    started = time.perf_counter()
    result = RunResult(mode="full" if full else "incremental", period=period)
    top_level = not connection.in_atomic_block
    with ExitStack() as after_commit, transaction.atomic():
        _serialise_runs()
        facts = facts_pending()
        since: dict[str, date | None] | None = None
        if full:
            ids = all_customer_ids()
        else:
            since = customers_to_recompute(facts)
            ids = sorted(since)
        progress = progress_start(len(ids)) if progress_start and ids else None
        workers = _pipeline_workers(len(ids)) if top_level else 0
        empty = _no_lines()
        # SQLite only: on PostgreSQL dropping an index locks the table against
        # every reader (the workers included) until the commit.
        staged = bool(workers) and empty and not period and connection.vendor == "sqlite"
        if staged:
            # Lines arrive in customer order, so line_customer grows at its
            # end; line_period would take them all over the place.
            rebuilt = ["line_period"]
        elif empty and full and not period and len(ids) >= PIPELINE_MIN_CUSTOMERS and connection.vendor == "sqlite":
            rebuilt = list(LINE_INDEXES)
        else:
            rebuilt = []
        with _indexes_rebuilt(rebuilt):
            recompute_customers(
                ids,
                period=period,
                result=result,
                progress=progress,
                workers=workers,
                nothing_stored=empty,
                since=since,
                stage=after_commit if staged else None,
            )
        if not period:
            # A one-month refresh leaves the other months stale: keep the facts.
            facts_discard(facts)
        run = CommissionRun.objects.create(
            mode=result.mode,
            period=period,
            customers=result.customers,
            orders=result.orders,
            lines_written=result.lines_written,
            lines_deleted=result.lines_deleted,
            adjustments=result.adjustments,
            exceptions={"count": result.exception_count, "first": result.exceptions},
        )
        result.run_id = run.pk
    if top_level and result.lines_written + result.lines_deleted >= REFRESH_FROM:
        refresh_statistics([LINE_TABLE])
    # Timed after the commit (and the statistics), part of the run's cost.
    result.duration_ms = int((time.perf_counter() - started) * 1000)
    CommissionRun.objects.filter(pk=run.pk).update(duration_ms=result.duration_ms)
    return result


def customer_preview(*, customer_id: str) -> RunResult:
    """Live preview: recompute one customer at once (after an order or a
    refund is recorded), inside the caller's transaction."""
    result = RunResult(mode="preview")
    recompute_customers([customer_id], result=result)
    # The change facts stay: the next run recomputes the customer again
    # (writing nothing) and the customers the change reaches beyond it.
    return result
