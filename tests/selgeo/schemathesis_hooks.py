"""schemathesis hooks for tests/selgeo/test_schemathesis.py (loaded by schemathesis, not pytest).

A conversion's `occurred_at` lies between 1970-01-01 and now (a few minutes of clock
skew allowed), as its description says: no OpenAPI 3.0 keyword bounds a date-time, so a
generated moment outside is moved to a fixed one inside before the request is sent.
Likewise its `metadata` holds at most 4,096 bytes of JSON, 8 levels of nesting and no
NUL in any text, as its description says and no keyword can: a generated object that
breaks one of those is replaced by a small one that keeps them. Everything else the
generator wrote is sent as it is, and every check judges the answer.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import schemathesis

PAST = "2026-01-01T00:00:00Z"
METADATA_INSIDE = {"order_channel": "web"}


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _metadata_outside_its_description(metadata: dict[str, Any]) -> bool:
    text = json.dumps(metadata)
    return "\\u0000" in text or len(text.encode()) > 4096 or _depth(metadata) > 8


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: Any) -> None:
    if case.operation.method.upper() != "POST" or case.operation.path != "/api/v1/conversions":
        return
    body = case.body
    metadata = body.get("metadata") if isinstance(body, dict) else None
    if isinstance(metadata, dict) and _metadata_outside_its_description(metadata):
        body["metadata"] = dict(METADATA_INSIDE)
    moment = body.get("occurred_at") if isinstance(body, dict) else None
    if not isinstance(moment, str):
        return
    try:
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return
    if parsed.tzinfo is None:
        return
    if parsed > datetime.now(UTC) or parsed < datetime(1970, 1, 1, tzinfo=UTC):
        body["occurred_at"] = PAST
