"""Finding programs and applying: the partner's program browser, a merchant's public page,
the application form and the partner's applications."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import Merchant
from dashboard.access import PartnerRequest, current_mode, current_partner, partner_view
from dashboard.paging import paginate
from dashboard.partner_forms import ApplyForm, MerchantFilterForm
from partners import selectors, services
from partners.models import ApplicationStatus, ProgramStatus
from selgeo.api.errors import ApiError


@partner_view
def find_programs(request: PartnerRequest) -> HttpResponse:
    """Published public programs of every merchant, with the partner's application status."""
    listed = selectors.programs_visible_to(partner=request.partner, mode=request.mode).filter(
        status=ProgramStatus.PUBLISHED, is_public=True
    )
    merchants = (
        listed.order_by("merchant__name").values_list("merchant__slug", "merchant__name").distinct()
    )
    filters = MerchantFilterForm(request.GET, merchants=list(merchants))
    programs = listed
    if filters.is_valid():
        if filters.cleaned_data["merchant"]:
            programs = programs.filter(merchant__slug=filters.cleaned_data["merchant"])
        query = filters.cleaned_data["q"].strip()
        if query:
            programs = programs.filter(
                Q(name__icontains=query)
                | Q(description__icontains=query)
                | Q(merchant__name__icontains=query)
            )
    return render(
        request,
        "portal/programs.html",
        {
            "section": "programs",
            "filters": filters,
            **paginate(request, programs.order_by("merchant__name", "name")),
        },
    )


@partner_view
def apply(request: PartnerRequest, program_id: uuid.UUID) -> HttpResponse:
    program = get_object_or_404(
        selectors.programs_visible_to(partner=request.partner, mode=request.mode), pk=program_id
    )
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(
                partner=request.partner, program=program, message=form.cleaned_data["message"]
            )
        except ApiError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, f"You applied to {program.name}. {program.merchant.name} will review it."
            )
            return redirect("portal:applications")
    return render(
        request,
        "portal/apply.html",
        {"section": "programs", "program": program, "form": form},
    )


@partner_view
def applications(request: PartnerRequest) -> HttpResponse:
    rows = selectors.applications_of(partner=request.partner, mode=request.mode).order_by(
        "-created_at"
    )
    return render(
        request,
        "portal/applications.html",
        {"section": "applications", **paginate(request, rows)},
    )


def merchant_page(request: HttpRequest, merchant_slug: str) -> HttpResponse:
    """A merchant's public programs, for anyone: the page merchants link to to recruit.

    The mode is the visitor's (live unless a signed-in user switched to test), so a
    merchant can preview the page with test programs.
    """
    merchant = get_object_or_404(Merchant, slug=merchant_slug)
    mode = current_mode(request)
    programs = (
        selectors.programs_for(merchant=merchant, mode=mode)
        .filter(status=ProgramStatus.PUBLISHED, is_public=True)
        .order_by("name")
    )
    partner = current_partner(request)
    statuses: dict[uuid.UUID, str] = {}
    if partner is not None:
        statuses = dict(
            selectors.applications_of(partner=partner, mode=mode)
            .filter(program__merchant=merchant)
            .values_list("program_id", "status")
        )
    return render(
        request,
        "portal/merchant_page.html",
        {
            "merchant": merchant,
            "programs": [(program, statuses.get(program.pk)) for program in programs],
            "approved": ApplicationStatus.APPROVED,
            "page_mode": mode,
        },
    )
