"""The reasons an import rejects a row that belong to files (dates as
cells, ids repeated in a file, rows rejected earlier in the command), in
zh-Hans (English through the catalog in locale/en). The rules of the
records themselves, and their words, are the domains' (`tandem.*.rules`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def problem(path: str, line: int, column: str, reason: str) -> str:
    """A problem line as the contract writes it: ``file:line: column: reason``."""
    return f"{path}:{line}: {column}: {reason}"


def bad_date(value: str) -> str:
    return _("日期格式不正确：「%(value)s」（应为 YYYY-MM-DD）") % {"value": value}


def rejected_staff(ident: str, where: str) -> str:
    return _("员工「%(id)s」所在的行被拒绝（%(where)s）") % {"id": ident, "where": where}


def rejected_customer(ident: str, where: str) -> str:
    return _("客户「%(id)s」所在的行被拒绝（%(where)s）") % {"id": ident, "where": where}


def rejected_order(ident: str, where: str) -> str:
    return _("订单「%(id)s」所在的行被拒绝（%(where)s）") % {"id": ident, "where": where}


def duplicate_id(ident: str, lines: list[int]) -> str:
    return _("编号「%(id)s」在本文件中出现多次且内容不同（第 %(lines)s 行）") % {
        "id": ident,
        "lines": ", ".join(map(str, lines)),
    }


def duplicate_assignment(lines: list[int]) -> str:
    return _("同一客户、角色和起始日期的归属在本文件中出现多次且内容不同（第 %(lines)s 行）") % {
        "lines": ", ".join(map(str, lines))
    }


def overlap_line(line: int, staff: str, span: str) -> str:
    return _("与第 %(line)d 行的归属重叠（%(staff)s，%(span)s）") % {
        "line": line,
        "staff": staff,
        "span": span,
    }


def extra_cells(cells: int) -> str:
    # (English: "cells beyond the header: n", which needs no plural form)
    return _("该行有 %(n)d 个多余的单元格（表头之外）") % {"n": cells}


def import_failed(count: int) -> str:
    text = "导入失败：共 %(count)d 处错误，没有写入任何数据"
    return ngettext(text, text, count) % {"count": count}


def files_unreadable(count: int) -> str:
    text = "无法导入：%(count)d 处文件错误，没有写入任何数据"
    return ngettext(text, text, count) % {"count": count}
