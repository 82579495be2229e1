"""The surveys file (满意度调查): `tandem.service.rules`, written by
`tandem.service.bulk.surveys_write_bulk`."""

from __future__ import annotations

from tandem.core.rules import MAX_ID
from tandem.service.bulk import SurveyRow, surveys_write_bulk
from tandem.service.rules import ANSWERS, MAX_NOTE, SCORE_TEXTS, parse_score, survey_violations

from ..readers import Source
from .desk import References, import_desk_file
from .rows import Context, FileResult, Problems, RowErrors, parse_date

_ANSWERS = frozenset(ANSWERS)


def _fast(values: tuple[str, ...], refs: References) -> SurveyRow | None:
    survey_id, customer_id, answered, answer, score, comment = values
    if (
        not survey_id
        or len(survey_id) > MAX_ID
        or customer_id not in refs.customers
        or answer not in _ANSWERS
        or score not in SCORE_TEXTS
        or len(comment) > MAX_NOTE
    ):
        return None
    day = parse_date(answered)
    if day is None:
        return None
    return SurveyRow(customer_id, day, answer, SCORE_TEXTS[score], comment)


def _parse(values: tuple[str, ...], errors: RowErrors, refs: References, ctx: Context) -> SurveyRow | None:
    survey_id, customer_id, answered, answer, score, comment = values
    answered_on = errors.date("answered_on", answered)
    errors.extend(survey_violations(survey_id=survey_id, customer_id=customer_id, answer=answer, comment=comment))
    number, violation = parse_score(score)
    if violation is not None:
        errors.extend([violation])
    refs.customer(errors, ctx, customer_id)
    if answered_on is None:
        return None
    return SurveyRow(customer_id, answered_on, answer, number, comment)


def import_surveys(source: Source, ctx: Context, result: FileResult, problems: Problems) -> None:
    import_desk_file(
        source, ctx, result, problems, id_column="survey_id", parse=_parse, fast=_fast, write=surveys_write_bulk
    )
