"""Programs: the list, the create and edit forms (with live validation) and status changes."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Mode, User
from dashboard.access import MerchantRequest, merchant_view
from dashboard.csv_export import csv_response
from dashboard.list_figures import CSV_FIGURE_HEADER, figures_per
from dashboard.paging import paginate
from dashboard.program_forms import FORM_FIELD, ProgramFilterForm, ProgramForm, rule_errors
from fx import selectors as fx_selectors
from partners import selectors, services
from partners.models import Program
from partners.services.programs import EDITABLE_FIELDS
from selgeo.api.errors import ValidationFailed

STATUS_ACTIONS = {
    "publish": services.program_publish,
    "pause": services.program_pause,
    "archive": services.program_archive,
}


def scoped_program(request: MerchantRequest, program_id: uuid.UUID) -> Program:
    """The merchant's program in the current mode; any other id is a 404."""
    return get_object_or_404(
        selectors.programs_for(merchant=request.merchant, mode=request.mode), pk=program_id
    )


def _listed(request: MerchantRequest) -> tuple[ProgramFilterForm, QuerySet[Program]]:
    programs = selectors.programs_for(merchant=request.merchant, mode=request.mode)
    filters = ProgramFilterForm(request.GET)
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            programs = programs.filter(status=filters.cleaned_data["status"])
        query = filters.cleaned_data["q"].strip()
        if query:
            programs = programs.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return filters, programs.order_by("-created_at")


@merchant_view()
def program_list(request: MerchantRequest) -> HttpResponse:
    filters, programs = _listed(request)
    page = paginate(request, programs)
    reporting = fx_selectors.reporting_currency_of(request.merchant)
    figures = figures_per(
        "program_id",
        [program.pk for program in page["page_obj"]],
        merchant=request.merchant,
        mode=request.mode,
        reporting=reporting,
        days=filters.days(),
    )
    return render(
        request,
        "dashboard/programs.html",
        {
            "section": "programs",
            "filters": filters,
            "days": filters.days(),
            "reporting_currency": reporting,
            "rows": [(program, figures[program.pk]) for program in page["page_obj"]],
            **page,
        },
    )


@merchant_view()
def program_export(request: MerchantRequest) -> StreamingHttpResponse:
    """The programs list as CSV, with the same filters and range: figures in the
    reporting currency and in the original currencies."""
    filters, programs = _listed(request)
    reporting = fx_selectors.reporting_currency_of(request.merchant)
    days = filters.days()
    # A merchant has a handful of programs, not thousands: one batch of grouped queries.
    listed = list(programs)
    figures = figures_per(
        "program_id",
        [program.pk for program in listed],
        merchant=request.merchant,
        mode=request.mode,
        reporting=reporting,
        days=days,
    )
    rows = (
        [
            program.pk,
            program.code,
            program.name,
            program.status,
            program.currency,
            *figures[program.pk].csv_cells(reporting),
        ]
        for program in listed
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return csv_response(
        f"programs-{request.mode}-{days}d-{stamp}.csv",
        ["id", "code", "name", "status", "currency", *CSV_FIGURE_HEADER],
        rows,
    )


@merchant_view()
def program_create(request: MerchantRequest) -> HttpResponse:
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(
                merchant=request.merchant, mode=request.mode, **form.service_values()
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc.details, exc.message)
        else:
            messages.success(
                request, f"{program.name} was created as a draft. Publish it when it is ready."
            )
            return redirect("dashboard:program", program.pk)
    return render(
        request,
        "dashboard/program_form.html",
        {
            "section": "programs",
            "form": form,
            "program": None,
            "validate_url": reverse("dashboard:program-validate"),
        },
    )


@merchant_view()
def program_edit(request: MerchantRequest, program_id: uuid.UUID) -> HttpResponse:
    program = scoped_program(request, program_id)
    form = ProgramForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(
                program=program,
                changes=form.service_values(),
                changed_by=request.user if isinstance(request.user, User) else None,
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc.details, exc.message)
        else:
            messages.success(request, f"{program.name} was saved.")
            return redirect("dashboard:program", program.pk)
    return render(
        request,
        "dashboard/program_form.html",
        {
            "section": "programs",
            "form": form,
            "program": program,
            "validate_url": reverse("dashboard:program-edit-validate", args=[program.pk]),
        },
    )


def _code_taken(request: MerchantRequest, code: Any, program: Program | None) -> bool:
    # Codes are unique per merchant across both modes (the database constraint is what
    # enforces it on save; this only warns early).
    if not isinstance(code, str) or not code:
        return False
    for mode in Mode.values:
        same_code = selectors.programs_for(merchant=request.merchant, mode=mode).filter(
            code__iexact=code
        )
        if program is not None:
            same_code = same_code.exclude(pk=program.pk)
        if same_code.exists():
            return True
    return False


@require_POST
@merchant_view()
def program_validate(request: MerchantRequest, program_id: uuid.UUID | None = None) -> HttpResponse:
    """The form's errors as the merchant types (htmx); saving checks everything again.

    Only fields the merchant has filled in are reported: a form being typed from the top
    should not shout about the empty fields below.
    """
    program = scoped_program(request, program_id) if program_id else None
    form = ProgramForm(request.POST, program=program)
    form.is_valid()
    values = form.service_values()
    current = {name: getattr(program, name) for name in EDITABLE_FIELDS} if program else None
    details = [
        detail
        for detail in rule_errors(form, values=values, current=current)
        if not form.has_error(FORM_FIELD.get(detail["field"], detail["field"]))
    ]
    if _code_taken(request, values.get("code"), program) and not form.has_error("code"):
        details.append(
            {"field": "code", "message": "This merchant already has a program with this code"}
        )
    if details:
        form.add_service_errors(details, "Check this form")
    for name in list(form.errors):
        if name in form.fields and not str(request.POST.get(name, "")).strip():
            del form.errors[name]
    return render(request, "dashboard/_program_errors.html", {"form": form})


@require_POST
@merchant_view()
def program_status(request: MerchantRequest, program_id: uuid.UUID, action: str) -> HttpResponse:
    program = scoped_program(request, program_id)
    change = STATUS_ACTIONS.get(action)
    if change is None:
        raise Http404("No such status change")
    try:
        change(program=program)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{program.name} is now {program.status}.")
    return redirect("dashboard:program", program.pk)
