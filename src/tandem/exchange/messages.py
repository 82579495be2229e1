"""The reasons an import rejects a row, in zh-Hans (English through the
catalog in locale/en). One function per rule, so every importer and test
uses the same words."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def problem(path: str, line: int, column: str, reason: str) -> str:
    """A problem line as the contract writes it: ``file:line: column: reason``."""
    return f"{path}:{line}: {column}: {reason}"


def empty() -> str:
    return _("不能为空")


def too_long(limit: int) -> str:
    return _("长度超过 %(max)d 个字符") % {"max": limit}


def bad_date(value: str) -> str:
    return _("日期格式不正确：「%(value)s」（应为 YYYY-MM-DD）") % {"value": value}


def bad_amount(value: str) -> str:
    return _("金额格式不正确：「%(value)s」（应为用“.”分隔、最多两位小数的数字）") % {"value": value}


def amount_not_positive() -> str:
    return _("金额必须大于 0")


def unknown_role(value: str, allowed: list[str]) -> str:
    return _("未知的角色「%(value)s」（允许：%(allowed)s）") % {
        "value": value,
        "allowed": ", ".join(allowed),
    }


def unknown_tier(value: str, allowed: list[str]) -> str:
    return _("未知的客户等级「%(value)s」（允许：%(allowed)s）") % {
        "value": value,
        "allowed": ", ".join(allowed),
    }


def unknown_staff(ident: str) -> str:
    return _("未知的员工「%(id)s」") % {"id": ident}


def unknown_customer(ident: str) -> str:
    return _("未知的客户「%(id)s」") % {"id": ident}


def unknown_order(ident: str) -> str:
    return _("未知的订单「%(id)s」") % {"id": ident}


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


def overlap_existing(staff: str, span: str) -> str:
    return _("与已有的归属重叠（%(staff)s，%(span)s）") % {"staff": staff, "span": span}


def valid_to_not_after() -> str:
    return _("截止日期必须晚于起始日期")


def left_not_after_hired() -> str:
    return _("离职日期必须晚于入职日期")


def self_referral() -> str:
    return _("客户不能转介绍自己")


def refund_of_refund(ident: str) -> str:
    return _("不能对退款再退款（「%(id)s」本身是退款）") % {"id": ident}


def refund_before_order(date: str, ident: str, order_date: str) -> str:
    return _("退款日期 %(date)s 早于订单「%(id)s」的日期 %(order_date)s") % {
        "date": date,
        "id": ident,
        "order_date": order_date,
    }


def refunds_exceed(total: str, ident: str, amount: str) -> str:
    return _("退款合计 %(total)s 超过订单「%(id)s」的金额 %(amount)s") % {
        "total": total,
        "id": ident,
        "amount": amount,
    }


def refund_other_customer(customer: str, ident: str, order_customer: str) -> str:
    return _("退款的客户「%(customer)s」与订单「%(id)s」的客户「%(order_customer)s」不同") % {
        "customer": customer,
        "id": ident,
        "order_customer": order_customer,
    }


def amount_below_refunds(amount: str, total: str) -> str:
    return _("修改后的金额 %(amount)s 小于该订单已有的退款合计 %(total)s") % {
        "amount": amount,
        "total": total,
    }


def date_after_refund(ident: str, date: str) -> str:
    return _("修改后的日期晚于该订单已有退款「%(id)s」的日期 %(date)s") % {"id": ident, "date": date}


def customer_change_with_refunds() -> str:
    return _("该订单已有退款，不能更换客户")


def sale_to_refund_with_refunds() -> str:
    return _("该订单已有退款，不能改为退款")


def extra_cells(cells: int) -> str:
    # (English: "cells beyond the header: n", which needs no plural form)
    return _("该行有 %(n)d 个多余的单元格（表头之外）") % {"n": cells}


def import_failed(count: int) -> str:
    text = "导入失败：共 %(count)d 处错误，没有写入任何数据"
    return ngettext(text, text, count) % {"count": count}


def files_unreadable(count: int) -> str:
    text = "无法导入：%(count)d 处文件错误，没有写入任何数据"
    return ngettext(text, text, count) % {"count": count}
