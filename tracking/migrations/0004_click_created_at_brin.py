"""An index on clicks by creation time alone, for the rollup that reads them in order.

Clicks are appended in time order, so on PostgreSQL a BRIN index (a few pages for
millions of rows, almost free to maintain) answers the rollup's time ranges; it is
created CONCURRENTLY, outside a transaction, so that clicks keep arriving meanwhile.
SQLite has no BRIN: the embedded mode gets a plain index instead.
"""

from django.db import migrations

NAME = "click_created_at_brin"


def create(apps, schema_editor):
    table = schema_editor.quote_name(apps.get_model("tracking", "Click")._meta.db_table)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON {table} USING brin (created_at)"
        )
    else:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {table} (created_at)")


def drop(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tracking", "0003_click_daily_rollups")]

    operations = [migrations.RunPython(create, drop)]
