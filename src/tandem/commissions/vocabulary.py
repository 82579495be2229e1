"""The words of commission, one label each.

Codes are what the rules, the engine and the line export use; the labels
below (zh-Hans, English in the .po) are what people read: the admin's
columns and filters, the explanations, the statement export and the pages.
A role a line credits is an ownership role (`customers.models.OwnerRole`,
same label) or one of the two only commission knows. docs/decisions.md
says why each label was chosen."""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tandem.customers.models import OwnerRole

from . import adjustments, engine, explain, rules


class LineRole(models.TextChoices):
    SALES = rules.SALES, OwnerRole.SALES.label
    SERVICE = rules.SERVICE, OwnerRole.SERVICE.label
    REFERRER_SERVICE = rules.REFERRER_SERVICE, _("介绍人客户的客服")
    UNASSIGNED = rules.UNASSIGNED, _("未分配")


class Scenario(models.TextChoices):
    STANDARD = rules.STANDARD, _("常规协作")
    INHERITED = rules.INHERITED, _("继承客户（开发销售已离职）")
    REFERRAL = rules.REFERRAL, _("老客户转介绍")


class Kind(models.TextChoices):
    SALE = engine.SALE, _("销售提成")
    CLAWBACK = engine.CLAWBACK, _("退款冲回")
    ADJUSTMENT = adjustments.ADJUSTMENT, _("调整")


def label(choices: type[models.TextChoices], code: str) -> str:
    """The label of `code` in the active language; an unknown code as is."""
    return str(choices(code).label) if code in choices.values else code


def explain_words(lang: str) -> explain.Words:
    """The labels the pure explanations put into their sentences, in `lang`."""
    with translation.override(lang):
        return explain.Words(
            roles={code: str(text) for code, text in LineRole.choices},
            scenarios={code: str(text) for code, text in Scenario.choices},
        )
