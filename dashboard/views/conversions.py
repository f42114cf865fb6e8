"""Conversions of the merchant: the filterable table, its CSV export, the detail page with
the attribution explanation step by step, and reversing a conversion."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from conversions import selectors, services
from conversions.models import Commission, CommissionStatus, Conversion, ConversionStatus
from dashboard.access import MerchantRequest, merchant_view
from dashboard.csv_export import csv_response
from dashboard.paging import paginate
from dashboard.report_forms import ConversionFilterForm, ReverseForm
from dashboard.templatetags.dashboard_tags import money
from partners import selectors as partner_selectors
from products import selectors as product_selectors
from selgeo.api.errors import ApiError

PER_PAGE = 20
CSV_HEADER = [
    "id",
    "created_at",
    "external_transaction_id",
    "event_type",
    "amount_cents",
    "currency",
    "attributed",
    "explanation_code",
    "program_code",
    "partner_id",
    "status",
    "commission_cents",
    # A sale in another currency than its program's, converted at fx_rate.
    "converted_amount_cents",
    "converted_currency",
    "fx_rate",
    # The amounts in the merchant's reporting currency, as recorded at occurred_at.
    "reporting_currency",
    "reporting_rate",
    "reporting_amount_cents",
    "commission_reporting_cents",
]


def scope(request: MerchantRequest) -> dict[str, Any]:
    return {"merchant": request.merchant, "mode": request.mode}


def filter_choices(request: MerchantRequest) -> dict[str, Any]:
    """The programs and partners a merchant's table filters offer, in this mode."""
    return {
        "programs": partner_selectors.programs_for(**scope(request)).order_by("name"),
        "partners": partner_selectors.partners_for(**scope(request)).order_by("display_name"),
    }


def export_query(request: MerchantRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def commission_of(conversion: Conversion) -> Commission | None:
    try:
        return conversion.commission
    except ObjectDoesNotExist:
        return None


def _filtered(request: MerchantRequest) -> tuple[ConversionFilterForm, QuerySet[Conversion]]:
    form = ConversionFilterForm(request.GET, **filter_choices(request))
    form.is_valid()
    rows = selectors.conversions_filtered(**scope(request), filters=form.filters())
    return form, rows


@merchant_view()
def conversion_list(request: MerchantRequest) -> HttpResponse:
    filters, rows = _filtered(request)
    return render(
        request,
        "dashboard/conversions.html",
        {
            "section": "conversions",
            "filters": filters,
            "export_query": export_query(request),
            **paginate(request, rows, PER_PAGE),
        },
    )


@merchant_view()
def conversion_export(request: MerchantRequest) -> StreamingHttpResponse:
    _, rows = _filtered(request)

    def lines() -> Any:
        for conversion in rows.iterator(chunk_size=1000):
            commission = commission_of(conversion)
            yield [
                str(conversion.pk),
                conversion.created_at,
                conversion.external_transaction_id,
                conversion.event_type,
                conversion.amount_cents,
                conversion.currency,
                conversion.attributed,
                conversion.attribution_explanation.get("code", ""),
                conversion.program.code if conversion.program else "",
                str(conversion.partner_id) if conversion.partner_id else "",
                conversion.status,
                commission.amount_cents if commission is not None else None,
                conversion.converted_amount_cents,
                conversion.converted_currency,
                conversion.fx_rate,
                conversion.reporting_currency,
                conversion.reporting_rate,
                conversion.reporting_amount_cents,
                commission.reporting_amount_cents if commission is not None else None,
            ]

    stamp = timezone.now().strftime("%Y%m%d")
    return csv_response(f"conversions-{request.mode}-{stamp}.csv", CSV_HEADER, lines())


def _render_detail(
    request: MerchantRequest, conversion: Conversion, form: ReverseForm | None = None
) -> HttpResponse:
    return render(
        request,
        "dashboard/conversion_detail.html",
        {
            "section": "conversions",
            "conversion": conversion,
            "commission": commission_of(conversion),
            "metadata": json.dumps(conversion.metadata, indent=2, sort_keys=True)
            if conversion.metadata
            else "",
            "reverse_form": form or ReverseForm(),
            "line_items": list(product_selectors.line_items_of(conversion_id=conversion.pk)),
        },
    )


def _conversion(request: MerchantRequest, conversion_id: uuid.UUID) -> Conversion:
    conversion = selectors.conversion_get(**scope(request), conversion_id=conversion_id)
    if conversion is None:
        raise Http404("No such conversion")
    return conversion


@merchant_view()
def conversion_detail(request: MerchantRequest, conversion_id: uuid.UUID) -> HttpResponse:
    return _render_detail(request, _conversion(request, conversion_id))


@require_POST
@merchant_view()
def conversion_reverse(request: MerchantRequest, conversion_id: uuid.UUID) -> HttpResponse:
    """Reverse after the box is ticked; reversing again keeps the first reversal as it was."""
    conversion = _conversion(request, conversion_id)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, conversion, form)
    if conversion.status == ConversionStatus.REVERSED:
        messages.info(request, "This conversion was already reversed: nothing changed.")
        return redirect("dashboard:conversion", conversion.pk)
    try:
        reversed_conversion = services.conversion_reverse(
            **scope(request), conversion_id=conversion.pk, reason=form.cleaned_data["reason"]
        )
    except ApiError as exc:
        messages.error(request, exc.message)
        return redirect("dashboard:conversion", conversion.pk)
    messages.success(request, _reversed_message(commission_of(reversed_conversion)))
    return redirect("dashboard:conversion", conversion.pk)


def _reversed_message(commission: Commission | None) -> str:
    if commission is None:
        return "The conversion was reversed. It had no commission."
    amount = money(commission.amount_cents, commission.currency)
    if commission.status == CommissionStatus.PAID:
        return (
            f"The conversion was reversed. Its commission of {amount} was already paid: "
            "it will be deducted from the partner's next payout."
        )
    return f"The conversion was reversed, and its commission of {amount} with it."
