"""Commissions of the merchant: the filterable table with totals per status and currency,
and its CSV export."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from conversions import selectors
from conversions.models import Commission
from dashboard.access import MerchantRequest, merchant_view
from dashboard.csv_export import csv_response
from dashboard.figures import commission_totals
from dashboard.paging import paginate
from dashboard.report_forms import CommissionFilterForm
from dashboard.views.conversions import PER_PAGE, export_query, filter_choices, scope

CSV_HEADER = [
    "id",
    "created_at",
    "conversion_id",
    "external_transaction_id",
    "program_code",
    "partner_id",
    "kind",
    "rate_bps",
    "amount_cents",
    "currency",
    "status",
    "approve_after",
    "approved_at",
    "paid_at",
    "reversed_at",
    # The amount in the merchant's reporting currency, as recorded at occurred_at.
    "reporting_currency",
    "reporting_rate",
    "reporting_amount_cents",
]


def _filtered(request: MerchantRequest) -> tuple[CommissionFilterForm, QuerySet[Commission]]:
    form = CommissionFilterForm(request.GET, **filter_choices(request))
    form.is_valid()
    rows = selectors.commissions_filtered(
        selectors.commissions_for(**scope(request)),
        status=form.value("status"),
        partner=form.partner_id(),
        program=form.value("program"),
    )
    after, before = form.created_after(), form.created_before()
    if after:
        rows = rows.filter(created_at__gte=after)
    if before:
        rows = rows.filter(created_at__lt=before)
    return form, rows


@merchant_view()
def commission_list(request: MerchantRequest) -> HttpResponse:
    filters, rows = _filtered(request)
    return render(
        request,
        "dashboard/commissions.html",
        {
            "section": "commissions",
            "filters": filters,
            "totals": commission_totals(rows),
            "export_query": export_query(request),
            **paginate(request, rows, PER_PAGE),
        },
    )


@merchant_view()
def commission_export(request: MerchantRequest) -> StreamingHttpResponse:
    _, rows = _filtered(request)

    def lines() -> Any:
        for commission in rows.iterator(chunk_size=1000):
            yield [
                str(commission.pk),
                commission.created_at,
                str(commission.conversion_id),
                commission.conversion.external_transaction_id,
                commission.program.code,
                str(commission.partner_id),
                commission.kind,
                commission.rate_bps,
                commission.amount_cents,
                commission.currency,
                commission.status,
                commission.approve_after,
                commission.approved_at,
                commission.paid_at,
                commission.reversed_at,
                commission.reporting_currency,
                commission.reporting_rate,
                commission.reporting_amount_cents,
            ]

    stamp = timezone.now().strftime("%Y%m%d")
    return csv_response(f"commissions-{request.mode}-{stamp}.csv", CSV_HEADER, lines())
