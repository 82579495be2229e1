"""`import_files`: one command's files, in dependency order, in one
transaction (see the package's doc)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from django.db import transaction

from tandem.core.db import REFRESH_FROM, import_lock_acquire, refresh_statistics, sqlite_large_cache
from tandem.core.errors import InvalidInput
from tandem.core.progress import Progress
from tandem.customers.models import Assignment, Customer
from tandem.sales.models import Order
from tandem.service.models import Callback, Complaint, FollowUp, SurveyAnswer
from tandem.staff.models import Staff

from .. import messages as m
from ..readers import (
    ASSIGNMENTS,
    CALLBACKS,
    COMPLAINTS,
    CUSTOMERS,
    DEPENDENCY_ORDER,
    FOLLOWUPS,
    ORDERS,
    STAFF,
    SURVEYS,
    FileProblem,
    Source,
    open_source,
    write_rejects,
)
from .assignments import import_assignments
from .callbacks import import_callbacks
from .complaints import import_complaints
from .customers import import_customers
from .followups import import_followups
from .orders import import_orders
from .rows import Context, FileResult, Problems
from .staff import import_staff
from .surveys import import_surveys

log = logging.getLogger(__name__)

IMPORTERS: dict[str, Callable[[Source, Context, FileResult, Problems], None]] = {
    STAFF: import_staff,
    CUSTOMERS: import_customers,
    ASSIGNMENTS: import_assignments,
    ORDERS: import_orders,
    FOLLOWUPS: import_followups,
    CALLBACKS: import_callbacks,
    COMPLAINTS: import_complaints,
    SURVEYS: import_surveys,
}

# The tables each kind of file writes (with their history tables).
TABLES = {
    STAFF: (Staff._meta.db_table, Staff.history.model._meta.db_table),
    CUSTOMERS: (Customer._meta.db_table, Customer.history.model._meta.db_table),
    ASSIGNMENTS: (Assignment._meta.db_table, Assignment.history.model._meta.db_table),
    ORDERS: (Order._meta.db_table,),
    **{
        kind: (model._meta.db_table, model.history.model._meta.db_table)  # type: ignore[attr-defined]
        for kind, model in (
            (FOLLOWUPS, FollowUp), (CALLBACKS, Callback), (COMPLAINTS, Complaint), (SURVEYS, SurveyAnswer)
        )
    },
}


def open_sources(paths: Iterable[str]) -> list[Source]:
    """Read every file's header; raise InvalidInput listing every file that
    cannot be read. The sources come back in dependency order."""
    sources: list[Source] = []
    file_problems: list[str] = []
    for path in paths:
        try:
            sources.append(open_source(path))
        except FileProblem as exc:
            file_problems.extend(exc.lines)
    if file_problems:
        raise InvalidInput(m.files_unreadable(len(file_problems)), file_problems)
    order = {kind: i for i, kind in enumerate(DEPENDENCY_ORDER)}
    sources.sort(key=lambda s: order[s.kind])
    return sources


def import_files(
    paths: Iterable[str], *, skip_invalid: bool = False, progress: Progress | None = None
) -> list[FileResult]:
    """Import exchange files in one transaction (see the package's doc).

    Raises InvalidInput listing every problem unless ``skip_invalid``, in
    which case rejected rows are written to ``<name>.rejects.csv`` beside
    their file (after the transaction has committed)."""
    sources = open_sources(paths)
    ctx = Context(skip_invalid=skip_invalid, progress=progress)
    results: list[FileResult] = []
    all_problems: list[Problems] = []
    try:
        with sqlite_large_cache(), transaction.atomic():
            import_lock_acquire()
            for source in sources:
                result = FileResult(path=source.path, kind=source.kind)
                problems = Problems(source.path)
                started = time.perf_counter()
                IMPORTERS[source.kind](source, ctx, result, problems)
                log.info("%s: %s in %.2fs", source.path, source.kind, time.perf_counter() - started)
                result.rejected = len(problems.by_line)
                # Every row read was created, updated, rejected or left as it
                # was (identical repeats of a row count as unchanged).
                result.unchanged = result.read - result.rejected - result.created - result.updated
                results.append(result)
                all_problems.append(problems)
                ctx.problem_count += len(problems)
            if ctx.problem_count and not skip_invalid:
                lines = [line for p in all_problems for line in p.lines()]
                raise InvalidInput(m.import_failed(len(lines)), lines)
    except FileProblem as exc:  # a file went bad while being read
        raise InvalidInput(m.files_unreadable(len(exc.lines)), exc.lines) from exc
    written = [r for r in results if r.created + r.updated >= REFRESH_FROM]
    refresh_statistics(table for r in written for table in TABLES[r.kind])
    if skip_invalid:
        for source, result, problems in zip(sources, results, all_problems, strict=True):
            if problems:
                result.rejects_path = str(write_rejects(source, problems.reasons()))
    return results
