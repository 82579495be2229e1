"""One label for each role, scenario and kind of line, in both languages."""

from __future__ import annotations

from django.utils import translation

from tandem.commissions import adjustments, engine, rules
from tandem.commissions.models import CommissionLine
from tandem.commissions.vocabulary import Kind, LineRole, Scenario, explain_words, label
from tandem.customers.models import OwnerRole


def test_every_code_of_the_pure_core_has_a_label():
    assert set(LineRole.values) == set(rules.ROLE_RANK)
    assert set(Scenario.values) == set(rules.SCENARIOS)
    assert set(Kind.values) == {engine.SALE, engine.CLAWBACK, adjustments.ADJUSTMENT}


def test_a_lines_owner_roles_are_named_as_the_ownership_ledger_names_them():
    for role in OwnerRole:
        assert LineRole(role.value).label == role.label


def test_the_line_fields_carry_the_vocabulary():
    fields = {f.name: f for f in CommissionLine._meta.get_fields()}
    assert fields["role"].choices == LineRole.choices
    assert fields["scenario"].choices == Scenario.choices
    assert fields["kind"].choices == Kind.choices


def test_labels_in_both_languages():
    assert [str(text) for _, text in Scenario.choices] == ["常规协作", "继承客户（开发销售已离职）", "老客户转介绍"]
    with translation.override("en"):
        assert [str(text) for _, text in Scenario.choices] == [
            "Standard collaboration",
            "Inherited customer (developer has left)",
            "Referral by an existing customer",
        ]
        assert label(LineRole, "referrer_service") == "Service of the referring customer"
        assert label(Kind, "clawback") == "Refund clawback"
        assert label(Kind, "something-else") == "something-else"
    words = explain_words("en")
    assert (words.role("unassigned"), words.scenario("referral")) == ("Unassigned", "Referral by an existing customer")
    assert explain_words("zh-hans").role("referrer_service") == "介绍人客户的客服"
