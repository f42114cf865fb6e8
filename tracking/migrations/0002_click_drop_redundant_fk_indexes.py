"""Drop the single-column foreign-key indexes the composite click indexes already cover.

Clicks are the hot table: every index is one more write per click. The composite
indexes (merchant, mode, created_at), (program, created_at) and (partner, created_at)
lead with the same columns, so they serve both the aggregations and the cascades.
The indexes go with DROP INDEX CONCURRENTLY on PostgreSQL, outside a transaction, so
that a large table keeps taking clicks while this runs. Source choices are state only.
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = ("merchant_id", "program_id", "partner_id")


def _concurrently(schema_editor):
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def drop_fk_indexes(apps, schema_editor):
    connection = schema_editor.connection
    table = apps.get_model("tracking", "Click")._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    for name, info in sorted(constraints.items()):
        if (
            info.get("index")
            and not info.get("primary_key")
            and not info.get("unique")
            and len(info.get("columns") or []) == 1
            and info["columns"][0] in COLUMNS
        ):
            schema_editor.execute(
                f"DROP INDEX {_concurrently(schema_editor)}IF EXISTS "
                f"{schema_editor.quote_name(name)}"
            )


def create_fk_indexes(apps, schema_editor):
    table = apps.get_model("tracking", "Click")._meta.db_table
    for column in COLUMNS:
        name = schema_editor._create_index_name(table, [column])
        schema_editor.execute(
            f"CREATE INDEX {_concurrently(schema_editor)}IF NOT EXISTS "
            f"{schema_editor.quote_name(name)} ON {schema_editor.quote_name(table)} "
            f"({schema_editor.quote_name(column)})"
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0001_initial"),
        ("partners", "0001_initial"),
        ("tracking", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="click",
                    name="merchant",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.merchant",
                    ),
                ),
                migrations.AlterField(
                    model_name="click",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.partner",
                    ),
                ),
                migrations.AlterField(
                    model_name="click",
                    name="program",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="partners.program",
                    ),
                ),
                migrations.AlterField(
                    model_name="click",
                    name="source",
                    field=models.CharField(
                        choices=[
                            ("link", "Tracking link"),
                            ("browser", "Browser snippet (selgeo.js)"),
                            ("api", "Server-side API call"),
                            ("test", "Test session"),
                        ],
                        default="api",
                        max_length=10,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_fk_indexes, create_fk_indexes)],
        ),
    ]
