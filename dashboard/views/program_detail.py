"""A program's page: terms, the tracking snippet and link format, its partners and codes,
and its invitations (an address and a status until the partner accepts)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts.models import ApiKey, KeyKind
from dashboard.access import MerchantRequest, merchant_view
from dashboard.forms import add_service_errors
from dashboard.list_figures import figures_per
from dashboard.paging import paginate
from dashboard.program_forms import InviteForm
from dashboard.report_forms import RangeForm
from dashboard.views.programs import scoped_program
from fx import selectors as fx_selectors
from partners import rules, selectors, services
from partners.models import Program, ProgramStatus
from selgeo.api.errors import ApiError, RateLimitExceeded, ValidationFailed

INVITATIONS_SHOWN = 50

# Status buttons in the order they are shown, with the status each one leads to.
STATUS_BUTTONS = [
    ("publish", ProgramStatus.PUBLISHED, "Publish"),
    ("pause", ProgramStatus.PAUSED, "Pause"),
    ("archive", ProgramStatus.ARCHIVED, "Archive"),
]


def _public_key(request: MerchantRequest) -> ApiKey | None:
    """The mode's first working public key: the one the snippet should carry."""
    keys = account_selectors.api_keys_for(merchant=request.merchant, mode=request.mode)
    return next((key for key in keys.filter(kind=KeyKind.PUBLIC) if key.is_active()), None)


def _partner_rows(
    request: MerchantRequest, program: Program, *, reporting: str, days: int
) -> dict[str, Any]:
    scope: dict[str, Any] = {"merchant": request.merchant, "mode": request.mode}
    applications = (
        selectors.applications_for(**scope).filter(program=program).order_by("-created_at")
    )
    page = paginate(request, applications)
    partner_ids = [application.partner_id for application in page["page_obj"]]
    referral: dict[uuid.UUID, list[Any]] = defaultdict(list)
    promo: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for code in selectors.referral_codes_for(**scope).filter(
        program=program, partner_id__in=partner_ids
    ):
        referral[code.partner_id].append(code)
    for promo_code in selectors.promo_codes_for(**scope).filter(
        program=program, partner_id__in=partner_ids
    ):
        promo[promo_code.partner_id].append(promo_code)
    figures = figures_per(
        "partner_id",
        partner_ids,
        **scope,
        reporting=reporting,
        days=days,
        program=program,
    )
    rows = [
        {
            "application": application,
            "referral_codes": referral[application.partner_id],
            "promo_codes": promo[application.partner_id],
            "figures": figures[application.partner_id],
        }
        for application in page["page_obj"]
    ]
    return {**page, "rows": rows}


def render_detail(
    request: MerchantRequest, program: Program, invite_form: InviteForm | None = None
) -> HttpResponse:
    allowed = rules.PROGRAM_TRANSITIONS[program.status]
    scope: dict[str, Any] = {"merchant": request.merchant, "mode": request.mode}
    reporting = fx_selectors.reporting_currency_of(request.merchant)
    range_form = RangeForm({"range": request.GET.get("range") or "30"})
    days = range_form.days()
    return render(
        request,
        "dashboard/program_detail.html",
        {
            "section": "programs",
            "program": program,
            "public_key": _public_key(request),
            "status_buttons": [
                (action, label) for action, target, label in STATUS_BUTTONS if target in allowed
            ],
            "invite_form": invite_form or InviteForm(),
            "invitations": selectors.invitations_for(**scope)
            .filter(program=program)
            .order_by("-created_at")[:INVITATIONS_SHOWN],
            "can_invite": program.status == ProgramStatus.PUBLISHED,
            "range_form": range_form,
            "days": days,
            "reporting_currency": reporting,
            "totals": figures_per(
                "program_id", [program.pk], **scope, reporting=reporting, days=days
            )[program.pk],
            **_partner_rows(request, program, reporting=reporting, days=days),
        },
    )


@merchant_view()
def program_detail(request: MerchantRequest, program_id: uuid.UUID) -> HttpResponse:
    return render_detail(request, scoped_program(request, program_id))


@require_POST
@merchant_view()
def program_invite(request: MerchantRequest, program_id: uuid.UUID) -> HttpResponse:
    program = scoped_program(request, program_id)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation, created = services.invitation_create(
                program=program,
                email=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.details, exc.message)
        except RateLimitExceeded as exc:
            form.add_error(
                None,
                "You have sent as many invitations as an hour allows; "
                f"try again in {exc.retry_after // 60 + 1} minutes.",
            )
        else:
            messages.success(
                request,
                f"{invitation.email} is invited to {program.name}."
                if created
                else f"{invitation.email} is already invited to {program.name}.",
            )
            return redirect("dashboard:program", program.pk)
    return render_detail(request, program, invite_form=form)


@require_POST
@merchant_view()
def invitation_revoke(request: MerchantRequest, invitation_id: uuid.UUID) -> HttpResponse:
    invitation = get_object_or_404(
        selectors.invitations_for(merchant=request.merchant, mode=request.mode), pk=invitation_id
    )
    try:
        services.invitation_revoke(invitation=invitation)
    except ApiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The invitation of {invitation.email} is revoked.")
    return redirect("dashboard:program", invitation.program_id)
