"""The partner portal's view of commission terms: a program's terms history, and notices
of recent changes on the home page."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Partner
from dashboard.access import PartnerRequest, partner_view
from partners import selectors
from partners import terms as terms_selectors
from partners.models import ApplicationStatus
from partners.terms_mails import terms_text

# How long a change of terms stays announced on the portal's home page.
NOTICE_DAYS = 30


def terms_notices(partner: Partner, mode: str) -> list[dict[str, Any]]:
    since = timezone.now() - timedelta(days=NOTICE_DAYS)
    return [
        {
            "version": version,
            "program": version.program,
            "now_text": terms_text(version, version.program.currency),
        }
        for version in terms_selectors.recent_versions_for_partner(
            partner=partner, mode=mode, since=since
        )
    ]


@partner_view
def program_terms(request: PartnerRequest, program_id: uuid.UUID) -> HttpResponse:
    """The terms history of a program the partner is approved in."""
    application = (
        selectors.applications_of(partner=request.partner, mode=request.mode)
        .filter(program_id=program_id, status=ApplicationStatus.APPROVED)
        .select_related("program", "program__merchant")
        .first()
    )
    if application is None:
        raise Http404("No such program")
    program = application.program
    versions = [
        {"version": v, "text": terms_text(v, program.currency)}
        for v in terms_selectors.terms_versions_of(program).order_by("-number")
    ]
    return render(
        request,
        "portal/terms_history.html",
        {"section": "home", "program": program, "versions": versions},
    )
