"""Computing batches of customers, in this process or in worker processes.

A `BatchComputer` reads a batch's histories and stored lines and compares
them (`compare.diff_batch`). A large run hands batches to worker processes
(multiprocessing, spawn) that read the committed data and compute while the
run's own process writes: the database takes writes from one connection,
and the engine's Python then runs beside it on the other cores. The workers'
entry points are in `workers` (importable before Django is set up)."""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import date

from django.db import connection

from . import engine
from .compare import Outcome, RowMaker, compared_orders, diff_batch, windows_for
from .histories import Dates, load_plans, load_staff, locked_periods, read_histories
from .linestore import STAGE_FILES, StagingFiles, stored_lines

BATCH = 2_000  # customers per batch computed in this process
PIPELINE_MIN_CUSTOMERS = 4_000  # below this, worker processes are not worth starting
PIPELINE_BATCH = 1_000  # customers per batch handed to a worker

# A staged batch group's figures: customers, rows written, orders,
# adjustments, exceptions.
Staged = tuple[int, int, int, int, list[dict]]


class BatchComputer:
    """Reads and computes batches of customers with one set of look-ups
    (staff, plans, locked months, the date and row caches): one per run in
    this process, or one per worker process."""

    def __init__(self, period: str, nothing_stored: bool = False) -> None:
        self.nothing_stored = nothing_stored
        self.dates = Dates()
        self.staff = load_staff(self.dates)
        self.plans = load_plans()
        self.locked = locked_periods()
        self.period = period
        self.line_row = RowMaker()

    def __call__(
        self,
        batch: Sequence[str],
        since: Mapping[str, date | None] | None = None,
        named: Mapping[str, frozenset[str]] | None = None,
    ) -> Outcome:
        """Compute this batch: `since` and `named` as in
        `changes.Scope` (the earliest day each customer's lines can differ,
        and the orders named for some of them)."""
        if self.period and self.period in self.locked:
            return [], [], 0, 0, []
        with _collector_paused():
            windows = windows_for(batch, since, self.locked)
            # Named orders count only for customers with a window: the others
            # are compared whole.
            named = {cid: named[cid] for cid in windows if cid in named} if named else {}
            histories, referrer_service = read_histories(batch, self.dates, named)
            lookups = engine.Lookups(staff=self.staff, plans=self.plans, referrer_service=referrer_service)
            orders = {h.customer_id: compared_orders(h, named[h.customer_id]) for h in histories if h.customer_id in named}
            stored = {} if self.nothing_stored else stored_lines(batch, windows, orders)
            return diff_batch(histories, lookups, stored, self.locked, self.period, self.line_row, windows, orders)


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


def worker_count(n_customers: int) -> int:
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


def in_process(
    customer_ids: Sequence[str],
    period: str,
    nothing_stored: bool,
    since: Mapping[str, date | None] | None,
    named: Mapping[str, frozenset[str]] | None = None,
) -> Iterable[tuple[int, Outcome]]:
    """(customers, outcome) of each batch, computed here, one after the other."""
    compute = BatchComputer(period, nothing_stored)
    for start in range(0, len(customer_ids), BATCH):
        batch = customer_ids[start : start + BATCH]
        yield len(batch), compute(batch, since, named)


def pipelined(
    customer_ids: Sequence[str],
    period: str,
    workers: int,
    nothing_stored: bool,
    since: Mapping[str, date | None] | None,
    named: Mapping[str, frozenset[str]] | None = None,
) -> Iterable[tuple[int, Outcome]]:
    """(customers, outcome) of each batch, computed by `workers` processes
    from the committed data, in order, while the caller writes."""
    import multiprocessing

    # spawn, not fork: a forked child would share this process's database
    # connection (and its open transaction).
    from . import workers as entry

    batches = [customer_ids[i : i + PIPELINE_BATCH] for i in range(0, len(customer_ids), PIPELINE_BATCH)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes=workers, initializer=entry.init, initargs=(period, nothing_stored)) as pool:
        # At most two batches per worker in flight: finished batches wait in
        # the workers, not in this process's memory, while it writes.
        pending: deque = deque()
        for batch in batches:
            batch_since = {cid: since[cid] for cid in batch if cid in since} if since else None
            batch_named = {cid: named[cid] for cid in batch if cid in named} if named else None
            pending.append(pool.apply_async(entry.compute, (batch, batch_since, batch_named)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def staged(customer_ids: Sequence[str], period: str, workers: int, stage: ExitStack) -> Iterable[Staged]:
    """The first run on an empty line table, on SQLite: the workers compute
    groups of customers and write each group's lines into a staging file of
    their own; this process copies each finished file into the line table
    (`linestore.StagingFiles`: binding two million rows from Python in one
    process was the run's bottleneck) and yields the group's figures. The
    copies are inside the run's transaction; `stage` closes after the commit
    or rollback and removes the files."""
    import multiprocessing

    from . import workers as entry

    files = StagingFiles(stage)
    size = -(-len(customer_ids) // STAGE_FILES)
    groups = [customer_ids[i : i + size] for i in range(0, len(customer_ids), size)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes=workers, initializer=entry.init, initargs=(period, True)) as pool:
        pending = [
            pool.apply_async(entry.compute_into, (group, files.path(k), PIPELINE_BATCH))
            for k, group in enumerate(groups)
        ]
        for k, job in enumerate(pending):
            n, written, orders, adjustments, exceptions = job.get()
            if written:
                files.copy_in(k)
            yield n, written, orders, adjustments, exceptions
