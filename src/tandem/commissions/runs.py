"""Commission runs: read customers' histories, call the pure engine, write
the lines of open months and post adjustments for locked ones.

One transaction per run, so a crash leaves the previous state whole. The
unit of work is a customer: a run takes customers in batches, reads each
batch's orders, refunds and ownership rows with a few queries
(`histories`), computes the truth with the engine and compares it with the
stored lines (`compare`), and rewrites a customer's open-month lines only
where they differ (`linestore`) — a second run on unchanged data writes
nothing. Large runs compute in worker processes (`parallel`).

Incremental runs recompute the customers that the writers' change facts
reach (`changes.customers_to_recompute`); `full=True` recomputes every
customer. Both give the same lines
(tests/commissions/test_runs_differential.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction

from tandem.core.changes import facts_discard, facts_pending
from tandem.core.db import (
    REFRESH_FROM,
    advisory_xact_lock_named,
    refresh_statistics,
    sqlite_large_cache,
)

from . import linestore, parallel
from .changes import recompute_scope
from .compare import Outcome
from .models import CommissionRun

_MAX_EXCEPTIONS_KEPT = 1_000


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
    # Lines go into the indexes in customer order, i.e. at random places of
    # the order-keyed ones: a bigger page cache keeps that in memory.
    with ExitStack() as after_commit, sqlite_large_cache(), transaction.atomic():
        # One run at a time (on PostgreSQL two would both rewrite the same
        # customers; SQLite serialises writers already).
        advisory_xact_lock_named("tandem.commissions.run")
        facts = facts_pending()
        since: dict[str, date | None] | None = None
        named: dict[str, frozenset[str]] | None = None
        if full:
            ids = linestore.all_customer_ids()
        else:
            scope = recompute_scope(facts)
            since, named = scope.since, scope.orders
            ids = sorted(since)
        progress = progress_start(len(ids)) if progress_start and ids else None
        workers = parallel.worker_count(len(ids)) if top_level else 0
        empty = linestore.no_lines()
        # SQLite only: on PostgreSQL dropping an index locks the table against
        # every reader (the workers included) until the commit.
        sqlite = connection.vendor == "sqlite"
        staged = bool(workers) and empty and not period and sqlite
        if staged:
            # Lines arrive in customer order, so line_customer grows at its
            # end; line_period would take them all over the place.
            rebuilt = ["line_period"]
        elif empty and full and not period and len(ids) >= parallel.PIPELINE_MIN_CUSTOMERS and sqlite:
            rebuilt = list(linestore.LINE_INDEXES)
        else:
            rebuilt = []
        with linestore.line_indexes_rebuilt(rebuilt):
            recompute_customers(
                ids,
                period=period,
                result=result,
                progress=progress,
                workers=workers,
                nothing_stored=empty,
                since=since,
                named=named,
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
        refresh_statistics([linestore.LINE_TABLE])
    # Timed after the commit (and the statistics), part of the run's cost.
    result.duration_ms = int((time.perf_counter() - started) * 1000)
    CommissionRun.objects.filter(pk=run.pk).update(duration_ms=result.duration_ms)
    return result


def recompute_customers(
    customer_ids: Sequence[str],
    *,
    period: str = "",
    result: RunResult,
    progress: Progress | None = None,
    workers: int = 0,
    nothing_stored: bool = False,
    since: Mapping[str, date | None] | None = None,
    named: Mapping[str, frozenset[str]] | None = None,
    stage: ExitStack | None = None,
) -> None:
    """Recompute these customers and rewrite what differs, inside the
    caller's transaction.

    `workers` (only for a run that has not written anything yet in its
    transaction): compute in that many worker processes (`parallel`).

    `nothing_stored`: the line table was empty when the run began, so there
    are no stored lines to compare with (each customer's lines are written
    only by its own batch).

    `since`: customer -> the earliest day its lines can differ (None: any),
    from the change facts; without it every customer is compared whole.

    `named`: customer -> the orders named by its change facts, when nothing
    else reached it (`changes.Scope`): of such a customer with a window,
    only those orders' lines are compared (and its first orders').

    `stage`: the workers stage their rows in files copied in by this
    process, removed when `stage` closes (`parallel.staged`: SQLite,
    nothing stored, with workers)."""
    if nothing_stored:
        since = named = None  # nothing to compare with: every line is written
    if workers and stage is not None:
        for n, written, orders, adjustments, exceptions in parallel.staged(customer_ids, period, workers, stage):
            _count(result, progress, n, written, orders, adjustments, exceptions)
        return
    outcomes: Iterable[tuple[int, Outcome]]
    if workers:
        outcomes = parallel.pipelined(customer_ids, period, workers, nothing_stored, since, named)
    else:
        outcomes = parallel.in_process(customer_ids, period, nothing_stored, since, named)
    for n, (deletes, inserts, orders, adjustments, exceptions) in outcomes:
        linestore.delete_lines(deletes)
        linestore.insert_lines(inserts)
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


def customer_preview(*, customer_id: str) -> RunResult:
    """Live preview: recompute one customer at once (after an order or a
    refund is recorded), inside the caller's transaction."""
    result = RunResult(mode="preview")
    recompute_customers([customer_id], result=result)
    # The change facts stay: the next run recomputes the customer again
    # (writing nothing) and the customers the change reaches beyond it.
    return result
