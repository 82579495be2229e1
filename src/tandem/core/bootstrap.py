"""Start Django for the command line: settings, then the schema, migrated on
first use so every command works on an empty database."""

from __future__ import annotations

import os

_ready = False


def setup(*, migrate: bool = True) -> None:
    global _ready
    if _ready:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.config.settings")
    import django

    django.setup()
    from django.utils import translation

    translation.activate(language())
    if migrate:
        migrate_if_needed()
    _ready = True


def migrate_if_needed() -> bool:
    """Apply pending migrations; returns True when any were applied."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return False
    # A new database gets the shipped default plan from a migration of
    # commissions (0006_default_plan).
    call_command("migrate", interactive=False, verbosity=0)
    return True


def language() -> str:
    """The language of messages on the command line: zh-hans unless
    TANDEM_LANGUAGE (or --lang) says en."""
    lang = os.environ.get("TANDEM_LANGUAGE", "zh-hans").lower().replace("_", "-")
    return "en" if lang.startswith("en") else "zh-hans"
