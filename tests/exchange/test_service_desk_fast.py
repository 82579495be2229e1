"""The service desk importers' fast paths accept exactly what the rules
accept: any row a fast path takes, the rules take with the same content
(no database: the references are given)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.exchange.importers import callbacks, complaints, followups, surveys
from tandem.exchange.importers.desk import References
from tandem.exchange.importers.rows import Context, RowErrors

REFS = References(
    customers={"C1", "C2"},
    staff={"V1": (None, None), "S1": (dt.date(2024, 1, 1), dt.date(2026, 3, 1))},
)
PROPERTY = settings(max_examples=400, deadline=None)

ids = st.sampled_from(["", "B1", "x" * 64, "x" * 65])
customers = st.sampled_from(["", "C1", "C2", "C9"])
staff = st.sampled_from(["", "V1", "S1", "X"])
days = st.sampled_from(["", "2023-12-31", "2024-01-01", "2026-02-28", "2026-03-01", "2026-13-01", "2026-4-1"])
scores = st.sampled_from(["", "0", "1", "3", "5", "6", "4.5", " 4", "05"])
notes = st.sampled_from(["", "备注", "长" * 2000, "长" * 2001])


def agree(module, values) -> None:
    content = module._fast(values, REFS)
    if content is None:
        return
    errors = RowErrors()
    assert module._parse(values, errors, REFS, Context()) == content
    assert not errors


@PROPERTY
@given(st.tuples(ids, customers, staff, days, st.sampled_from(["satisfied", "unreachable", "happy", ""]), scores, notes))
def test_callbacks(values):
    agree(callbacks, values)


@PROPERTY
@given(st.tuples(ids, customers, staff, days, st.sampled_from(["call", "visit", "fax", "", "management"]), notes))
def test_followups(values):
    agree(followups, values)


@PROPERTY
@given(
    st.tuples(
        ids, customers, days, st.sampled_from(["low", "high", "urgent", ""]),
        st.sampled_from(["yes", "no", "Yes", ""]), st.sampled_from(["", "management", "call", "fax"]), days, notes,
    )
)
def test_complaints(values):
    agree(complaints, values)


@PROPERTY
@given(st.tuples(ids, customers, days, st.sampled_from(["satisfied", "neutral", "ok", ""]), scores, notes))
def test_surveys(values):
    agree(surveys, values)


def test_a_valid_row_takes_the_fast_path():
    assert callbacks._fast(("B1", "C1", "S1", "2026-02-28", "satisfied", "5", ""), REFS) is not None
    assert callbacks._fast(("B1", "C1", "S1", "2026-03-01", "satisfied", "5", ""), REFS) is None
