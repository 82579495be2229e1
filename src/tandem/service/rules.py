"""The service desk's rules, as plain functions of values (no database):
follow-ups, callbacks, complaints and survey answers as the exchange files
give them (spec/service-desk.md). The single-row services, the bulk
writers' callers (the importer) and the admin check a record with these
same functions and words."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.core.rules import Violation, check_choice, check_id, check_text

from .choices import Channel, ComplaintChannel, Outcome, Severity, SurveyAnswerChoice

MAX_NOTE = 2000
MAX_NEXT_STEP = 200

YES = "yes"
NO = "no"

# Field names, translated only when a message needs one (a row of a
# large file is checked in microseconds).
_FOLLOWUP_ID = gettext_lazy("跟进编号")
_CALLBACK_ID = gettext_lazy("回访编号")
_COMPLAINT_ID = gettext_lazy("投诉编号")
_SURVEY_ID = gettext_lazy("问卷编号")
_CUSTOMER_ID = gettext_lazy("客户编号")
_STAFF_ID = gettext_lazy("员工编号")
_CHANNEL = gettext_lazy("方式")
_OUTCOME = gettext_lazy("回访结果")
_ANSWER = gettext_lazy("评价")
_SEVERITY = gettext_lazy("严重程度")
_ESCALATED = gettext_lazy("是否越级")
_NOTE = gettext_lazy("备注")
_COMMENT = gettext_lazy("意见")
_NEXT_STEP = gettext_lazy("下一步")

CHANNELS = tuple(Channel.values)
COMPLAINT_CHANNELS = tuple(ComplaintChannel.values)
OUTCOMES = tuple(Outcome.values)
ANSWERS = tuple(SurveyAnswerChoice.values)
SEVERITIES = tuple(Severity.values)
ESCALATED = (YES, NO)
# The texts a file's optional score may hold, and their values.
SCORE_TEXTS: dict[str, int | None] = {"": None, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5}


# --------------------------------------------------------------------------- #
# Messages
# --------------------------------------------------------------------------- #


def _unknown(what: str, value: str, allowed: list[str]) -> str:
    return _("未知的%(what)s「%(value)s」（允许：%(allowed)s）") % {
        "what": what,
        "value": value,
        "allowed": ", ".join(allowed),
    }


def unknown_channel(value: str, allowed: list[str]) -> str:
    return _unknown(str(_CHANNEL), value, allowed)


def unknown_outcome(value: str, allowed: list[str]) -> str:
    return _unknown(str(_OUTCOME), value, allowed)


def unknown_answer(value: str, allowed: list[str]) -> str:
    return _unknown(str(_ANSWER), value, allowed)


def unknown_severity(value: str, allowed: list[str]) -> str:
    return _unknown(str(_SEVERITY), value, allowed)


def unknown_escalated(value: str, allowed: list[str]) -> str:
    return _("应为 yes 或 no，收到「%(value)s」") % {"value": value}


def bad_score(value: object) -> str:
    return _("评分应为 1 到 5 的整数，收到「%(value)s」") % {"value": value}


def staff_not_active(ident: str, day: dt.date) -> str:
    return _("员工「%(id)s」在 %(date)s 不在职") % {"id": ident, "date": day.isoformat()}


def resolved_before_opened() -> str:
    return _("解决日期不能早于投诉日期")


# --------------------------------------------------------------------------- #
# Checks
# --------------------------------------------------------------------------- #


def parse_score(value: str | int | None) -> tuple[int | None, Violation | None]:
    """An optional 1–5 score, from a file's text or a typed value."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return None, Violation.of("score", bad_score(value))
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        return None, Violation.of("score", bad_score(value))
    if not 1 <= number <= 5:
        return None, Violation.of("score", bad_score(value))
    return number, None


def parse_escalated(value: str) -> tuple[bool | None, Violation | None]:
    """The complaints file's ``escalated``: yes or no."""
    violation = check_choice("escalated", _ESCALATED, value, ESCALATED, unknown_escalated)
    if violation is not None:
        return None, violation
    return value == YES, None


def check_active(
    field: str, staff_id: str, hired_on: dt.date | None, left_on: dt.date | None, day: dt.date
) -> Violation | None:
    """A staff member active on ``day`` (commission-rules §1)."""
    if (hired_on is not None and day < hired_on) or (left_on is not None and day >= left_on):
        return Violation.of(field, staff_not_active(staff_id, day))
    return None


def check_resolved(opened_on: dt.date | None, resolved_on: dt.date | None) -> Violation | None:
    if opened_on is not None and resolved_on is not None and resolved_on < opened_on:
        return Violation.of("resolved_on", resolved_before_opened())
    return None


def followup_violations(
    *, followup_id: str, customer_id: str, staff_id: str, channel: str, note: str, next_step: str = ""
) -> list[Violation]:
    """Every rule a follow-up breaks, in the file's column order (the date
    is the caller's: a typed value or a parsed cell)."""
    checks = (
        check_id("followup_id", _FOLLOWUP_ID, followup_id),
        check_id("customer_id", _CUSTOMER_ID, customer_id),
        check_id("staff_id", _STAFF_ID, staff_id),
        check_choice("channel", _CHANNEL, channel, CHANNELS, unknown_channel),
        check_text("note", _NOTE, note, MAX_NOTE, required=False),
        check_text("next_step", _NEXT_STEP, next_step, MAX_NEXT_STEP, required=False),
    )
    return [v for v in checks if v is not None]


def callback_violations(
    *, callback_id: str, customer_id: str, staff_id: str, outcome: str, note: str, next_step: str = ""
) -> list[Violation]:
    """Every rule a made callback breaks (the score: `parse_score`)."""
    checks = (
        check_id("callback_id", _CALLBACK_ID, callback_id),
        check_id("customer_id", _CUSTOMER_ID, customer_id),
        check_id("staff_id", _STAFF_ID, staff_id),
        check_choice("outcome", _OUTCOME, outcome, OUTCOMES, unknown_outcome),
        check_text("note", _NOTE, note, MAX_NOTE, required=False),
        check_text("next_step", _NEXT_STEP, next_step, MAX_NEXT_STEP, required=False),
    )
    return [v for v in checks if v is not None]


def complaint_violations(
    *,
    complaint_id: str,
    customer_id: str,
    severity: str,
    channel: str,
    note: str,
    opened_on: dt.date | None,
    resolved_on: dt.date | None,
) -> list[Violation]:
    """Every rule a complaint breaks (``escalated``: `parse_escalated`)."""
    checks = (
        check_id("complaint_id", _COMPLAINT_ID, complaint_id),
        check_id("customer_id", _CUSTOMER_ID, customer_id),
        check_choice("severity", _SEVERITY, severity, SEVERITIES, unknown_severity),
        check_choice("channel", _CHANNEL, channel, COMPLAINT_CHANNELS, unknown_channel) if channel else None,
        check_resolved(opened_on, resolved_on),
        check_text("note", _NOTE, note, MAX_NOTE, required=False),
    )
    return [v for v in checks if v is not None]


def survey_violations(*, survey_id: str, customer_id: str, answer: str, comment: str) -> list[Violation]:
    """Every rule a survey answer breaks (the score: `parse_score`)."""
    checks = (
        check_id("survey_id", _SURVEY_ID, survey_id),
        check_id("customer_id", _CUSTOMER_ID, customer_id),
        check_choice("answer", _ANSWER, answer, ANSWERS, unknown_answer),
        check_text("comment", _COMMENT, comment, MAX_NOTE, required=False),
    )
    return [v for v in checks if v is not None]
