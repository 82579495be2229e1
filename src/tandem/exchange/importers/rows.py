"""What every importer shares: reading a file's rows (with progress),
parsing cells, collecting a row's problems, telling repeated ids apart,
and the results of one file."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from tandem.core.progress import Progress
from tandem.core.rules import Violation, empty
from tandem.customers.rules import unknown_customer
from tandem.staff.rules import unknown_staff

from .. import messages as m
from ..readers import STAFF, Source, kind_label

# Files from this size on draw their reading progress.
PROGRESS_MIN_BYTES = 4_000_000

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class FileResult:
    """What importing one file did."""

    path: str
    kind: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects_path: str | None = None

    def summary(self) -> str:
        return _(
            "%(file)s：%(kind)s，读取 %(read)d 行，新增 %(created)d，更新 %(updated)d，"
            "未变 %(unchanged)d，拒绝 %(rejected)d"
        ) % {
            "file": self.path,
            "kind": kind_label(self.kind),
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


class Problems:
    """The problems of one file, by line."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.by_line: dict[int, list[tuple[str, str]]] = {}

    def add(self, line: int, column: str, reason: str) -> None:
        self.by_line.setdefault(line, []).append((column, reason))

    def __bool__(self) -> bool:
        return bool(self.by_line)

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_line.values())

    def lines(self) -> list[str]:
        return [
            m.problem(self.path, line, column, reason)
            for line in sorted(self.by_line)
            for column, reason in self.by_line[line]
        ]

    def reasons(self) -> dict[int, list[str]]:
        return {
            line: [f"{column}: {reason}" for column, reason in items]
            for line, items in self.by_line.items()
        }


@dataclass
class Context:
    """State shared by the importers of one command."""

    skip_invalid: bool = False
    progress: Progress | None = None
    # Ids whose rows were rejected by an earlier file of this command and that
    # are not in the database: kind -> id -> "file:line".
    rejected: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    problem_count: int = 0

    def reference_problem(self, kind: str, ident: str) -> str:
        """Why a reference to ``ident`` of ``kind`` cannot be resolved."""
        where = self.rejected[kind].get(ident)
        if kind == STAFF:
            return m.rejected_staff(ident, where) if where else unknown_staff(ident)
        return m.rejected_customer(ident, where) if where else unknown_customer(ident)


_date_cache: dict[str, dt.date | None] = {}


def parse_date(text: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` date, or None when malformed."""
    try:
        return _date_cache[text]
    except KeyError:
        pass
    value: dt.date | None = None
    if _DATE_RE.fullmatch(text):
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            value = None
    if len(_date_cache) < 100_000:
        _date_cache[text] = value
    return value


class RowErrors:
    """Collects the problems of one row: the cells that cannot be read
    (dates, extra cells) and the domain's rules (`Violation`s)."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, column: str, reason: str) -> None:
        self.items.append((column, reason))

    def extend(self, violations: list[Violation]) -> None:
        if violations:
            self.items.extend((v.field, v.reason) for v in violations)

    def date(self, column: str, value: str, *, required: bool = True) -> dt.date | None:
        if not value:
            if required:
                self.add(column, empty())
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.add(column, m.bad_date(value))
        return parsed

    def extra(self, count: int) -> None:
        if count:
            self.add("*", m.extra_cells(count))

    def in_order(self, columns: Sequence[str]) -> list[tuple[str, str]]:
        """The problems in the file's column order (extra cells first); one
        column's in the order found."""
        position = {column: i for i, column in enumerate(columns)}
        last = len(columns)
        return sorted(self.items, key=lambda item: -1 if item[0] == "*" else position.get(item[0], last))

    def report(self, problems: Problems, line: int, columns: Sequence[str]) -> None:
        for column, reason in self.in_order(columns):
            problems.add(line, column, reason)


class Deduper:
    """Rows by id: identical repeats are fine, different ones are a problem."""

    def __init__(self) -> None:
        self.first: dict[Any, tuple[Any, int]] = {}
        self.conflicts: dict[Any, list[int]] = {}
        # key -> [line of the first row, lines of identical repeats]
        self.repeats: dict[Any, list[int]] = {}

    def add(self, key: Any, content: Any, line: int) -> None:
        prev = self.first.get(key)
        if prev is None:
            self.first[key] = (content, line)
        elif prev[0] == content:
            self.repeats.setdefault(key, [prev[1]]).append(line)
        else:
            self.conflicts.setdefault(key, [prev[1]]).append(line)

    def resolve(self, problems: Problems, column: str, message: Callable[[Any, list[int]], str]) -> dict[Any, int]:
        """Reject every row of a conflicting id; returns id -> first line."""
        rejected = {}
        for key, lines in self.conflicts.items():
            reason = message(key, lines)
            for line in lines:
                problems.add(line, column, reason)
            del self.first[key]
            rejected[key] = lines[0]
        return rejected


def reject_repeats(repeats: dict[Any, list[int]], accepted: Any, problems: Problems) -> None:
    """Identical repeats of a rejected row are rejected for the same reasons."""
    for key, lines in repeats.items():
        if key in accepted:
            continue
        reasons = problems.by_line.get(lines[0], [])
        for line in lines[1:]:
            if line not in problems.by_line:
                problems.by_line[line] = list(reasons)


def change_reason(path: str) -> str:
    """The history rows' change reason of an import of ``path``."""
    return f"import {Path(path).name}"[:100]


def rows_with_progress(source: Source, ctx: Context) -> Iterator[tuple[int, tuple[str, ...], int]]:
    """The source's rows, drawing progress for a large file."""
    progress = ctx.progress
    if progress is None or source.size < PROGRESS_MIN_BYTES or source.is_xlsx:
        return source.rows()
    return _with_progress(source, progress)


def _with_progress(source: Source, progress: Progress) -> Iterator[tuple[int, tuple[str, ...], int]]:
    progress.start(_("读取 %(file)s") % {"file": source.path}, source.size)
    count = 0
    for row in source.rows():
        yield row
        count += 1
        if count % 20_000 == 0:
            progress.update(source.progress_position())
    progress.update(source.size)
    progress.finish()
