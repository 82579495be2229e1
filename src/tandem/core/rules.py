"""What the domains' rules return when a value is refused, and the checks
every domain shares (ids, texts, choices).

A rule is a plain function of values, no database: each domain's `rules`
module holds its own (`tandem.sales.rules`, `tandem.customers.rules`,
`tandem.staff.rules`). The single-row services raise the first violation
(`RuleError`); the importer lists every violation of every row as
``file:line: column: reason``; a form can attach one to its field.

A violation names the exchange format's column it is about (``field``) and
says why twice: ``reason`` as it follows the column in a problem line
("不能为空"), ``message`` on its own, naming what it is about
("订单编号不能为空")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .errors import InvalidInput

__all__ = [
    "MAX_ID",
    "RuleError",
    "Violation",
    "check_choice",
    "check_id",
    "check_text",
    "empty",
    "missing",
    "raise_first",
    "too_long",
]

# The exchange format's ids: the company's own strings, 1 to 64 characters.
MAX_ID = 64


@dataclass(frozen=True, slots=True)
class Violation:
    """One refused value: the column it is about, and why."""

    field: str
    reason: str
    message: str

    @classmethod
    def of(cls, field: str, reason: str, message: str | None = None) -> Violation:
        """A violation whose reason reads the same alone unless told otherwise."""
        return cls(field, reason, reason if message is None else message)


class RuleError(InvalidInput):
    """A service refused a value: the message of the violation, with the
    violation itself for callers that show it beside its field."""

    def __init__(self, violation: Violation) -> None:
        super().__init__(violation.message)
        self.violation = violation


def raise_first(violations: Iterable[Violation | None]) -> None:
    """Raise the first violation (RuleError); a service's checks in one call."""
    for violation in violations:
        if violation is not None:
            raise RuleError(violation)


# --------------------------------------------------------------------------- #
# Messages
# --------------------------------------------------------------------------- #


def empty() -> str:
    return _("不能为空")


def too_long(limit: int) -> str:
    return _("长度超过 %(max)d 个字符") % {"max": limit}


def _field_empty(label: str) -> str:
    return _("%(field)s不能为空") % {"field": label}


def _field_too_long(label: str, limit: int) -> str:
    return _("%(field)s长度超过 %(max)d 个字符") % {"field": label, "max": limit}


# --------------------------------------------------------------------------- #
# Checks
# --------------------------------------------------------------------------- #


def missing(field: str, label: Any) -> Violation:
    """A required value left empty."""
    return Violation(field, empty(), _field_empty(str(label)))


def check_text(field: str, label: Any, value: str, limit: int, *, required: bool = True) -> Violation | None:
    """A text of at most ``limit`` characters; empty allowed unless required."""
    if not value:
        return missing(field, label) if required else None
    if len(value) > limit:
        return Violation(field, too_long(limit), _field_too_long(str(label), limit))
    return None


def check_id(field: str, label: Any, value: str, *, required: bool = True) -> Violation | None:
    """An id of the exchange format (1–64 characters)."""
    return check_text(field, label, value, MAX_ID, required=required)


def check_choice(
    field: str, label: Any, value: str, allowed: Sequence[str], unknown: Any
) -> Violation | None:
    """One of ``allowed``; ``unknown(value, allowed)`` says why another is not."""
    if not value:
        return missing(field, label)
    if value not in allowed:
        return Violation.of(field, unknown(value, list(allowed)))
    return None
