"""Writes for webhooks. `emit()` is the seam every other app reports events through."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts.models import Merchant
from webhooks.models import Event

API_VERSION = "v1"


def _jsonable(data: Any) -> Any:
    # UUIDs, datetimes and Decimals become the strings the API returns for them.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@transaction.atomic
def emit(*, merchant: Merchant, mode: str, type: str, data: dict[str, Any]) -> Event:
    """Record an event in the caller's transaction (outbox); delivery follows on commit."""
    now = timezone.now()
    event = Event(merchant=merchant, mode=mode, type=type, created_at=now, payload={})
    event.payload = {
        "id": event.public_id,
        "type": type,
        "api_version": API_VERSION,
        "created": int(now.timestamp()),
        "mode": mode,
        "data": _jsonable(data),
    }
    event.save()
    return event
