from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="changefact",
            name="item",
            field=models.CharField(blank=True, db_default="", max_length=64, verbose_name="记录"),
        ),
    ]
