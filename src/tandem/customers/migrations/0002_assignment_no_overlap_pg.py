"""On PostgreSQL the database itself refuses overlapping ownership rows for
one customer and role (the service layer checks the same on every database)."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE customers_assignment ADD CONSTRAINT assignment_no_overlap
EXCLUDE USING gist (
    customer_id WITH =,
    role WITH =,
    daterange(valid_from, valid_to, '[)') WITH &&
);
"""
DROP = "ALTER TABLE customers_assignment DROP CONSTRAINT IF EXISTS assignment_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
