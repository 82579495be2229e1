"""The orders importer reads a million rows with a fast test of its own;
a row must pass it exactly when the sales rules find nothing wrong with it
(`tandem.sales.rules`), or the two would drift apart."""

from __future__ import annotations

import random

import pytest

from tandem.exchange.importers.rows import parse_date
from tandem.sales.models import Order
from tandem.sales.rules import check_amount, order_violations

from .conftest import run

pytestmark = pytest.mark.django_db

HEADER = "order_id,customer_id,order_date,amount,category,refund_of\n"
# Each column: values the rules accept, values they refuse.
CUSTOMERS = (["C1", "C4"], ["C9", "", "X" * 65])
DATES = (["2026-06-01", "2024-02-29"], ["2026-02-30", "2026/06/01", "2026-6-1", ""])
AMOUNTS = (["10", "1.5", "0.01", "١٢", "999999999999.99"], ["0", "0.00", "1.234", "-1", "", "1000000000000", ".5", "5."])
CATEGORIES = (["", "parts", "X" * 64], ["X" * 65])
REFUND_OF = ([""], ["X" * 65])


def rules_accept(order_id: str, customer_id: str, date: str, amount: str, category: str, refund_of: str) -> bool:
    return (
        not order_violations(order_id=order_id, customer_id=customer_id, category=category, refund_of=refund_of)
        and check_amount(amount) is None
        and parse_date(date) is not None
        and customer_id in {"C1", "C2", "C3", "C4"}
    )


def test_the_fast_test_accepts_what_the_rules_accept(base, write):
    rng = random.Random(7)

    def pick(values: tuple[list[str], list[str]]) -> str:
        return rng.choice(values[0] if rng.random() < 0.8 else values[1])

    rows, expected = [], set()
    for i in range(400):
        order_id = pick(([f"N{i}", f"N{i}".ljust(64, "x")], [f"N{i}".ljust(65, "x"), ""]))
        row = (order_id, pick(CUSTOMERS), pick(DATES), pick(AMOUNTS), pick(CATEGORIES), pick(REFUND_OF))
        rows.append(",".join(row))
        if rules_accept(*row):
            expected.add(order_id)
    write("new.csv", HEADER + "\n".join(rows) + "\n")
    [result] = run("new.csv", skip=True)
    imported = set(Order.objects.exclude(pk__in=["O1", "O2", "O3", "O4", "O5", "O6"]).values_list("pk", flat=True))
    assert imported == expected
    assert 20 < len(expected) < 380  # both kinds of row were tried
    assert (result.created, result.rejected) == (len(expected), 400 - len(expected))
