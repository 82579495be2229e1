"""Dirty marks become change facts (tandem.core.changes): a mark "recompute
C from d" is the fact "the orders of C changed from d", which commissions
reads the same way."""

from django.db import migrations


def marks_to_facts(apps, schema_editor):
    DirtyCustomer = apps.get_model("commissions", "DirtyCustomer")
    ChangeFact = apps.get_model("core", "ChangeFact")
    ChangeFact.objects.bulk_create(
        (ChangeFact(subject="orders", ident=m.customer_id, since=m.since) for m in DirtyCustomer.objects.iterator()),
        batch_size=5_000,
    )


def facts_to_marks(apps, schema_editor):
    # Going back, every customer a fact names is recomputed whole.
    DirtyCustomer = apps.get_model("commissions", "DirtyCustomer")
    ChangeFact = apps.get_model("core", "ChangeFact")
    ids = set(ChangeFact.objects.filter(subject__in=["orders", "customer", "ownership"]).values_list("ident", flat=True))
    DirtyCustomer.objects.bulk_create((DirtyCustomer(customer_id=i) for i in ids), batch_size=5_000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("commissions", "0003_dirty_since"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(marks_to_facts, facts_to_marks),
        migrations.DeleteModel(name="DirtyCustomer"),
    ]
