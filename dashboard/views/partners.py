"""Partners of the merchant: list, detail with codes, promo codes, and erasure (GDPR)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Partner, Role
from dashboard.access import MerchantRequest, merchant_view
from dashboard.csv_export import csv_response
from dashboard.figures import partner_activity
from dashboard.forms import add_service_errors
from dashboard.list_figures import CSV_FIGURE_HEADER, figures_per
from dashboard.paging import paginate
from dashboard.partner_forms import CodeForm, ConfirmByNameForm, SearchForm
from dashboard.redirects import safe_next
from dashboard.views.forwarding import tx_url
from fx import selectors as fx_selectors
from partners import selectors, services
from partners.models import ApplicationStatus, Program, ProgramStatus
from payouts.forwarding import selectors as forwarding_selectors
from selgeo.api.errors import ApiError, ValidationFailed


def _scope(request: MerchantRequest) -> dict[str, Any]:
    return {"merchant": request.merchant, "mode": request.mode}


def _partner(request: MerchantRequest, partner_id: uuid.UUID) -> Partner:
    return get_object_or_404(selectors.partners_for(**_scope(request)), pk=partner_id)


def _listed(request: MerchantRequest) -> tuple[SearchForm, Any]:
    filters = SearchForm(request.GET)
    partners = selectors.partners_matching(**_scope(request), query=filters.query())
    return filters, partners.order_by("display_name", "created_at")


@merchant_view()
def partner_list(request: MerchantRequest) -> HttpResponse:
    filters, partners = _listed(request)
    page = paginate(request, partners)
    reporting = fx_selectors.reporting_currency_of(request.merchant)
    figures = figures_per(
        "partner_id",
        [partner.pk for partner in page["page_obj"]],
        **_scope(request),
        reporting=reporting,
        days=filters.days(),
    )
    return render(
        request,
        "dashboard/partners.html",
        {
            "section": "partners",
            "filters": filters,
            "days": filters.days(),
            "reporting_currency": reporting,
            "rows": [(partner, figures[partner.pk]) for partner in page["page_obj"]],
            **page,
        },
    )


EXPORT_BATCH = 500


@merchant_view()
def partner_export(request: MerchantRequest) -> StreamingHttpResponse:
    """The partners list as CSV, with the same search and range: figures in the reporting
    currency and in the original currencies, in batches of grouped queries."""
    filters, partners = _listed(request)
    reporting = fx_selectors.reporting_currency_of(request.merchant)
    days = filters.days()

    def lines() -> Iterator[list[Any]]:
        batch: list[Partner] = []
        for partner in partners.iterator(chunk_size=EXPORT_BATCH):
            batch.append(partner)
            if len(batch) == EXPORT_BATCH:
                yield from _export_rows(request, batch, reporting, days)
                batch = []
        yield from _export_rows(request, batch, reporting, days)

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return csv_response(
        f"partners-{request.mode}-{days}d-{stamp}.csv",
        ["id", "display_name", "email", "website", "country", *CSV_FIGURE_HEADER],
        lines(),
    )


def _export_rows(
    request: MerchantRequest, batch: list[Partner], reporting: str, days: int
) -> Iterator[list[Any]]:
    if not batch:
        return
    figures = figures_per(
        "partner_id",
        [partner.pk for partner in batch],
        **_scope(request),
        reporting=reporting,
        days=days,
    )
    for partner in batch:
        yield [
            partner.pk,
            partner.display_name,
            partner.user.email if partner.user else "",
            partner.website,
            partner.country,
            *figures[partner.pk].csv_cells(reporting),
        ]


def _promo_programs(request: MerchantRequest, partner: Partner) -> list[Program]:
    """Programs the partner is approved in and that still take codes (not archived)."""
    approved = (
        selectors.applications_for(**_scope(request))
        .filter(partner=partner, status=ApplicationStatus.APPROVED)
        .exclude(program__status=ProgramStatus.ARCHIVED)
        .order_by("program__name")
    )
    return [application.program for application in approved]


FORWARDED_FEES_SHOWN = 20


def _render_detail(
    request: MerchantRequest, partner: Partner, promo_form: CodeForm | None = None
) -> HttpResponse:
    scope = _scope(request)
    programs = _promo_programs(request, partner)
    return render(
        request,
        "dashboard/partner_detail.html",
        {
            "section": "partners",
            "partner": partner,
            "applications": selectors.applications_for(**scope)
            .filter(partner=partner)
            .order_by("-created_at"),
            "referral_codes": selectors.referral_codes_for(**scope)
            .filter(partner=partner)
            .order_by("program__name", "created_at"),
            "promo_codes": selectors.promo_codes_for(**scope)
            .filter(partner=partner)
            .order_by("program__name", "created_at"),
            "promo_form": promo_form or CodeForm(programs=programs),
            "promo_programs": programs,
            "can_erase": request.membership.role in (Role.OWNER, Role.ADMIN),
            "activity": partner_activity(**scope, partner=partner),
            # The partner's share of forwarded Bitcoin payments, paid with each payment.
            "forwarded_fees": [
                {"payment": p, "url": tx_url(p.forward.network, p.forward_txid)}
                for p in forwarding_selectors.fees_forwarded_to(
                    partner=partner, mode=request.mode, merchant=request.merchant
                )[:FORWARDED_FEES_SHOWN]
            ],
        },
    )


@merchant_view()
def partner_detail(request: MerchantRequest, partner_id: uuid.UUID) -> HttpResponse:
    return _render_detail(request, _partner(request, partner_id))


@require_POST
@merchant_view()
def promo_code_create(request: MerchantRequest, partner_id: uuid.UUID) -> HttpResponse:
    partner = _partner(request, partner_id)
    programs = _promo_programs(request, partner)
    form = CodeForm(request.POST, programs=programs)
    if form.is_valid():
        program = next(p for p in programs if str(p.pk) == form.cleaned_data["program"])
        try:
            code = services.promo_code_create(
                program=program, partner=partner, code=form.cleaned_data["code"]
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.details, exc.message)
        except ApiError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(request, f"Promo code {code.code} now attributes to {partner}.")
            return redirect("dashboard:partner", partner.pk)
    return _render_detail(request, partner, promo_form=form)


@require_POST
@merchant_view()
def referral_code_disable(request: MerchantRequest, code_id: uuid.UUID) -> HttpResponse:
    code = get_object_or_404(selectors.referral_codes_for(**_scope(request)), pk=code_id)
    services.referral_code_disable(referral_code=code)
    messages.success(request, f"Referral code {code.code} is disabled: its link stops tracking.")
    return redirect(safe_next(request, reverse("dashboard:partner", args=[code.partner_id])))


@require_POST
@merchant_view()
def promo_code_disable(request: MerchantRequest, code_id: uuid.UUID) -> HttpResponse:
    code = get_object_or_404(selectors.promo_codes_for(**_scope(request)), pk=code_id)
    services.promo_code_disable(promo_code=code)
    messages.success(request, f"Promo code {code.code} is disabled.")
    return redirect(safe_next(request, reverse("dashboard:partner", args=[code.partner_id])))


@merchant_view(admin=True)
def partner_erase(request: MerchantRequest, partner_id: uuid.UUID) -> HttpResponse:
    """Erase what this merchant holds about the partner, after typing the partner's name.

    The merchant's own data only, in both modes: the partner stops being its partner and
    its codes here stop working; its account and other merchants are not affected.
    """
    partner = _partner(request, partner_id)
    form = ConfirmByNameForm(request.POST or None, expected=partner.display_name)
    if partner.is_erased:
        messages.info(request, "This partner's data has already been erased.")
        return redirect("dashboard:partner", partner.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_erase_for_merchant(merchant=request.merchant, partner=partner)
        except ApiError as exc:
            messages.error(request, exc.message)
            return redirect("dashboard:partner", partner.pk)
        messages.success(
            request, "The partner was removed from your programs and your data about it erased."
        )
        return redirect("dashboard:partners")
    return render(
        request,
        "dashboard/partner_erase.html",
        {"section": "partners", "partner": partner, "form": form},
    )
