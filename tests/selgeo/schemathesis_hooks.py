"""schemathesis hooks for tests/selgeo/test_schemathesis.py (loaded by schemathesis, not pytest).

A conversion's `occurred_at` must not be in the future (beyond a few minutes of clock
skew): no OpenAPI 3.0 keyword bounds a date-time by the present, so a generated moment
after now is moved to a fixed past one before the request is sent. Everything else the
generator wrote is sent as it is, and every check still judges the answer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import schemathesis

PAST = "2026-01-01T00:00:00Z"


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: Any) -> None:
    if case.operation.method.upper() != "POST" or case.operation.path != "/api/v1/conversions":
        return
    body = case.body
    moment = body.get("occurred_at") if isinstance(body, dict) else None
    if not isinstance(moment, str):
        return
    try:
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return
    if parsed.tzinfo is not None and parsed > datetime.now(UTC):
        body["occurred_at"] = PAST
