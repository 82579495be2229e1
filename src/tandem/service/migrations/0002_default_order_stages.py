"""The default states of order follow-up (跟单); a company changes them in
the admin (through `order_stage_upsert`)."""

from django.db import migrations

from tandem.service.choices import DEFAULT_STAGES


def create(apps, schema_editor):
    OrderStage = apps.get_model("service", "OrderStage")
    for code, name, position, milestone in DEFAULT_STAGES:
        OrderStage.objects.get_or_create(
            code=code, defaults={"name": name, "position": position, "milestone": milestone}
        )


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
