"""Developers: "test your integration", a test session followed live on the page.

The session is created by the same service as `POST /api/v1/test-sessions`. Its token is
the only handle the conversions app offers for reading a session back, so the page keeps
the tokens of the sessions this browser created in the signed-in user's server-side
session: another user, another browser or the other mode finds nothing (404).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts import selectors as accounts_selectors
from accounts.models import ApiKey, Mode
from conversions import sandbox
from conversions import selectors as conversion_selectors
from conversions.models import TestSession, TestSessionStatus
from dashboard.access import MerchantRequest, merchant_view
from dashboard.developer_forms import TestSessionForm
from dashboard.forms import add_service_errors
from partners import selectors as partner_selectors
from partners.models import ProgramStatus
from selgeo.api.errors import ApiError, ValidationFailed

SESSION_TEST_SESSIONS = "selgeo_test_sessions"
# Older sessions drop out of the browser session; they expire within the hour anyway.
KEPT_SESSIONS = 5


def _programs(request: MerchantRequest) -> Any:
    return (
        partner_selectors.programs_for(merchant=request.merchant, mode=request.mode)
        .filter(status=ProgramStatus.PUBLISHED)
        .order_by("name")
    )


def _remember(request: MerchantRequest, session: TestSession, token: str) -> None:
    kept: dict[str, str] = dict(request.session.get(SESSION_TEST_SESSIONS) or {})
    kept[str(session.pk)] = token
    request.session[SESSION_TEST_SESSIONS] = dict(list(kept.items())[-KEPT_SESSIONS:])


def _session(request: MerchantRequest, session_id: uuid.UUID) -> tuple[TestSession, str]:
    token = (request.session.get(SESSION_TEST_SESSIONS) or {}).get(str(session_id))
    if request.mode != Mode.TEST or not token:
        raise Http404("No such test session")
    session = conversion_selectors.test_session_by_token(
        merchant=request.merchant, mode=request.mode, token=token
    )
    if session is None or session.pk != session_id:
        raise Http404("No such test session")
    return session, token


def _secret_key(request: MerchantRequest) -> ApiKey | None:
    """The newest usable test secret key, to name it (redacted) in the example."""
    keys = accounts_selectors.api_keys_for(merchant=request.merchant, mode=Mode.TEST)
    return next((k for k in keys.filter(kind="secret") if k.is_active()), None)


def _status_context(session: TestSession) -> dict[str, Any]:
    status = sandbox.test_session_status(session)
    conversion = session.conversion
    return {
        "session": session,
        "status": status,
        "status_label": TestSessionStatus(status).label,
        # Polling stops once the session no longer accepts attempts.
        "polling": session.expires_at > timezone.now(),
        # What the page shows; a poll that has seen it gets 204 and htmx swaps nothing.
        "version": f"{status}.{session.attempts}",
        "fields": sorted((session.validation or {}).get("fields", {}).items()),
        "explanation": conversion.attribution_explanation if conversion else None,
        "attributed": conversion.attributed if conversion else None,
        "conversion": conversion,
    }


@merchant_view(admin=True)
def integration_test(request: MerchantRequest) -> HttpResponse:
    if request.mode != Mode.TEST:
        return render(
            request, "dashboard/integration_test.html", {"section": "developers", "live": True}
        )
    programs = _programs(request)
    form = TestSessionForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        try:
            session, token = sandbox.test_session_create(
                merchant=request.merchant,
                mode=request.mode,
                program_code=form.cleaned_data["program"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.details, exc.message)
        except ApiError as exc:
            form.add_error(None, exc.message)
        else:
            _remember(request, session, token)
            return redirect("dashboard:integration-session", session.pk)
    return render(
        request,
        "dashboard/integration_test.html",
        {"section": "developers", "form": form, "has_programs": programs.exists()},
    )


@merchant_view(admin=True)
def integration_session(request: MerchantRequest, session_id: uuid.UUID) -> HttpResponse:
    session, token = _session(request, session_id)
    program = session.program
    return render(
        request,
        "dashboard/integration_session.html",
        {
            "section": "developers",
            "token": token,
            "program": program,
            "secret_key": _secret_key(request),
            "api_base": settings.SELGEO_PUBLIC_URL,
            "transaction_id": f"test_{session.pk.hex[-12:]}",
            **_status_context(session),
        },
    )


@merchant_view(admin=True)
def integration_session_status(request: MerchantRequest, session_id: uuid.UUID) -> HttpResponse:
    """The status block alone, for htmx to swap in every two seconds, when it changed.

    An unchanged block is not sent again (204), so a screen reader does not announce the
    same status every two seconds.
    """
    session, _ = _session(request, session_id)
    context = _status_context(session)
    if context["polling"] and request.GET.get("seen") == context["version"]:
        return HttpResponse(status=204)
    return render(request, "dashboard/_test_session_status.html", context)
