"""A database without plans gets the shipped default plan
(commissions/default_plan.toml, spec/commission-rules.md §2), so commission
works before any plan file is loaded. A database that has plans keeps them."""

import tomllib
from decimal import Decimal
from pathlib import Path

from django.db import migrations
from django.utils import timezone

DEFAULT_PLAN = Path(__file__).resolve().parents[1] / "default_plan.toml"
REASON = "default_plan.toml"


def default_plan_install(apps, schema_editor):
    Plan = apps.get_model("commissions", "Plan")
    if Plan.objects.exists():
        return
    HistoricalPlan = apps.get_model("commissions", "HistoricalPlan")
    now = timezone.now()
    first = None
    for values in tomllib.loads(DEFAULT_PLAN.read_text(encoding="utf-8"))["plans"]:
        plan = Plan.objects.create(
            name=values["name"],
            effective_from=values["effective_from"],
            pool_rate=Decimal(values["pool_rate"]),
            category_rates=values.get("category_rates", {}),
            splits=values["splits"],
        )
        # The model's history is not recorded for a migration's models:
        # written here, so the plan's history starts with where it came from.
        HistoricalPlan.objects.create(
            id=plan.id,
            name=plan.name,
            effective_from=plan.effective_from,
            pool_rate=plan.pool_rate,
            category_rates=plan.category_rates,
            splits=plan.splits,
            history_date=now,
            history_change_reason=REASON,
            history_type="+",
        )
        first = plan.effective_from if first is None else min(first, plan.effective_from)
    # Orders that had no plan in force now have one: the next run sees it
    # the way it sees a loaded plan (tandem.core.changes.plans_changed).
    if first is not None and apps.get_model("sales", "Order").objects.exists():
        apps.get_model("core", "ChangeFact").objects.create(subject="plans", ident="", role="", since=first)


class Migration(migrations.Migration):
    dependencies = [
        ("commissions", "0005_line_vocabulary"),
        ("core", "0001_initial"),
        ("sales", "0001_initial"),
    ]

    # Going back leaves the plan: it may have been edited since.
    operations = [migrations.RunPython(default_plan_install, migrations.RunPython.noop)]
