"""Test sessions: a test click for checking a Conversion API integration end to end.

A merchant with a test secret key asks for a session on one of its test-mode
programs and gets a test click id and a token. It then sends a conversion with that
click id, the way its production code would; the session records the latest attempt:
whether it was accepted, which fields validated (or why not), and how it was
attributed. Sessions accept attempts for an hour.

The test click belongs to the program's first approved test-mode partner, so that the
conversion goes through the same attribution and commission rules as a real one.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Merchant, Mode
from conversions import selectors
from conversions.models import Conversion, TestSession, TestSessionStatus
from selgeo.api.errors import Forbidden, ValidationFailed
from tracking.models import Click

TEST_SESSION_TTL = timedelta(hours=1)
TOKEN_PREFIX = "tss_"  # noqa: S105  (a label, not a secret)


def _storable(text: str) -> str:
    # The report is stored as jsonb, which holds no NUL; a refused body may name one.
    return text.replace("\x00", "\\u0000")


def field_report(sent: list[str], details: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
    """Field name → {"status": "ok" | "error", "errors": [...]} for every field sent."""
    report: dict[str, dict[str, Any]] = {}
    for detail in details:
        entry = report.setdefault(_storable(detail["field"]), {"status": "error", "errors": []})
        entry["errors"].append(_storable(detail["message"]))
    for name in sent:
        report.setdefault(_storable(name), {"status": "ok", "errors": []})
    return dict(sorted(report.items()))


@transaction.atomic
def test_session_create(
    *, merchant: Merchant, mode: str, program_code: str
) -> tuple[TestSession, str]:
    """A session and its token (shown once); the token is stored as a digest."""
    if mode != Mode.TEST:
        raise Forbidden("Test sessions need a test-mode secret key (sk_test_*)")
    program = selectors.program_by_code(merchant=merchant, mode=mode, code=program_code)
    if program is None:
        raise ValidationFailed.field("program", f"No test-mode program with code {program_code!r}")
    partner = selectors.first_approved_partner(program=program)
    if partner is None:
        raise ValidationFailed.field(
            "program",
            f"Program {program.code} has no approved test-mode partner; approve one first",
        )
    now = timezone.now()
    # The click is written here rather than through the tracking endpoints: it is not a
    # visit, it has no IP, user agent or referrer, and it must exist before any visit.
    click = Click.objects.create(
        merchant=merchant,
        mode=mode,
        program=program,
        partner=partner,
        landing_url=program.landing_url,
        source="test",
        created_at=now,
        expires_at=now + timedelta(days=program.cookie_days),
    )
    token = TOKEN_PREFIX + secrets.token_urlsafe(24)
    session = TestSession.objects.create(
        merchant=merchant,
        mode=mode,
        program=program,
        click=click,
        token_hash=selectors.token_digest(token),
        created_at=now,
        expires_at=now + TEST_SESSION_TTL,
    )
    return session, token


def test_session_record_conversion(*, conversion: Conversion, sent: list[str]) -> None:
    """Called inside conversion_create: an accepted conversion on a session's click."""
    if conversion.click_id_raw is None:
        return
    now = timezone.now()
    session = selectors.test_session_for_click(
        merchant=conversion.merchant,
        mode=conversion.mode,
        click_id=conversion.click_id_raw,
        now=now,
    )
    if session is None:
        return
    TestSession.objects.filter(pk=session.pk).update(
        received_at=now,
        attempts=F("attempts") + 1,
        conversion=conversion,
        fields_valid=True,
        validation={"fields": field_report(sent, [])},
    )


@transaction.atomic
def test_session_record_rejection(
    *, merchant: Merchant, mode: str, body: Any, details: list[dict[str, str]]
) -> None:
    """A conversion refused as invalid whose click id names a live test session."""
    if mode != Mode.TEST or not isinstance(body, dict):
        return
    raw = body.get("click_id")
    if not isinstance(raw, str):
        return
    try:
        click_id = uuid.UUID(raw)
    except ValueError:
        return
    now = timezone.now()
    session = selectors.test_session_for_click(
        merchant=merchant, mode=mode, click_id=click_id, now=now
    )
    if session is None:
        return
    TestSession.objects.filter(pk=session.pk).update(
        received_at=now,
        attempts=F("attempts") + 1,
        conversion=None,
        fields_valid=False,
        validation={"fields": field_report(sorted(str(k) for k in body), details)},
    )


def test_session_status(session: TestSession, *, now: Any = None) -> str:
    now = now or timezone.now()
    if session.received_at is not None:
        return TestSessionStatus.RECEIVED
    return TestSessionStatus.EXPIRED if session.expires_at <= now else TestSessionStatus.WAITING
