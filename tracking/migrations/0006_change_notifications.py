"""Statement-level triggers that NOTIFY selgeo_changes when a cached table changes."""

from __future__ import annotations

from typing import Any

from django.db import migrations

CHANNEL = "selgeo_changes"
# selgeo.changes.WATCHED_TABLES as of this migration.
WATCHED_TABLES = (
    "accounts_apikey",
    "accounts_merchant",
    "accounts_partner",
    "partners_program",
    "partners_referralcode",
)

FUNCTION = f"""
CREATE OR REPLACE FUNCTION selgeo_notify_change() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in WATCHED_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER selgeo_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION selgeo_notify_change()"
        )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in WATCHED_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS selgeo_notify_change ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS selgeo_notify_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0005_click_foreign_keys_without_constraints"),
        ("accounts", "0001_initial"),
        ("partners", "0003_referral_code_lower_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
