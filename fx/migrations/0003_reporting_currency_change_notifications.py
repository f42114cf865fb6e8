"""Announce reporting currency changes on selgeo_changes (selgeo.changes), so that every
process drops the reporting currency it keeps for recording conversions."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TRIGGER = (
    "CREATE TRIGGER selgeo_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON fx_reportingcurrency FOR EACH STATEMENT EXECUTE FUNCTION selgeo_notify_change()"
)


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS selgeo_notify_change ON fx_reportingcurrency")


class Migration(migrations.Migration):
    dependencies = [
        ("fx", "0002_rate_set_effective_at"),
        ("tracking", "0006_change_notifications"),
    ]

    operations = [migrations.RunPython(create, drop)]
