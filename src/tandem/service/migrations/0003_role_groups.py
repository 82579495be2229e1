"""The role groups get their permissions on the service desk's models
(`staff.accounts.role_grants`); the permissions are created first, as in
staff/0002, so a fresh database has them filled."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def forwards(apps, schema_editor):
    from tandem.staff.accounts import role_groups_sync

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    role_groups_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0002_default_order_stages"),
        ("staff", "0002_role_groups"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
