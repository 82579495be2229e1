"""The role groups (sales, service, manager, finance, admin) and their model
permissions. Permissions are normally created after migrating; they are
created here first so the groups can be filled on a fresh database."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def forwards(apps, schema_editor):
    from tandem.staff.accounts import role_groups_sync

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    role_groups_sync(apps=apps)


def backwards(apps, schema_editor):
    from tandem.staff.accounts import ROLE_GROUPS

    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("staff", "0001_initial"),
        ("customers", "0002_assignment_no_overlap_pg"),
        ("sales", "0001_initial"),
        ("commissions", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
