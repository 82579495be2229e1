"""The default states of order follow-up (跟单); a company changes them in
the admin (through `order_stage_upsert`)."""

from django.db import migrations

DEFAULT_STAGES = (
    ("placed", "已下单", 10, ""),
    ("confirmed", "已确认", 20, ""),
    ("preparing", "备货/生产", 30, ""),
    ("shipped", "已发货", 40, "shipped"),
    ("delivered", "已签收", 50, "delivered"),
    ("completed", "已完成", 60, "done"),
    ("exception", "异常", 90, "exception"),
)


def create(apps, schema_editor):
    OrderStage = apps.get_model("service", "OrderStage")
    for code, name, position, milestone in DEFAULT_STAGES:
        OrderStage.objects.get_or_create(
            code=code, defaults={"name": name, "position": position, "milestone": milestone}
        )


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
