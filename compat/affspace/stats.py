"""The vendor's `GET /api/v1/stats`, as one adapter over Selgeo's report selectors.

`offer_stats` is the only place the dialect reads figures: clicks from the tracking
rollups (`tracking.rollups.click_figures`, exact at any moment) and conversions and
revenue from `conversions.stats.conversion_figures`. Point it at a dedicated stats
selector when Selgeo has one; the dialect's views and shapes do not change.

Figures cover the whole UTC days from `start`'s day to `end`'s day, both included.
Clicks are human clicks (bots left out); conversions are attributed conversions not
reversed, as on Selgeo's dashboard. The summary's revenue is in the merchant's
reporting currency (`summary.currency`); each offer's in the offer's own currency.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from accounts.models import Merchant
from conversions.models import ConversionStatus
from conversions.stats import conversion_figures
from fx.selectors import reporting_currency_of
from partners.models import Program
from partners.selectors import programs_for
from tracking.rollups import click_figures

GROUPINGS = ("day", "week", "month")


def conversion_rate(conversions: int, clicks: int) -> str:
    """Conversions per 100 clicks, two decimals, rounded half to even ("0.00" with no clicks)."""
    if clicks <= 0:
        return "0.00"
    rate = Decimal(conversions * 100) / Decimal(clicks)
    return str(rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


def _bucket(day: date, group_by: str) -> date:
    if group_by == "week":
        return day - timedelta(days=day.weekday())
    if group_by == "month":
        return day.replace(day=1)
    return day


def offer_stats(
    *,
    merchant: Merchant,
    mode: str,
    program: Program | None,
    start: datetime,
    end: datetime,
    group_by: str,
) -> dict[str, Any]:
    first_day, end_day = start.date(), end.date() + timedelta(days=1)
    scope: dict[str, Any] = {"merchant": merchant, "mode": mode}
    if program is not None:
        scope["program"] = program
    clicks = click_figures(start=first_day, end=end_day, **scope)
    conversions = conversion_figures(start=first_day, end=end_day, **scope)
    approved = conversion_figures(
        start=first_day, end=end_day, status=ConversionStatus.APPROVED, **scope
    )
    counted = sum(conversions.per_day.values())
    reporting = reporting_currency_of(merchant)
    summary = {
        "totalClicks": clicks.human_clicks,
        "totalConversions": counted,
        "approvedConversions": approved.attributed,
        "totalRevenueCents": conversions.revenue_reporting.get(reporting, 0),
        "currency": reporting,
        "conversionRate": conversion_rate(counted, clicks.human_clicks),
    }
    offer_ids = {pk for pk in (*clicks.per_program, *conversions.per_program) if pk is not None}
    offers = programs_for(merchant=merchant, mode=mode).filter(pk__in=offer_ids).order_by("code")
    by_offer = []
    for offer in offers:
        revenue = conversion_figures(start=first_day, end=end_day, **{**scope, "program": offer})
        by_offer.append(
            {
                "offerCode": offer.code,
                "offerName": offer.name,
                "currency": offer.currency,
                "clicks": clicks.per_program.get(offer.pk, 0),
                "conversions": conversions.per_program.get(offer.pk, 0),
                "revenueCents": revenue.revenue_cents.get(offer.currency, 0),
            }
        )
    series: dict[date, dict[str, int]] = {}
    for source, name in ((clicks.per_day, "clicks"), (conversions.per_day, "conversions")):
        for day, count in source.items():
            point = series.setdefault(_bucket(day, group_by), {"clicks": 0, "conversions": 0})
            point[name] += count
    time_series = [{"date": day.isoformat(), **series[day]} for day in sorted(series)]
    return {"summary": summary, "byOffer": by_offer, "timeSeries": time_series}
