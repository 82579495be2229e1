"""Plans in the database: the shipped default plan of a new database (a
migration), the plan services and the facts they record, the words for the
plan rules' problems, and the plan admin, which goes through the same rules
and services."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import tomllib
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from tandem.commissions import plan_messages
from tandem.commissions.models import Plan
from tandem.commissions.plan_messages import plan_problem_reason
from tandem.commissions.plan_rules import CODES, PlanProblem, plan_check
from tandem.commissions.services import plans_delete, plans_save
from tandem.core.changes import facts_pending
from tandem.core.errors import InvalidInput
from tests.facts import clear

from .test_plan_rules import DEFAULT_PLAN, SPLITS

pytestmark = pytest.mark.django_db

D = dt.date


def plan_values(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "协作提成方案 2026",
        "effective_from": D(2026, 1, 1),
        "pool_rate": "0.05",
        "splits": SPLITS,
    }
    values.update(changes)
    return values


def plan_facts() -> list[dt.date | None]:
    return [f.since for f in facts_pending() if f.subject == "plans"]


def test_a_new_database_has_exactly_the_shipped_default_plan():
    (values,) = tomllib.loads(DEFAULT_PLAN.read_text(encoding="utf-8"))["plans"]
    spec = plan_check(values).spec
    assert spec is not None
    plan = Plan.objects.get()
    assert (plan.name, plan.effective_from, plan.pool_rate, plan.category_rates, plan.splits) == (
        spec.name,
        spec.effective_from,
        Decimal(spec.pool_rate),
        spec.category_rates,
        spec.splits,
    )
    assert plan.effective_from == D(1900, 1, 1)
    history = Plan.history.get()
    assert (history.id, history.history_type, history.history_change_reason) == (plan.pk, "+", "default_plan.toml")
    # Nothing to recompute in a database without orders.
    assert facts_pending() == []


def _migration_apps():
    executor = MigrationExecutor(connection)
    return executor.loader.project_state(("commissions", "0006_default_plan")).apps


def test_the_migration_installs_the_default_plan_only_where_there_is_none():
    install = importlib.import_module("tandem.commissions.migrations.0006_default_plan").default_plan_install
    apps = _migration_apps()
    Plan.objects.filter(effective_from=D(1900, 1, 1)).update(pool_rate=Decimal("0.04"))
    plans_save(plans=[plan_values()], reason="test")
    clear()
    install(apps, None)
    assert list(Plan.objects.values_list("effective_from", "pool_rate")) == [
        (D(1900, 1, 1), Decimal("0.04")),
        (D(2026, 1, 1), Decimal("0.05")),
    ]
    assert facts_pending() == []

    Plan.objects.all().delete()
    install(apps, None)
    assert list(Plan.objects.values_list("effective_from", "pool_rate")) == [(D(1900, 1, 1), Decimal("0.05"))]
    assert facts_pending() == []

    # A database with orders and no plan: the orders now have one.
    from tandem.customers.models import Customer
    from tandem.sales.models import Order

    Customer.objects.create(customer_id="C1", name="客户", acquired_on=D(2026, 1, 1))
    Order.objects.create(order_id="O1", customer_id="C1", order_date=D(2026, 2, 1), amount="10.00")
    clear()
    Plan.objects.all().delete()
    install(apps, None)
    assert Plan.objects.count() == 1
    assert plan_facts() == [D(1900, 1, 1)]


def test_every_problem_is_worded_in_chinese_and_english():
    assert set(plan_messages._REASONS) == set(CODES)
    params = {"allowed": "a, b", "max": 64, "other": 0, "value": "x", "places": 6, "scenario": "standard", "total": "0.9"}
    for code in CODES:
        zh = plan_problem_reason(PlanProblem(code, "pool_rate", params))
        with translation.override("en"):
            en = plan_problem_reason(PlanProblem(code, "pool_rate", params))
        assert re.search(r"[\u4e00-\u9fff]", zh), code
        assert not re.search(r"[\u4e00-\u9fff]", en), (code, en)
    problem = PlanProblem("split_sum", "splits.standard", {"scenario": "standard", "total": "0.9"})
    assert plan_problem_reason(problem) == "分配比例之和必须恰好为 1，当前为 0.9"
    with translation.override("en"):
        assert plan_problem_reason(problem) == "the weights must add up to exactly 1, not 0.9"


def test_plans_save_upserts_by_day_and_records_the_earliest_day():
    saved = plans_save(plans=[plan_values(), plan_values(name="2025", effective_from="2025-07-01")], reason="test")
    assert (saved.created, saved.updated, saved.unchanged) == (2, 0, 0)
    assert [p.effective_from for p in saved.plans] == [D(2026, 1, 1), D(2025, 7, 1)]
    assert plan_facts() == [D(2025, 7, 1)]
    clear()
    again = plans_save(plans=[plan_values(), plan_values(name="2025", effective_from="2025-07-01", pool_rate="0.06")],
                       reason="test")
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert plan_facts() == [D(2025, 7, 1)]
    clear()
    plans_save(plans=[plan_values()], reason="test")
    assert plan_facts() == []
    assert [h.history_change_reason for h in Plan.history.filter(effective_from=D(2025, 7, 1))] == ["test", "test"]


def test_plans_save_refuses_a_plan_that_breaks_the_rules_and_writes_nothing():
    bad = plan_values(splits={**SPLITS, "standard": {"sales": "0.60", "service": "0.30"}})
    with pytest.raises(InvalidInput) as excinfo:
        plans_save(plans=[plan_values(effective_from="2027-01-01"), bad], reason="test")
    assert str(excinfo.value) == "方案无效：共 1 处错误，没有写入任何方案"
    assert excinfo.value.problems == ["plans[1].splits.standard: 分配比例之和必须恰好为 1，当前为 0.90"]
    assert Plan.objects.count() == 1
    assert facts_pending() == []
    with translation.override("en"), pytest.raises(InvalidInput) as excinfo:
        plans_save(plans=[bad], reason="test")
    assert str(excinfo.value) == "invalid plans: 1 problem, no plan was written"


def test_plans_delete_records_the_day_of_the_deleted_plan():
    plans_save(plans=[plan_values()], reason="test")
    clear()
    assert plans_delete(effective_from=[D(2026, 1, 1), D(2030, 1, 1)], reason="test") == 1
    assert list(Plan.objects.values_list("effective_from", flat=True)) == [D(1900, 1, 1)]
    assert plan_facts() == [D(2026, 1, 1)]
    assert Plan.history.filter(effective_from=D(2026, 1, 1)).latest().history_type == "-"
    clear()
    assert plans_delete(effective_from=[D(2030, 1, 1)], reason="test") == 0
    assert facts_pending() == []


# --------------------------------------------------------------------------- #
# The plan admin
# --------------------------------------------------------------------------- #


def admin_form(**changes: object) -> dict[str, str]:
    data = {
        "name": "协作提成方案 2026",
        "effective_from": "2026-01-01",
        "pool_rate": "0.05",
        "category_rates": json.dumps({"equipment": "0.03"}),
        "splits": json.dumps(SPLITS),
    }
    data.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in changes.items()})
    return data


def test_admin_shows_the_rules_problems_on_their_fields_and_writes_nothing(admin_client):
    splits = {**SPLITS, "standard": {"sales": "0.70", "service": "0.31"}, "referral": {"sales": "1", "service": "0"}}
    data = admin_form(pool_rate="1.5", category_rates={"equipment": 0.03}, splits=splits)
    response = admin_client.post("/admin/commissions/plan/add/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "pool_rate": ["必须在 0 到 1 之间：「1.5」"],
        "category_rates": ['equipment: 应为用引号括起的小数，如 "0.05"'],
        "splits": [
            "standard: 分配比例之和必须恰好为 1，当前为 1.01",
            "referral.service: 该场景不允许此角色（允许：sales, referrer_service）",
        ],
    }
    assert Plan.objects.count() == 1
    assert facts_pending() == []

    # A field whose own check fails shows that alone.
    response = admin_client.post("/admin/commissions/plan/add/", admin_form(splits="{", pool_rate="0.0000001"))
    errors = response.context["adminform"].form.errors
    assert (sorted(errors), len(errors["splits"]), len(errors["pool_rate"])) == (["pool_rate", "splits"], 1, 1)
    assert "JSON" in errors["splits"][0]

    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = admin_client.post("/admin/commissions/plan/add/", admin_form(splits={"standard": SPLITS["standard"]}))
    assert response.context["adminform"].form.errors == {
        "splits": [
            "inherited: the split of this scenario is missing",
            "referral: the split of this scenario is missing",
        ]
    }
    # A day that already has a plan is another plan's: the model's own check.
    response = admin_client.post("/admin/commissions/plan/add/", admin_form(effective_from="1900-01-01"))
    assert list(response.context["adminform"].form.errors) == ["effective_from"]


def test_admin_adds_changes_and_deletes_plans_through_the_services(admin_client, admin_user):
    response = admin_client.post("/admin/commissions/plan/add/", admin_form(category_rates=""))
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = Plan.objects.get(effective_from=D(2026, 1, 1))
    assert (plan.name, plan.category_rates, plan.splits) == ("协作提成方案 2026", {}, SPLITS)
    added = plan.history.get()
    assert (added.history_change_reason, added.history_user) == ("admin", admin_user)
    assert plan_facts() == [D(2026, 1, 1)]
    clear()

    default = Plan.objects.get(effective_from=D(1900, 1, 1))
    page = admin_client.get(f"/admin/commissions/plan/{default.pk}/change/")
    assert b'name="effective_from"' not in page.content  # a plan's day is what it is
    response = admin_client.post(
        f"/admin/commissions/plan/{default.pk}/change/",
        {k: v for k, v in admin_form(pool_rate="0.06", name="默认协作方案").items() if k != "effective_from"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Plan.objects.values_list("effective_from", "pool_rate")) == [
        (D(1900, 1, 1), Decimal("0.06")),
        (D(2026, 1, 1), Decimal("0.05")),
    ]
    assert plan_facts() == [D(1900, 1, 1)]
    clear()

    response = admin_client.post(f"/admin/commissions/plan/{plan.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert plan_facts() == [D(2026, 1, 1)]
    clear()
    response = admin_client.post(
        "/admin/commissions/plan/",
        {"action": "delete_selected", "_selected_action": [default.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert Plan.objects.count() == 0
    assert plan_facts() == [D(1900, 1, 1)]
