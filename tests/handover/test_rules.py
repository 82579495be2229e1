"""The default proposal's rules one by one (handover spec §2), without a
database."""

from __future__ import annotations

import datetime as dt

from tandem.handover.rules import (
    NEEDS_DECISION,
    NO_RECEIVER,
    WORKLOAD,
    Candidate,
    Caps,
    Held,
    is_new,
    may_receive,
    propose,
    trailing_cents,
)

LEFT = dt.date(2026, 3, 1)
NEW = dt.date(2025, 9, 1)  # hired within the year before LEFT
OLD = dt.date(2020, 1, 1)


def sales(sid: str, hired=OLD, team="东", standard=0, key=0, left_on=None) -> Candidate:
    return Candidate(sid, "sales", team, hired, left_on, standard, key)


def service(sid: str, team="客服", standard=0, key=0, left_on=None) -> Candidate:
    return Candidate(sid, "service", team, None, left_on, standard, key)


def go(held, candidates, caps=None, team="东"):
    lines = propose(
        leaver_id="L", leaver_team=team, left_on=LEFT, held=held, candidates=candidates, caps=caps or Caps()
    )
    return [(x.customer_id, x.role, x.to_staff_id, x.reason) for x in lines]


def test_new_salesperson_means_hired_within_the_year_before_leaving():
    assert is_new(sales("A", hired=LEFT - dt.timedelta(days=364)), LEFT)
    assert not is_new(sales("A", hired=LEFT - dt.timedelta(days=365)), LEFT)
    assert not is_new(sales("A", hired=None), LEFT)


def test_standard_customers_go_to_new_salespeople_key_accounts_to_experienced():
    people = [sales("NEW", hired=NEW), sales("OLD", hired=OLD)]
    held = [Held("C1", "sales", "standard", 0), Held("C2", "sales", "key", 0)]
    assert go(held, people) == [("C1", "sales", "NEW", WORKLOAD), ("C2", "sales", "OLD", WORKLOAD)]


def test_without_a_new_salesperson_every_eligible_one_takes_standard_customers():
    assert go([Held("C1", "sales", "standard", 0)], [sales("OLD", hired=None)]) == [
        ("C1", "sales", "OLD", WORKLOAD)
    ]
    assert go([Held("C2", "sales", "key", 0)], [sales("NEW", hired=NEW)]) == [
        ("C2", "sales", "NEW", WORKLOAD)
    ]


def test_workload_counts_key_accounts_three_times():
    # A holds 1 key (3), B holds 2 standard (2): B is lighter.
    people = [sales("A", hired=NEW, key=1), sales("B", hired=NEW, standard=2)]
    assert go([Held("C1", "sales", "standard", 0)], people) == [("C1", "sales", "B", WORKLOAD)]


def test_what_the_proposal_gave_counts_and_a_tie_goes_to_the_lowest_staff_id():
    people = [sales("B", hired=NEW), sales("A", hired=NEW)]
    held = [
        Held("C1", "sales", "standard", 30),
        Held("C2", "sales", "standard", 20),
        Held("C3", "sales", "standard", 10),
    ]
    assert [x[2] for x in go(held, people)] == ["A", "B", "A"]


def test_a_key_account_given_weighs_three_in_later_choices():
    people = [service("V1"), service("V2")]
    held = [Held("C1", "service", "key", 50)] + [
        Held(f"C{i}", "service", "standard", 10 - i) for i in range(2, 6)
    ]
    # V1 gets the key account (3); V2 then takes the next three, V1 the fourth.
    assert [x[2] for x in go(held, people)] == ["V1", "V2", "V2", "V2", "V1"]


def test_rows_are_given_by_trailing_revenue_descending_then_customer_id():
    held = [
        Held("C3", "sales", "standard", 5),
        Held("C1", "sales", "standard", 5),
        Held("C2", "sales", "standard", 9),
    ]
    assert [x[0] for x in go(held, [sales("A", hired=NEW)])] == ["C2", "C1", "C3"]


def test_the_leavers_team_comes_first_else_the_company():
    people = [sales("A", hired=NEW, team="西"), sales("Z", hired=NEW, team="东", standard=50)]
    assert go([Held("C1", "sales", "standard", 0)], people) == [("C1", "sales", "Z", WORKLOAD)]
    assert go([Held("C1", "sales", "standard", 0)], people, team="北") == [
        ("C1", "sales", "A", WORKLOAD)
    ]


def test_the_team_comes_before_the_new_salesperson_preference():
    # The team has only an experienced salesperson: they take the standard customer.
    people = [sales("NEW", hired=NEW, team="西"), sales("OLD", hired=OLD, team="东")]
    assert go([Held("C1", "sales", "standard", 0)], people) == [("C1", "sales", "OLD", WORKLOAD)]


def test_caps_send_sales_rows_to_the_pool_and_count_tiers_apart():
    people = [sales("A", hired=NEW, standard=2, key=0)]
    caps = Caps(max_customers=3, max_key=1)
    held = [
        Held("C1", "sales", "standard", 9),
        Held("C2", "sales", "standard", 8),
        Held("C3", "sales", "key", 7),
        Held("C4", "sales", "key", 6),
    ]
    assert go(held, people, caps) == [
        ("C1", "sales", "A", WORKLOAD),
        ("C2", "sales", None, NO_RECEIVER),
        ("C3", "sales", "A", WORKLOAD),
        ("C4", "sales", None, NO_RECEIVER),
    ]


def test_a_capped_team_member_makes_way_for_the_company():
    people = [sales("A", team="东", standard=3), sales("B", team="西")]
    assert go([Held("C1", "sales", "standard", 0)], people, Caps(max_customers=3)) == [
        ("C1", "sales", "B", WORKLOAD)
    ]


def test_service_rows_have_no_cap_and_none_eligible_needs_a_decision():
    assert go(
        [Held("C1", "service", "standard", 0)], [service("V", standard=999)], Caps(max_customers=1)
    ) == [("C1", "service", "V", WORKLOAD)]
    assert go([Held("C1", "service", "standard", 0)], [sales("A")]) == [
        ("C1", "service", None, NEEDS_DECISION)
    ]


def test_eligible_receivers_stay_more_than_thirty_days_and_are_active():
    assert not may_receive(
        sales("A", left_on=LEFT + dt.timedelta(days=30)), leaver_id="L", left_on=LEFT
    )
    assert may_receive(
        sales("A", left_on=LEFT + dt.timedelta(days=31)), leaver_id="L", left_on=LEFT
    )
    assert not may_receive(
        sales("A", hired=LEFT + dt.timedelta(days=1)), leaver_id="L", left_on=LEFT
    )
    assert may_receive(sales("A", hired=LEFT), leaver_id="L", left_on=LEFT)
    assert not may_receive(sales("L"), leaver_id="L", left_on=LEFT)


def test_trailing_revenue_counts_refunds_by_their_own_date():
    day = dt.date
    orders = [(day(2025, 3, 1), 100_00), (day(2025, 2, 28), 1_000_00), (day(2026, 3, 1), 5_000_00)]
    refunds = [(day(2025, 6, 1), 30_00), (day(2025, 2, 1), 7_00)]
    assert trailing_cents(orders, refunds, LEFT) == 70_00
