"""The staff domain's rules, as plain functions of values (no database):
`staff_upsert`, the bulk writer's callers (the importer) and the admin
check a staff member with the same functions and the same words."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.core.rules import Violation, check_choice, check_id, check_text

from .choices import Role

MAX_NAME = 100
MAX_TEAM = 100

# Field names, translated only when a message needs one (a row of a
# large file is checked in microseconds).
_STAFF_ID = gettext_lazy("员工编号")
_NAME = gettext_lazy("姓名")
_ROLE = gettext_lazy("角色")
_TEAM = gettext_lazy("团队")
_ROLES = tuple(Role.values)


def unknown_role(value: str, allowed: list[str]) -> str:
    return _("未知的角色「%(value)s」（允许：%(allowed)s）") % {
        "value": value,
        "allowed": ", ".join(allowed),
    }


def unknown_staff(ident: str) -> str:
    return _("未知的员工「%(id)s」") % {"id": ident}


def left_not_after_hired() -> str:
    return _("离职日期必须晚于入职日期")


def check_dates(hired_on: dt.date | None, left_on: dt.date | None) -> Violation | None:
    """left_on is the first day no longer employed: after hired_on."""
    if hired_on is not None and left_on is not None and left_on <= hired_on:
        return Violation.of("left_on", left_not_after_hired())
    return None


def staff_violations(
    *, staff_id: str, name: str, role: str, hired_on: dt.date | None, left_on: dt.date | None, team: str = ""
) -> list[Violation]:
    """Every rule a staff row breaks, in the exchange format's column order
    (``team``: a team's name, optional)."""
    checks = (
        check_id("staff_id", _STAFF_ID, staff_id),
        check_text("name", _NAME, name, MAX_NAME),
        check_choice("role", _ROLE, role, _ROLES, unknown_role),
        check_dates(hired_on, left_on),
        check_text("team", _TEAM, team, MAX_TEAM, required=False),
    )
    return [v for v in checks if v is not None]
