"""Reading exchange files (CSV and XLSX) into rows of strings.

A file's kind (staff, customers, assignments, orders) is told from its header;
columns may come in any order. Rows are yielded as tuples of stripped strings
in the contract's column order, with their line number (line 1 is the header,
the first data row is line 2; for XLSX the row number of the workbook's
first sheet, the one that is read). A CSV line is a record: a quoted cell
spanning several lines counts once, as a spreadsheet shows it. Nothing here
touches the database.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

STAFF = "staff"
CUSTOMERS = "customers"
ASSIGNMENTS = "assignments"
ORDERS = "orders"
# The service desk's files (spec/service-desk.md).
FOLLOWUPS = "followups"
CALLBACKS = "callbacks"
COMPLAINTS = "complaints"
SURVEYS = "surveys"

# Columns of each kind in the contract's order; the bool says "may be empty".
COLUMNS: dict[str, tuple[tuple[str, bool], ...]] = {
    STAFF: (
        ("staff_id", False),
        ("name", False),
        ("role", False),
        ("hired_on", True),
        ("left_on", True),
        ("team", True),
    ),
    CUSTOMERS: (
        ("customer_id", False),
        ("name", False),
        ("tier", False),
        ("acquired_on", False),
        ("acquired_by", True),
        ("referred_by", True),
    ),
    ASSIGNMENTS: (
        ("customer_id", False),
        ("role", False),
        ("staff_id", False),
        ("valid_from", False),
        ("valid_to", True),
    ),
    ORDERS: (
        ("order_id", False),
        ("customer_id", False),
        ("order_date", False),
        ("amount", False),
        ("category", True),
        ("refund_of", True),
    ),
    FOLLOWUPS: (
        ("followup_id", False),
        ("customer_id", False),
        ("staff_id", False),
        ("followed_on", False),
        ("channel", False),
        ("note", True),
    ),
    CALLBACKS: (
        ("callback_id", False),
        ("customer_id", False),
        ("staff_id", False),
        ("called_on", False),
        ("outcome", False),
        ("score", True),
        ("note", True),
    ),
    COMPLAINTS: (
        ("complaint_id", False),
        ("customer_id", False),
        ("opened_on", False),
        ("severity", False),
        ("escalated", False),
        ("channel", True),
        ("resolved_on", True),
        ("note", True),
    ),
    SURVEYS: (
        ("survey_id", False),
        ("customer_id", False),
        ("answered_on", False),
        ("answer", False),
        ("score", True),
        ("comment", True),
    ),
}

# The order in which files of one command are imported: each kind refers only
# to kinds before it.
DEPENDENCY_ORDER = (STAFF, CUSTOMERS, ASSIGNMENTS, ORDERS, FOLLOWUPS, CALLBACKS, COMPLAINTS, SURVEYS)


def header_label() -> str:
    """The "column" of problems with the header itself."""
    return _("表头")


def kind_label(kind: str) -> str:
    return {
        STAFF: pgettext("file kind", "员工"),
        CUSTOMERS: pgettext("file kind", "客户"),
        ASSIGNMENTS: pgettext("file kind", "归属"),
        ORDERS: pgettext("file kind", "订单"),
        FOLLOWUPS: pgettext("file kind", "跟进记录"),
        CALLBACKS: pgettext("file kind", "回访"),
        COMPLAINTS: pgettext("file kind", "投诉"),
        SURVEYS: pgettext("file kind", "满意度调查"),
    }[kind]


class FileProblem(Exception):
    """A file that cannot be read at all; ``lines`` are problem lines in the
    contract's format (``file:line: column: reason``) or ``file: reason``."""

    def __init__(self, *lines: str) -> None:
        super().__init__(lines[0])
        self.lines = list(lines)


@dataclass
class Source:
    """An exchange file whose header has been read and understood."""

    path: str  # as given on the command line
    kind: str
    header: list[str]  # the columns as they appear in the file
    positions: tuple[int | None, ...]  # per contract column: its index in the file, or None
    is_xlsx: bool
    size: int  # bytes on disk
    # Set by rows(): bytes read so far (CSV) or rows read (XLSX), for progress.
    progress_position: Callable[[], int] = field(default=lambda: 0, repr=False)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(name for name, _optional in COLUMNS[self.kind])

    def has(self, column: str) -> bool:
        """Whether the file's header has this (optional) column."""
        return self.positions[self.columns.index(column)] is not None

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(name for name, optional in COLUMNS[self.kind] if not optional)

    def rows(self) -> Iterator[tuple[int, tuple[str, ...], int]]:
        """(line, values in contract column order, extra) for each non-blank
        data row; ``extra`` counts non-empty cells beyond the header."""
        positions = self.positions
        width = len(self.header)
        complete = all(p is not None for p in positions)
        getter = itemgetter(*positions) if complete else None
        strip = str.strip
        binary = None
        if self.is_xlsx:
            raw_rows: Iterator[tuple[int, list[str]]] = _xlsx_rows(self)
        else:
            binary = open(self.path, "rb")  # noqa: SIM115 - closed below
            self.progress_position = binary.tell
            reader = csv.reader(io.TextIOWrapper(binary, encoding="utf-8-sig", newline=""))
            raw_rows = enumerate(reader, start=1)
        line = 1
        try:
            for line, cells in raw_rows:
                n = len(cells)
                extra = 0
                if n == width and getter is not None:
                    values = tuple(map(strip, getter(cells)))
                elif not n:
                    continue
                else:
                    if n > width:
                        extra = sum(1 for c in cells[width:] if c and c.strip())
                    values = tuple(
                        cells[p].strip() if p is not None and p < n else "" for p in positions
                    )
                if line == 1 or (not extra and not any(values)):
                    continue  # the header, or a blank row
                yield line, values, extra
        except UnicodeDecodeError as exc:
            raise _not_utf8(self.path) from exc
        except csv.Error as exc:
            raise FileProblem(_problem(self.path, line + 1, "*", str(exc))) from exc
        finally:
            if binary is not None:
                binary.close()

    def to_file_order(self, values: tuple[str, ...]) -> list[str]:
        """A row's values back in the file's column order (for rejects files)."""
        out = [""] * len(self.header)
        for value, position in zip(values, self.positions, strict=True):
            if position is not None:
                out[position] = value
        return out


def open_source(path: str) -> Source:
    """Read a file's header and tell its kind. Raises FileProblem."""
    p = Path(path)
    if not p.is_file():
        raise FileProblem(_("%(file)s: 找不到文件") % {"file": path})
    size = p.stat().st_size
    with p.open("rb") as fh:
        magic = fh.read(4)
    is_xlsx = magic == b"PK\x03\x04"
    if is_xlsx:
        header = _xlsx_header(path)
    else:
        header = _csv_header(path)
    kind, positions = _understand_header(path, header)
    return Source(path=path, kind=kind, header=header, positions=positions, is_xlsx=is_xlsx, size=size)


def _problem(path: str, line: int, column: str, reason: str) -> str:
    return f"{path}:{line}: {column}: {reason}"


def _first_bad_line(path: str) -> int:
    """The first line of a file that is not UTF-8 (text is decoded in blocks,
    so the decoder's error does not say which line it was)."""
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


def _not_utf8(path: str) -> FileProblem:
    line = _first_bad_line(path)
    return FileProblem(
        _problem(
            path,
            line,
            _("编码"),
            _("文件不是 UTF-8 编码（在 Excel 中请另存为“CSV UTF-8”）"),
        )
    )


def _csv_header(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for cells in csv.reader(fh):
                if cells and any(c.strip() for c in cells):
                    return _clean_header(path, cells)
                break
    except UnicodeDecodeError as exc:
        raise _not_utf8(path) from exc
    except csv.Error as exc:
        raise FileProblem(_problem(path, 1, header_label(), str(exc))) from exc
    raise FileProblem(_("%(file)s: 文件为空，没有表头") % {"file": path})


def _clean_header(path: str, cells: list[str]) -> list[str]:
    header = [c.strip() for c in cells]
    while header and not header[-1]:
        header.pop()
    for index, name in enumerate(header, start=1):
        if not name:
            raise FileProblem(
                _problem(path, 1, header_label(), _("第 %(n)d 列没有列名") % {"n": index})
            )
    return header


def _understand_header(path: str, header: list[str]) -> tuple[str, tuple[int | None, ...]]:
    names = set(header)
    best: list[tuple[int, str]] = []
    for kind, columns in COLUMNS.items():
        score = len(names & {name for name, _optional in columns})
        best.append((score, kind))
    best.sort(reverse=True)
    (top, kind), (second, _other) = best[0], best[1]
    if top < 2 or top == second:
        expected = "；".join(
            f"{kind_label(k)}: {', '.join(n for n, _o in cols)}" for k, cols in COLUMNS.items()
        )
        raise FileProblem(
            _problem(
                path,
                1,
                header_label(),
                _("无法从表头识别文件类型（应为以下之一：%(expected)s）") % {"expected": expected},
            )
        )
    problems: list[str] = []
    seen: set[str] = set()
    allowed = [name for name, _optional in COLUMNS[kind]]
    for name in header:
        if name in seen:
            problems.append(_problem(path, 1, name, _("列名重复")))
        seen.add(name)
        if name not in allowed:
            problems.append(
                _problem(
                    path,
                    1,
                    name,
                    _("多余的列（%(kind)s文件的列为：%(allowed)s）")
                    % {"kind": kind_label(kind), "allowed": ", ".join(allowed)},
                )
            )
    for name, optional in COLUMNS[kind]:
        if not optional and name not in names:
            problems.append(
                _problem(
                    path,
                    1,
                    name,
                    _("缺少必需的列（%(kind)s文件）") % {"kind": kind_label(kind)},
                )
            )
    if problems:
        raise FileProblem(*problems)
    positions = tuple(header.index(name) if name in names else None for name in allowed)
    return kind, positions


# --------------------------------------------------------------------------- #
# XLSX
# --------------------------------------------------------------------------- #


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # repr() is the shortest text that reads back as the same float:
        # 333.33 stays "333.33"; format it without an exponent.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _open_workbook(path: str):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileProblem(
            _("%(file)s: 无法读取 XLSX 文件：%(error)s") % {"file": path, "error": exc}
        ) from exc


def _xlsx_header(path: str) -> list[str]:
    wb = _open_workbook(path)
    try:
        ws = wb.worksheets[0]
        for row in ws.iter_rows(min_row=1, max_row=1, values_only=True):
            return _clean_header(path, [cell_text(v) for v in row])
    finally:
        wb.close()
    raise FileProblem(_("%(file)s: 文件为空，没有表头") % {"file": path})


def _xlsx_rows(source: Source) -> Iterator[tuple[int, list[str]]]:
    wb = _open_workbook(source.path)
    count = 0
    source.progress_position = lambda: count
    try:
        ws = wb.worksheets[0]
        for line, row in enumerate(ws.iter_rows(values_only=True), start=1):
            count = line
            yield line, [cell_text(v) for v in row]
    finally:
        wb.close()


def write_rejects(source: Source, rejected: dict[int, list[str]]) -> Path:
    """Write the rejected rows of ``source`` beside it as
    ``<name>.rejects.csv`` (UTF-8 with BOM so Excel opens it), with the
    file's columns and a ``reason`` column."""
    p = Path(source.path)
    out = p.with_name(p.stem + ".rejects.csv")
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write(codecs.BOM_UTF8.decode("utf-8"))
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([*source.header, "reason"])
        for line, values, _extra in source.rows():
            reasons = rejected.get(line)
            if reasons is not None:
                writer.writerow([*source.to_file_order(values), "; ".join(reasons)])
    tmp.replace(out)
    return out
