"""tandem.core.xlsx_writer: what it writes reads back in openpyxl (normal
and read-only), as the same text and the intended numbers. No database."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tandem.core.xlsx_writer import _text_cell, column_letter, safe_sheet_title, write_xlsx

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HEADER = ["period", "order_id", "staff_name", "amount", "pool", "note"]
MONEY = (3, 4)


def read(path: Path, *, read_only: bool) -> list[tuple]:
    wb = load_workbook(path, read_only=read_only)
    try:
        return [tuple(r) for r in wb.active.iter_rows(values_only=True)]
    finally:
        wb.close()


def both(path: Path) -> list[tuple]:
    """The rows as openpyxl reads them, the same in both modes."""
    normal, streamed = read(path, read_only=False), read(path, read_only=True)
    assert normal == streamed
    return normal


def sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_header_text_and_numbers_read_back(tmp_path):
    path = tmp_path / "out.xlsx"
    rows = [
        ["2024-06", "O0123456", "张伟", "123.45", "456.78", "base"],
        ["2024-06", "O0123457", "李娜", "-0.50", "0.00", "refund"],
        ["2024-06", "O0123458", "王芳", "7", "1000000.10", "x"],
    ]
    write_xlsx(path, "2024-06", HEADER, rows, MONEY)
    got = both(path)
    assert got[0] == tuple(HEADER)
    assert [r[:3] + r[5:] for r in got[1:]] == [tuple(r[:3] + r[5:]) for r in rows]
    for written, read_back in zip(rows, got[1:], strict=True):
        for i in MONEY:
            assert isinstance(read_back[i], int | float)
            assert Decimal(str(read_back[i])) == Decimal(written[i])
        # Ids that look like numbers in text columns stay text.
        assert all(isinstance(v, str) for k, v in enumerate(read_back) if k not in MONEY)


def test_number_cells_are_plain_numbers_in_the_money_format(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(path, "t", ["a", "b"], [["12.34", "9"]], number_columns=[0])
    xml = sheet_xml(path)
    assert '<c r="A2" s="2"><v>12.34</v></c>' in xml
    assert '<c r="B2" t="inlineStr"><is><t>9</t></is></c>' in xml  # not a number column
    ws = load_workbook(path).active
    assert ws["A2"].number_format == "0.00"
    assert ws["A1"].font.b is True
    assert ws["B2"].font.b is not True
    assert ws.freeze_panes == "A2"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.34", Decimal("12.34")),
        ("-0.50", Decimal("-0.5")),
        ("0", Decimal("0")),
        (Decimal("12.30"), Decimal("12.3")),
        (Decimal("1E+2"), Decimal("100")),
        (5, Decimal("5")),
        (-3, Decimal("-3")),
        (2.5, Decimal("2.5")),
        ("123456789012.345", Decimal("123456789012.345")),  # 15 digits: exact in Excel
    ],
)
def test_plain_decimals_become_numbers(tmp_path, value, expected):
    path = tmp_path / "out.xlsx"
    write_xlsx(path, "t", ["n"], [[value]], number_columns=[0])
    (cell,) = both(path)[1]
    assert isinstance(cell, int | float) and not isinstance(cell, bool)
    assert Decimal(str(cell)) == expected


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "12.34 元",
        " 12.34",
        "12.34 ",
        "+12.34",
        "1,234.00",
        "1e5",
        ".5",
        "5.",
        "--1",
        "12.34<v>",
        "NaN",
        "１２.５０",  # full-width digits
        "١٢",  # Arabic-Indic digits
        "1234567890123456",  # 16 digits: Excel would round it
        "0.1234567890123456",
        True,
        Decimal("NaN"),
        Decimal("Infinity"),
        float("nan"),
    ],
)
def test_anything_else_in_a_number_column_stays_text(tmp_path, value):
    path = tmp_path / "out.xlsx"
    write_xlsx(path, "t", ["n"], [[value]], number_columns=[0])
    (cell,) = both(path)[1]
    assert cell == str(value)
    assert "<v>" not in sheet_xml(path)


TRICKY = [
    "A & B <co> \"quoted\" 'single'",
    "  leading and trailing  ",
    "line one\nline two",
    "windows\r\nline end",
    "tab\there",
    "华东贸易有限公司",
    "emoji 😀👍🏽 and 👨‍👩‍👧",
    "\u3000全角空格\u3000",
    "]]> and &amp; literally",
    " ",
]


def test_tricky_strings_round_trip(tmp_path):
    path = tmp_path / "out.xlsx"
    header = [f"h{i}" for i in range(len(TRICKY))]
    write_xlsx(path, "t", header, [TRICKY, list(reversed(TRICKY))])
    got = both(path)
    assert got[1] == tuple(TRICKY)
    assert got[2] == tuple(reversed(TRICKY))
    ElementTree.fromstring(sheet_xml(path))


def test_characters_xml_cannot_carry_are_dropped(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(
        path,
        "t",
        ["a", "b", "c"],
        [["ctrl\x01char\x1f", "\x00\x08", "lone \ud800 surrogate\ufffe"]],
    )
    assert both(path)[1] == ("ctrlchar", None, "lone  surrogate")


def test_a_literal_escape_lookalike_is_escaped_as_the_format_requires(tmp_path):
    # Excel reads _xHHHH_ as the character U+HHHH; _x005F_ keeps it literal.
    path = tmp_path / "out.xlsx"
    write_xlsx(
        path, "t", ["a", "b", "c"], [["code _x0041_ here", "_x0041_x0042_", "_x12_ _xZZZZ_"]]
    )
    xml = sheet_xml(path)
    assert "<t>code _x005F_x0041_ here</t>" in xml
    # Each underscore that starts one is escaped, also when two share one.
    assert "<t>_x005F_x0041_x005F_x0042_</t>" in xml
    assert "<t>_x12_ _xZZZZ_</t>" in xml  # not the escape's form: left alone


def test_space_left_at_an_end_after_dropping_is_preserved(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(path, "t", ["a"], [["a \x01"]])
    assert '<t xml:space="preserve">a </t>' in sheet_xml(path)
    assert both(path)[1] == ("a ",)


def test_empty_values_give_no_cell(tmp_path):
    path = tmp_path / "out.xlsx"
    rows = [["2024-06", "", None, "", None, "last"], ["", None, "", "", "", ""], [None, "x"]]
    write_xlsx(path, "t", HEADER, rows, MONEY)
    got = both(path)
    assert got[1:] == [
        ("2024-06", None, None, None, None, "last"),
        (None,) * 6,
        (None, "x", None, None, None, None),
    ]
    xml = sheet_xml(path)
    assert '<row r="3"></row>' in xml
    assert re.findall(r'<c r="([A-Z]+2)"', xml) == ["A2", "F2"]


def test_column_letters():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702, 16383)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
        "XFD",
    ]
    with pytest.raises(ValueError):
        column_letter(-1)


def test_more_than_26_columns_and_many_rows_land_in_their_cells(tmp_path):
    path = tmp_path / "out.xlsx"
    width, height = 30, 120
    header = [f"c{i}" for i in range(width)]
    rows = [[f"r{r}c{c}" for c in range(width)] for r in range(height)]
    write_xlsx(path, "t", header, rows)
    ws = load_workbook(path).active
    assert ws["Z1"].value == "c25"
    assert ws["AA1"].value == "c26"
    assert ws["AD2"].value == "r0c29"
    assert ws["AB121"].value == "r119c27"
    assert (ws.max_row, ws.max_column) == (height + 1, width)
    assert both(path) == [tuple(header), *map(tuple, rows)]
    assert '<dimension ref="A1:AD121"/>' in sheet_xml(path)


def test_a_generator_is_written_as_it_comes(tmp_path):
    # No length, so no <dimension>; readers count the rows themselves.
    path = tmp_path / "out.xlsx"
    rows = ([f"O{n}", str(n)] for n in range(1000))
    write_xlsx(path, "t", ["order", "amount"], rows, number_columns=[1])
    got = both(path)
    assert len(got) == 1001
    assert got[1000] == ("O999", 999)
    assert "<dimension" not in sheet_xml(path)


def test_a_row_longer_than_the_header_is_refused_and_leaves_no_file(tmp_path):
    path = tmp_path / "out.xlsx"
    with pytest.raises(ValueError, match="row 3 has 3 cells, the header 2"):
        write_xlsx(path, "t", ["a", "b"], [["1", "2"], ["1", "2", "3"]])
    assert not path.exists()


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("2024-06", "2024-06"),
        ("a[b]c:d*e?f/g\\h", "a_b_c_d_e_f_g_h"),
        ("x" * 40, "x" * 31),
        ("提成" * 20, "提成" * 15 + "提"),
        ("😀" * 20, "😀" * 15),  # Excel counts UTF-16 units: 2 each
        ("'quoted'", "quoted"),
        ("x" * 30 + "'tail", "x" * 30),  # no apostrophe left at the end by the cut
        ("", "Sheet1"),
        ("   ", "Sheet1"),
        ("History", "History_"),
        ("bell\x07", "bell"),
    ],
)
def test_sheet_titles_follow_excels_rules(title, expected):
    assert safe_sheet_title(title) == expected


def test_the_title_is_escaped_in_the_workbook(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(path, 'A & "B" <C>?', ["a"], [["1"]])
    assert load_workbook(path).sheetnames == ['A & "B" <C>_']


def test_the_package_holds_the_expected_parts(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(path, "2024-06", HEADER, [["2024-06", "O1", "张伟", "1.00", "2.00", "n"]], MONEY)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        names = set(zf.namelist())
        assert names == {
            "[Content_Types].xml",
            "_rels/.rels",
            "docProps/core.xml",
            "docProps/app.xml",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
        }
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in zf.infolist())
        for name in names:
            ElementTree.fromstring(zf.read(name))  # each part is well-formed XML
        sheet = ElementTree.fromstring(zf.read("xl/worksheets/sheet1.xml"))
    pane = sheet.find(f"{MAIN}sheetViews/{MAIN}sheetView/{MAIN}pane")
    assert pane is not None and pane.attrib["state"] == "frozen" and pane.attrib["ySplit"] == "1"
    dimension = sheet.find(f"{MAIN}dimension")
    assert dimension is not None and dimension.attrib["ref"] == "A1:F2"
    assert len(sheet.findall(f"{MAIN}cols/{MAIN}col")) == len(HEADER)
    rows = sheet.findall(f"{MAIN}sheetData/{MAIN}row")
    assert [r.attrib["r"] for r in rows] == ["1", "2"]
    assert [c.attrib["r"] for c in rows[1]] == ["A2", "B2", "C2", "D2", "E2", "F2"]


def test_column_widths_follow_the_text_wide_characters_counting_twice(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(path, "t", ["id", "name", "note"], [["O1", "华东贸易有限公司", "x" * 500]])
    dims = load_workbook(path).active.column_dimensions
    assert dims["A"].width == 6  # the minimum
    assert dims["B"].width == 18  # 8 wide characters, + 2
    assert dims["C"].width == 60  # the maximum


def test_the_inlined_fast_path_writes_what_text_cell_writes(tmp_path):
    # write_xlsx inlines _text_cell's fast path; both must give the same XML.
    values = ["O0123456", "张伟", "a_b", "x y", "😀"]
    path = tmp_path / "out.xlsx"
    write_xlsx(path, "t", [f"h{i}" for i in range(len(values))], [values])
    xml = sheet_xml(path)
    for i, value in enumerate(values):
        assert _text_cell(f'<c r="{column_letter(i)}', "2", value) in xml


def _expected(text: str) -> str | None:
    kept = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)
    return kept or None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=30).filter(lambda t: "_x" not in t), min_size=1, max_size=12))
def test_any_text_round_trips_less_what_xml_cannot_carry(tmp_path_factory, texts):
    # "end" keeps the row from being all empty: openpyxl's normal mode drops
    # a trailing empty row that its read-only mode (going by <dimension>) keeps.
    path = tmp_path_factory.mktemp("prop") / "out.xlsx"
    write_xlsx(path, "t", [f"h{i}" for i in range(len(texts) + 1)], [[*texts, "end"]])
    assert both(path)[1] == (*(_expected(t) for t in texts), "end")
