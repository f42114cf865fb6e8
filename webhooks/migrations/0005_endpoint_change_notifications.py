"""Announce subscription changes of webhook endpoints on selgeo_changes (selgeo.changes).

Only the columns that decide who receives an event fire the trigger: every delivery
writes its endpoint's health columns, and those must not drop every process's caches.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TRIGGER = (
    "CREATE TRIGGER selgeo_notify_change "
    "AFTER INSERT OR DELETE OR TRUNCATE "
    "OR UPDATE OF merchant_id, mode, event_types, disabled_at "
    "ON webhooks_webhookendpoint FOR EACH STATEMENT EXECUTE FUNCTION selgeo_notify_change()"
)


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS selgeo_notify_change ON webhooks_webhookendpoint")


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0004_partial_event_indexes"),
        ("tracking", "0006_change_notifications"),
    ]

    operations = [migrations.RunPython(create, drop)]
