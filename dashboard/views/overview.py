"""The merchant overview: clicks, conversions, rate, revenue and commissions for a range."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dashboard.access import MerchantRequest, merchant_view
from dashboard.reports import overview_report

RANGES = {"7d": 7, "30d": 30, "90d": 90}


def _range(request: MerchantRequest) -> tuple[str, datetime, datetime]:
    key = request.GET.get("range", "30d")
    days = RANGES.get(key, 30)
    if key not in RANGES:
        key = "30d"
    today = timezone.now().date()
    start_day: date = today - timedelta(days=days - 1)
    start = datetime.combine(start_day, time.min, tzinfo=UTC)
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=UTC)
    return key, start, end


@merchant_view()
def overview(request: MerchantRequest) -> HttpResponse:
    key, start, end = _range(request)
    report = overview_report(
        merchant=request.merchant,
        mode=request.mode,
        start=start,
        end=end,
    )
    return render(
        request,
        "dashboard/overview.html",
        {"section": "overview", "range": key, "ranges": RANGES, "report": report},
    )
