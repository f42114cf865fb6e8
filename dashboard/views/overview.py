"""The merchant overview: clicks, conversions, rate, revenue and commissions for a range."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dashboard.access import MerchantRequest, merchant_view
from dashboard.reports import overview_report
from fx import selectors as fx_selectors

RANGES = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}


def _range(request: MerchantRequest) -> tuple[str, date, date]:
    """The chosen range as UTC days [start, end), today included."""
    key = request.GET.get("range", "30d")
    if key not in RANGES:
        key = "30d"
    today = timezone.now().astimezone(UTC).date()
    return key, today - timedelta(days=RANGES[key] - 1), today + timedelta(days=1)


@merchant_view()
def overview(request: MerchantRequest) -> HttpResponse:
    key, start, end = _range(request)
    report = overview_report(
        merchant=request.merchant,
        mode=request.mode,
        start=start,
        end=end,
        reporting=fx_selectors.reporting_currency_of(request.merchant),
    )
    return render(
        request,
        "dashboard/overview.html",
        {
            "section": "overview",
            "range": key,
            "ranges": RANGES,
            "report": report,
            "rate_set": fx_selectors.rate_set_current(),
            "top_tables": [
                ("Top partners", report.top_partners, "partner"),
                ("Top programs", report.top_programs, "program"),
            ],
        },
    )
