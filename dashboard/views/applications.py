"""The applications review queue: pending first, filters, approve or reject with a message."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dashboard.access import MerchantRequest, merchant_view
from dashboard.paging import paginate
from dashboard.partner_forms import ApplicationFilterForm, DecisionForm
from dashboard.redirects import safe_next
from partners import selectors, services
from partners.models import ApplicationStatus
from selgeo.api.errors import ApiError

DECISIONS = {"approve": services.application_approve, "reject": services.application_reject}


@merchant_view()
def application_list(request: MerchantRequest) -> HttpResponse:
    scope: dict[str, Any] = {"merchant": request.merchant, "mode": request.mode}
    programs = selectors.programs_for(**scope).order_by("name")
    filters = ApplicationFilterForm(request.GET, programs=programs)
    applications = selectors.applications_for(**scope)
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            applications = applications.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["program"]:
            applications = applications.filter(program_id=filters.cleaned_data["program"])
    pending_first = Case(
        When(status=ApplicationStatus.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return render(
        request,
        "dashboard/applications.html",
        {
            "section": "applications",
            "filters": filters,
            "decision_form": DecisionForm(),
            **paginate(request, applications.order_by(pending_first, "-created_at")),
        },
    )


@require_POST
@merchant_view()
def application_decide(
    request: MerchantRequest, application_id: uuid.UUID, decision: str
) -> HttpResponse:
    application = get_object_or_404(
        selectors.applications_for(merchant=request.merchant, mode=request.mode),
        pk=application_id,
    )
    decide = DECISIONS.get(decision)
    if decide is None:
        raise Http404("No such decision")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The message is too long: at most 2000 characters.")
    else:
        try:
            decide(application=application, message=form.cleaned_data["message"])
        except ApiError as exc:
            messages.error(request, exc.message)
        else:
            verb = "approved for" if decision == "approve" else "rejected from"
            messages.success(
                request,
                f"{application.partner.display_name} was {verb} {application.program.name}.",
            )
    return redirect(safe_next(request, reverse("dashboard:applications")))
