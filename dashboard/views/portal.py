"""The partner portal: my programs (links and codes), profile, self-erasure."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, render

from dashboard.access import PartnerRequest, partner_view
from dashboard.figures import program_figures
from dashboard.forms import add_service_errors
from dashboard.partner_forms import ConfirmByNameForm, ProfileForm, ReferralCodeForm
from dashboard.views.portal_terms import terms_notices
from partners import selectors, services
from partners.models import Application, ApplicationStatus, ProgramStatus
from selgeo.api.errors import ApiError, ValidationFailed


def _code_form(program_id: object, data: Any = None) -> ReferralCodeForm:
    # One form per program card: the ids carry the program so that labels stay unique.
    return ReferralCodeForm(data, initial={"program": program_id}, auto_id=f"code-{program_id}-%s")


def _my_programs(
    request: PartnerRequest, bound: ReferralCodeForm | None = None
) -> list[dict[str, Any]]:
    """One card per approved program: its links, promo codes and a form for another link."""
    scope: dict[str, Any] = {"partner": request.partner, "mode": request.mode}
    approved = (
        selectors.applications_of(**scope)
        .filter(status=ApplicationStatus.APPROVED)
        .order_by("program__merchant__name", "program__name")
    )
    referral: dict[uuid.UUID, list[Any]] = defaultdict(list)
    promo: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for code in selectors.referral_codes_of(**scope).order_by("-is_default", "created_at"):
        referral[code.program_id].append(code)
    for promo_code in selectors.promo_codes_of(**scope).order_by("created_at"):
        promo[promo_code.program_id].append(promo_code)
    figures = program_figures(**scope)
    cards = []
    for application in approved:
        program = application.program
        form = bound if bound is not None and bound.data.get("program") == str(program.pk) else None
        cards.append(
            {
                "program": program,
                "application": application,
                "referral_codes": referral[program.pk],
                "promo_codes": promo[program.pk],
                "takes_codes": program.status != ProgramStatus.ARCHIVED,
                "code_form": form or _code_form(program.pk),
                "last_30_days": figures.get(program.pk, {"clicks": 0, "conversions": 0}),
            }
        )
    return cards


def _approved_application(request: PartnerRequest, program_id: uuid.UUID) -> Application | None:
    return (
        selectors.applications_of(partner=request.partner, mode=request.mode)
        .filter(program_id=program_id, status=ApplicationStatus.APPROVED)
        .first()
    )


@partner_view
def home(request: PartnerRequest) -> HttpResponse:
    """My programs; a POST here creates another referral code for one of them."""
    bound = None
    if request.method == "POST":
        bound = _code_form(request.POST.get("program", ""), request.POST)
        valid = bound.is_valid()
        application = (
            _approved_application(request, bound.cleaned_data["program"]) if valid else None
        )
        if application is None and (valid or bound.has_error("program")):
            # Only a tampered form names a program without a card to show the error on.
            messages.error(request, "You are not approved in this program.")
            return redirect("portal:home")
        if application is not None:
            try:
                code = services.referral_code_create(
                    program=application.program,
                    partner=request.partner,
                    code=bound.cleaned_data["code"].strip() or None,
                )
            except ValidationFailed as exc:
                add_service_errors(bound, exc.details, exc.message)
            except ApiError as exc:
                bound.add_error("code", exc.message)
            else:
                messages.success(request, f"Your new referral code {code.code} is ready.")
                return redirect("portal:home")
    pending = (
        selectors.applications_of(partner=request.partner, mode=request.mode)
        .filter(status=ApplicationStatus.PENDING)
        .count()
    )
    return render(
        request,
        "portal/home.html",
        {
            "section": "home",
            "cards": _my_programs(request, bound),
            "pending": pending,
            "terms_notices": terms_notices(request.partner, request.mode),
        },
    )


@partner_view
def profile(request: PartnerRequest) -> HttpResponse:
    partner = request.partner
    initial = {
        "display_name": partner.display_name,
        "website": partner.website,
        "country": partner.country,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_profile_update(partner=partner, changes=form.changes())
        except ValidationFailed as exc:
            add_service_errors(form, exc.details, exc.message)
        except ApiError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Your profile was saved.")
            return redirect("portal:profile")
    return render(
        request,
        "portal/profile.html",
        {"section": "profile", "form": form},
    )


@partner_view
def erase(request: PartnerRequest) -> HttpResponse:
    """Self-service erasure (GDPR), confirmed by typing the display name; then log out."""
    form = ConfirmByNameForm(request.POST or None, expected=request.partner.display_name)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_erase(partner=request.partner)
        except ApiError as exc:
            form.add_error(None, exc.message)
        else:
            logout(request)
            messages.success(request, "Your partner data was erased and you were logged out.")
            return redirect("portal:login")
    return render(request, "portal/erase.html", {"section": "profile", "form": form})
