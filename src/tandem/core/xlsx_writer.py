"""A minimal, streaming XLSX writer: one worksheet, text and number cells.

Why it exists: a month's commission export is ~56,000 lines x 14 columns
(~780,000 cells) and must take at most 2 s. openpyxl's write-only mode spends
~8 us a cell: 6.5 s for such a month's rows alone, 7.2-7.4 s for the whole
`tandem commissions export --format xlsx` (XlsxWriter's constant_memory mode
was measured at 4-5 s). This module writes the worksheet XML directly,
strings inline (no shared-string table to build), into a deflated zip entry
in chunks, so memory stays bounded: 0.56 s for the same rows (~0.7 us a
cell), 1.3-1.4 s for the whole command. Figures from a 2-core machine, by
`python -m bench.xlsx_writer` and bench.run's `export`.

What it writes: `[Content_Types].xml`, the package and workbook
relationships, `xl/workbook.xml`, a small `xl/styles.xml` (bold header, the
built-in number format `0.00`), `xl/worksheets/sheet1.xml` (header row
frozen, column widths from the first rows) and `docProps/core.xml` /
`docProps/app.xml`.

Cell rules:
- None and "" give no cell.
- In `number_columns`, a value that is a plain decimal number ("12.34",
  "-0.50", "7", an int or a Decimal) with at most 15 significant digits
  (what Excel holds exactly) is a number cell in the `0.00` format; anything
  else there stays a text cell, so no arbitrary text ever goes into `<v>`.
- Everything else is an inline string (`str(value)` for non-strings).
  Characters that XML 1.0 cannot carry (control characters other than tab,
  LF and CR, lone surrogates, U+FFFE/U+FFFF) are dropped; CR is written as
  `&#13;` so that XML's line-end normalisation keeps it; a literal `_xHHHH_`
  is escaped as `_x005F_xHHHH_`, as the format requires (Excel would read it
  as the character U+HHHH otherwise; openpyxl does not unescape it).

Pure Python, standard library only: no Django here.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Collection, Iterable, Sequence, Sized
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import quoteattr

__all__ = ["column_letter", "safe_sheet_title", "write_xlsx"]

# Deflate level 1: the sheet XML is repetitive, so level 1 already packs a
# month's 44.6 MB into 5.3 MB; level 6 gives 4.4 MB for +0.3 s and level 9
# 4.1 MB for +2.2 s (bench/xlsx_writer.py).
COMPRESS_LEVEL = 1
# Rows joined into one string before each write to the zip entry.
ROWS_PER_CHUNK = 500
# Rows looked at (besides the header) to size the columns.
ROWS_FOR_WIDTHS = 200
MIN_WIDTH, MAX_WIDTH = 6.0, 60.0
# Excel holds 15 significant digits exactly; longer numbers stay text.
MAX_DIGITS = 15

# Style indexes into cellXfs in STYLES below.
_HEADER_STYLE = 1
_NUMBER_STYLE = 2

# ASCII digits only: \d would also take "１２" or "١٢", which no reader parses.
_PLAIN_NUMBER = re.compile(r"-?([0-9]+)(?:\.([0-9]+))?")
# What XML 1.0 cannot carry at all.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The format's own escape for characters (`_x000D_`); a literal one must be
# escaped so that Excel shows it as typed.
_ESCAPE_LOOKALIKE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CONTENT_TYPES = (
    _XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)

PACKAGE_RELS = (
    _XML_DECL + f'<Relationships xmlns="{_PKG_REL_NS}">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
    'Target="docProps/app.xml"/>'
    "</Relationships>"
)

WORKBOOK_RELS = (
    _XML_DECL + f'<Relationships xmlns="{_PKG_REL_NS}">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    "</Relationships>"
)

# cellXfs: 0 plain, 1 bold (header), 2 number format 0.00 (built-in id 2).
STYLES = (
    _XML_DECL + f'<styleSheet xmlns="{_MAIN_NS}">'
    '<fonts count="2">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

APP = (
    _XML_DECL
    + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Tandem</Application></Properties>"
)


def column_letter(index: int) -> str:
    """Excel's column name of a 0-based index: 0 -> A, 25 -> Z, 26 -> AA."""
    if index < 0:
        raise ValueError(f"column index must be >= 0, not {index}")
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def safe_sheet_title(title: str) -> str:
    """A title Excel accepts: none of []:*?/\\ (each becomes "_"), no XML-illegal
    characters, no apostrophe at either end, at most 31 characters (UTF-16
    units, as Excel counts them), not empty, not the reserved "History"."""
    title = _TITLE_FORBIDDEN.sub("_", _ILLEGAL_XML.sub("", title))
    while len(title.encode("utf-16-le")) > 62:
        title = title[:-1]
    title = title.strip("'")
    if not title.strip():
        return "Sheet1"
    if title.casefold() == "history":
        return title + "_"
    return title


def _text_cell(start: str, row: str, text: str, style: str = "") -> str:
    """An inline-string cell, text escaped ("" when nothing is left of the
    text); `start` is `<c r="COLUMN` for its column, `style` a ` s="N"`
    attribute or ""."""
    # Fast path: printable, nothing to escape, no space at either end (the
    # common case). isprintable() is False for tab/LF/CR, every control
    # character, lone surrogates and non-characters, which all go the slow way.
    if (
        text.isprintable()
        and "&" not in text
        and "<" not in text
        and ">" not in text
        and "_x" not in text
        and text[:1] != " "
        and text[-1:] != " "
        and text
    ):
        return f'{start}{row}"{style} t="inlineStr"><is><t>{text}</t></is></c>'
    text = _ILLEGAL_XML.sub("", text)
    if not text:
        return ""
    # Keep leading/trailing white space as it is (readers may trim it).
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A literal CR would come back as LF (XML normalises line ends).
    text = text.replace("\r", "&#13;")
    text = _ESCAPE_LOOKALIKE.sub("_x005F_", text)
    return f'{start}{row}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _number_text(value: object) -> str | None:
    """The value as a plain decimal number for `<v>`, or None when it is not
    one (it is then written as text)."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, Decimal):
        if not value.is_finite():
            return None
        text = format(value, "f")
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        text = format(Decimal(repr(value)), "f")
    else:
        return None
    match = _PLAIN_NUMBER.fullmatch(text)
    if match is None:
        return None
    if len(text) > MAX_DIGITS:  # (shorter ones cannot have too many digits)
        digits = (match[1] + (match[2] or "")).lstrip("0")
        if len(digits) > MAX_DIGITS:
            return None
    return text


def _display_width(value: object) -> int:
    """Characters a value takes on screen; East Asian wide ones count twice."""
    text = str(value)
    longest = max(text.split("\n"), key=len)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def _column_widths(header: Sequence[object], rows: Sequence[Sequence[object]]) -> list[float]:
    widths = [_display_width(h) if h is not None else 0 for h in header]
    for row in rows:
        for i, value in enumerate(row[: len(widths)]):
            if value is not None and value != "":
                widths[i] = max(widths[i], _display_width(value))
    return [min(MAX_WIDTH, max(MIN_WIDTH, w + 2.0)) for w in widths]


def _core_properties(now: dt.datetime) -> str:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        _XML_DECL + "<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>Tandem</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _workbook(title: str) -> str:
    return (
        _XML_DECL + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name={quoteattr(title)} sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


def write_xlsx(
    path: Path,
    sheet_title: str,
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    number_columns: Collection[int] = (),
    *,
    compresslevel: int = COMPRESS_LEVEL,
) -> None:
    """Write a workbook of one sheet to `path`: the header row (bold, frozen),
    then `rows`; cells of the 0-based `number_columns` that hold plain decimal
    numbers are numbers shown as 0.00.

    `rows` is read once, as it comes, so a generator works; when it has a
    length (a list), the sheet's dimension (A1:N55941) is written too, which
    lets readers such as openpyxl's read-only mode size the sheet. A row
    longer than the header is a ValueError. `path` is written in place (an
    atomic replace is the caller's job); on an error it is removed.
    """
    width = max(len(header), 1)
    starts = [f'<c r="{column_letter(i)}' for i in range(width)]
    numeric = [i in number_columns for i in range(width)]
    last_column = column_letter(width - 1)

    known_count = len(rows) if isinstance(rows, Sized) else None
    iterator = iter(rows)
    first_rows = list(itertools.islice(iterator, ROWS_FOR_WIDTHS))
    widths = _column_widths(header, first_rows)

    head = [_XML_DECL, f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">']
    if known_count is not None:
        head.append(f'<dimension ref="A1:{last_column}{known_count + 1}"/>')
    head.append(
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/><cols>'
    )
    head.extend(
        f'<col min="{i}" max="{i}" width="{w:.1f}" customWidth="1"/>'
        for i, w in enumerate(widths, 1)
    )
    head.append('</cols><sheetData><row r="1">')
    for i, name in enumerate(header):
        if name is not None and name != "":
            head.append(_text_cell(starts[i], "1", str(name), f' s="{_HEADER_STYLE}"'))
    head.append("</row>")

    try:
        with zipfile.ZipFile(
            path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        ) as zf:
            zf.writestr("[Content_Types].xml", CONTENT_TYPES)
            zf.writestr("_rels/.rels", PACKAGE_RELS)
            zf.writestr("docProps/core.xml", _core_properties(dt.datetime.now(dt.UTC)))
            zf.writestr("docProps/app.xml", APP)
            zf.writestr("xl/workbook.xml", _workbook(safe_sheet_title(sheet_title)))
            zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
            zf.writestr("xl/styles.xml", STYLES)
            with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
                sheet.write("".join(head).encode("utf-8"))
                chunk: list[str] = []
                all_rows = itertools.chain(first_rows, iterator)
                for number, row in enumerate(all_rows, start=2):
                    if len(row) > width:
                        raise ValueError(f"row {number} has {len(row)} cells, the header {width}")
                    r = str(number)
                    cells = [f'<row r="{r}">']
                    for i, value in enumerate(row):
                        if value is None or value == "":
                            continue
                        if numeric[i]:
                            plain = _number_text(value)
                            if plain is not None:
                                cells.append(
                                    f'{starts[i]}{r}" s="{_NUMBER_STYLE}"><v>{plain}</v></c>'
                                )
                                continue
                        if type(value) is str:
                            text = value
                        else:
                            text = str(value)
                            if not text:
                                continue
                        # _text_cell's fast path, inlined: a call per cell
                        # costs ~0.15 s on a month's export.
                        if (
                            text.isprintable()
                            and "&" not in text
                            and "<" not in text
                            and ">" not in text
                            and "_x" not in text
                            and text[0] != " "
                            and text[-1] != " "
                        ):
                            cells.append(
                                f'{starts[i]}{r}" t="inlineStr"><is><t>{text}</t></is></c>'
                            )
                        else:
                            cells.append(_text_cell(starts[i], r, text))
                    cells.append("</row>")
                    chunk.append("".join(cells))
                    if len(chunk) >= ROWS_PER_CHUNK:
                        sheet.write("".join(chunk).encode("utf-8"))
                        chunk.clear()
                chunk.append("</sheetData></worksheet>")
                sheet.write("".join(chunk).encode("utf-8"))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
