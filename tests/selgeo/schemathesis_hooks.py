"""schemathesis hooks for tests/selgeo/test_schemathesis.py (loaded by schemathesis, not pytest).

A conversion's `occurred_at` lies between 1970-01-01 and now (a few minutes of clock
skew allowed), as its description says: no OpenAPI 3.0 keyword bounds a date-time, so a
generated moment outside is moved to a fixed one inside before the request is sent.
Everything else the generator wrote is sent as it is, and every check judges the answer.
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
    if parsed.tzinfo is None:
        return
    if parsed > datetime.now(UTC) or parsed < datetime(1970, 1, 1, tzinfo=UTC):
        body["occurred_at"] = PAST
