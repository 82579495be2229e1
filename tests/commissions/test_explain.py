"""Spec §7: every sale and clawback line explains itself, zh-Hans and English,
naming roles and scenarios with the one vocabulary's labels."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tandem.commissions import explain
from tandem.commissions.explain import _pct_fraction
from tandem.commissions.vocabulary import explain_words

from .factories import (
    C1_ASSIGNMENTS,
    WORKED_LOOKUPS,
    WORKED_STAFF,
    assign,
    history,
    lookups,
    order,
    plan,
    refund,
    run,
)

NAMES = {"S1": "张伟", "S2": "李娜", "V1": "王芳", "V2": "刘洋"}


def explain_line(line, lang="zh-hans", **names):
    return explain.explain_line(line, lang, words=explain_words(lang), **names)


def explain_order(lines, lang="zh-hans", **names):
    return explain.explain_order(lines, lang, words=explain_words(lang), **names)


def _o3_lines(with_refund: bool = False):
    h = history(
        "C1",
        [order("O3", "2026-04-02", 200000)],
        [refund("O5", "O3", "2026-05-03", 50000)] if with_refund else [],
        C1_ASSIGNMENTS,
        acquired_by="S1",
    )
    return run(h, lookups(WORKED_STAFF, [plan(effective_from="2026-04-01")])).lines


def test_inherited_sale_line_in_zh():
    service = _o3_lines()[1]
    assert explain_line(service, staff_names=NAMES) == (
        "订单 O3（2026-04-02，金额 2000.00）适用方案「默认协作方案」（2026-04-01 起）："
        "客户的开发人 张伟 已于 2026-03-01 离职，按「继承客户（开发销售已离职）」场景（客服 70% / 销售 30%），"
        "规则依据：“流失销售开发的客户：客服维护为主 70%，新销售跟进 30%”。"
        "提成池 = 2000.00 × 5% = 100.00；刘洋 作为客服占 70%，得 70.00。"
    )


def test_inherited_sale_line_in_english():
    service = _o3_lines()[1]
    assert explain_line(service, lang="en", staff_names=NAMES) == (
        'Order O3 (2026-04-02, amount 2000.00) falls under plan "默认协作方案" '
        "(in force from 2026-04-01): the customer's developer 张伟 left on 2026-03-01, so "
        'the "Inherited customer (developer has left)" scenario applies (Service 70% / Sales 30%); '
        'the rule: "customers developed by a salesperson who left: service leads with 70%, '
        'the new salesperson follows up with 30%". '
        "Pool = 2000.00 × 5% = 100.00; 刘洋, as Service, takes 70%: 70.00."
    )


def test_clawback_names_refund_f_and_f_prime_and_the_corrected_sale_line():
    claw = _o3_lines(with_refund=True)[3]
    assert claw.kind == "clawback"
    text = explain_line(claw, staff_names=NAMES)
    assert text.endswith(
        "2026-05-03 退款 O5 退回 500.00：此前累计退款 0.00，之后累计 500.00。"
        "按订单原日期、方案、场景和负责人重算，提成池由 100.00（按 2000.00 计）变为 75.00"
        "（按 1500.00 计），刘洋 作为客服（占 70%）应得由 70.00 变为 52.50，冲回 -17.50，"
        "记入 2026-05，用于更正该订单 2026-04-02 的销售提成行。"
    )
    english = explain_line(claw, lang="en", staff_names=NAMES)
    assert "Refund O5 on 2026-05-03 returned 500.00: refunded 0.00 before, 500.00 after." in english
    assert "from 70.00 to 52.50: a clawback of -17.50 in 2026-05" in english
    assert "correcting the order's sale line of 2026-04-02" in english


def test_renormalised_weight_names_the_absent_role():
    # Worked example 4: sales had no participant, service's 70% became 100%.
    h = history(
        "C3",
        [order("O4", "2026-04-05", 10000)],
        assignments=[assign("sales", "S1", "2025-05-01"), assign("service", "V1", "2025-05-01")],
        acquired_by="S1",
    )
    (line,) = run(h, WORKED_LOOKUPS).lines
    assert explain_line(line, staff_names=NAMES).endswith(
        "王芳 作为客服占 100%（方案原定 70%；销售当天没有在职负责人，其 30% 按比例并入有人负责的角色），"
        "得 5.00。"
    )
    assert explain_line(line, lang="en", staff_names=NAMES).endswith(
        "王芳, as Service, takes 100% (the plan says 70%; Sales had no active holder that day, "
        "so its 30% went to the roles that had one, in proportion): 5.00."
    )


def test_unassigned_line_says_it_is_kept():
    (line,) = run(history("C4", [order("O6", "2026-04-10", 8000)]), WORKED_LOOKUPS).lines
    assert explain_line(line).endswith(
        "提成池 = 80.00 × 5% = 4.00；销售、客服当天都没有在职负责人，整笔 4.00 记为一条"
        "“未分配”行（不归任何人），留待处理，不会丢失。"
    )
    english = explain_line(line, lang="en")
    assert "Sales and Service had no active holder that day" in english
    assert '"Unassigned" line (nobody\'s)' in english


def test_referral_line_names_the_referrer_and_the_rule_source():
    h = history(
        "C2",
        [order("O2", "2026-02-20", 33333)],
        assignments=[assign("sales", "S2", "2026-02-20")],
        referred_by="C1",
    )
    lines = run(h, WORKED_LOOKUPS).lines
    text = explain_line(lines[1], staff_names=NAMES, customer_names={"C1": "华东机电有限公司"})
    assert "这是客户 C2 的首单，该客户由老客户 华东机电有限公司 介绍" in text
    assert "规则依据：“老客户介绍的新客户，功劳记到维护老客户的客服”" in text
    assert text.endswith("王芳 作为介绍人客户的客服占 30%，得 5.00。")


def test_category_rate_is_named():
    h = history(
        "C9",
        [order("A", "2026-01-05", 100000, "equipment"), order("B", "2026-01-05", 100000, "parts")],
        assignments=[assign("sales", "S2", "2025-01-01")],
    )
    lk = lookups(WORKED_STAFF, [plan(category_rates={"equipment": "0.03"})])
    a, b = run(h, lk).lines
    assert "提成池 = 1000.00 × 3% = 30.00（3% 是品类「equipment」的专用比例）" in explain_line(a)
    assert "（品类「parts」没有专用比例，按方案的提成池比例 5%）" in explain_line(b)
    assert '(3% is the rate of category "equipment")' in explain_line(a, lang="en")


def test_ids_are_shown_when_names_are_missing():
    service = _o3_lines()[1]
    assert "V2 作为客服占 70%" in explain_line(service)
    assert "客户的开发人 S1 已于" in explain_line(service)


def test_explain_order_opens_with_the_share_of_the_pool():
    texts = explain_order(_o3_lines(with_refund=True), staff_names=NAMES)
    assert texts[0] == "订单 O3 的提成池 100.00 分配为：李娜（销售）30.00、刘洋（客服）70.00。"
    assert len(texts) == 5
    assert explain_order([], lang="en") == []


def test_without_words_the_pure_explanation_names_the_codes():
    service = _o3_lines()[1]
    text = explain.explain_line(service, staff_names=NAMES)
    assert "按「inherited」场景（service 70% / sales 30%）" in text
    assert text.endswith("刘洋 作为service占 70%，得 70.00。")


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        explain_line(_o3_lines()[0], lang="fr")


def test_weights_after_renormalisation_are_shown_exactly_or_marked_approximate():
    assert _pct_fraction(Fraction(1)) == "100%"
    assert _pct_fraction(Fraction(5, 8)) == "62.5%"
    assert _pct_fraction(Fraction(1, 3)) == "≈33.33%"
    assert _pct_fraction(Fraction(2, 3)) == "≈66.67%"
