"""Figures for the conversions, commissions, partner activity and earnings pages.

Assembled from the apps' selectors and report functions (`conversions.stats`,
`tracking.rollups`): aggregates run in the database, money stays in minor units per
currency, and days are UTC days.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from accounts.models import Merchant, Partner
from conversions import selectors
from conversions.models import Commission, CommissionStatus, Conversion
from conversions.stats import commission_figures, conversion_figures
from dashboard.reports import Reported, reported
from dashboard.templatetags.money import money_totals
from fx.selectors import RateSet, in_reporting_currency
from selgeo.currencies import CURRENCIES
from tracking.rollups import click_figures

EARNING_STATUSES = (CommissionStatus.PENDING, CommissionStatus.APPROVED, CommissionStatus.PAID)
LATEST_CONVERSIONS = 10
ACTIVITY_DAYS = 30


def utc_days(days: int) -> tuple[date, date]:
    """The last `days` UTC days, today included, as [start, end)."""
    today = timezone.now().date()
    return today - timedelta(days=days - 1), today + timedelta(days=1)


def commission_totals(
    commissions: QuerySet[Commission], statuses: tuple[str, ...] = tuple(CommissionStatus.values)
) -> list[dict[str, Any]]:
    """One row per status, in lifecycle order: `{"status", "label", "totals": {code: cents}}`."""
    rows = commissions.order_by().values("status", "currency").annotate(cents=Sum("amount_cents"))
    by_status: dict[str, dict[str, int]] = {}
    for row in rows:
        by_status.setdefault(row["status"], {})[row["currency"]] = row["cents"] or 0
    labels = dict(CommissionStatus.choices)
    return [
        {"status": status, "label": labels[status], "totals": by_status.get(status, {})}
        for status in statuses
    ]


def plain_amount(cents: int, currency: str) -> str:
    """Minor units as a decimal string without grouping (`123456`, EUR → `1234.56`), exact."""
    exponent = CURRENCIES.get(currency, 2)
    if exponent == 0:
        return str(cents)
    sign = "-" if cents < 0 else ""
    units, minor = divmod(abs(cents), 10**exponent)
    return f"{sign}{units}.{minor:0{exponent}d}"


@dataclass
class PartnerActivity:
    """What one partner did for a merchant: recent clicks and conversions, their commissions."""

    figures: list[dict[str, Any]]
    latest_conversions: list[Conversion]
    commission_totals: list[dict[str, Any]]
    days: int = ACTIVITY_DAYS


def partner_activity(*, merchant: Merchant, mode: str, partner: Partner) -> PartnerActivity:
    start, end = utc_days(ACTIVITY_DAYS)
    scope: dict[str, Any] = {"merchant": merchant, "mode": mode, "partner": partner}
    clicks = click_figures(start=start, end=end, dimensions=(), **scope)
    conversions = conversion_figures(start=start, end=end, **scope)
    return PartnerActivity(
        figures=[
            {
                "label": "Clicks",
                "value": clicks.human_clicks,
                "note": f"{clicks.bot_clicks} from bots",
            },
            {
                "label": "Conversions",
                "value": sum(conversions.per_day.values()),
                "note": f"{conversions.reversed} reversed",
            },
            {"label": "Revenue", "value": money_totals(conversions.revenue_cents)},
        ],
        latest_conversions=list(
            selectors.conversions_for(merchant=merchant, mode=mode).filter(partner=partner)[
                :LATEST_CONVERSIONS
            ]
        ),
        commission_totals=commission_totals(
            selectors.commissions_for(merchant=merchant, mode=mode).filter(partner=partner)
        ),
    )


@dataclass
class Earnings:
    """A partner's earnings page: totals by status and a per-day series for a range."""

    totals: list[dict[str, Any]]
    clicks: int = 0
    conversions: int = 0
    commission_cents: dict[str, int] = field(default_factory=dict)
    chart: dict[str, Any] = field(default_factory=dict)


def converted_total(amounts: dict[str, int], *, currency: str, rate_set: RateSet) -> Reported:
    """Per-currency totals in one `currency` at `rate_set`'s rates, each total converted
    once and rounded half to even; the originals kept beside. A currency the set has no
    rate for stays out of the total and is counted (`unreported`)."""
    total = 0
    unconverted = 0
    for code, cents in amounts.items():
        converted = in_reporting_currency(
            cents, currency=code, reporting=currency, rate_set=rate_set
        ).amount_minor
        if converted is None:
            unconverted += 1
        else:
            total += converted
    return reported(currency, {currency: total}, amounts, unconverted)


def default_earnings_currency(partner: Partner, mode: str) -> str:
    """The one currency a partner earns in, or USD (the rates' own base) when several."""
    codes = list(
        selectors.commissions_of_partner(partner=partner, mode=mode)
        .order_by()
        .values_list("currency", flat=True)
        .distinct()[:2]
    )
    return codes[0] if len(codes) == 1 else "USD"


def partner_earnings(*, partner: Partner, mode: str, days: int) -> Earnings:
    start, end = utc_days(days)
    scope: dict[str, Any] = {"partner": partner, "mode": mode}
    clicks = click_figures(start=start, end=end, dimensions=("day",), **scope)
    conversions = conversion_figures(start=start, end=end, **scope)
    commissions = commission_figures(start=start, end=end, **scope)
    labels = [start + timedelta(days=n) for n in range((end - start).days)]
    currencies = sorted({code for per_day in commissions.per_day.values() for code in per_day})
    series: list[dict[str, Any]] = [
        {"label": "Clicks", "data": [clicks.per_day.get(day, 0) for day in labels], "axis": "y"},
        {
            "label": "Conversions",
            "data": [conversions.per_day.get(day, 0) for day in labels],
            "axis": "y",
        },
    ]
    # Amounts go to the chart as exact decimal strings: Chart.js reads them as numbers.
    series += [
        {
            "label": f"Commission ({code})",
            "data": [
                plain_amount(commissions.per_day.get(day, {}).get(code, 0), code) for day in labels
            ],
            "axis": "y2",
        }
        for code in currencies
    ]
    return Earnings(
        totals=commission_totals(
            selectors.commissions_of_partner(partner=partner, mode=mode), EARNING_STATUSES
        ),
        clicks=clicks.human_clicks,
        conversions=sum(conversions.per_day.values()),
        commission_cents=commissions.total(*EARNING_STATUSES),
        chart={"labels": [day.isoformat() for day in labels], "series": series},
    )


def program_figures(*, partner: Partner, mode: str) -> dict[uuid.UUID, dict[str, int]]:
    """Per program, the partner's human clicks and counted conversions of the last 30 days."""
    start, end = utc_days(ACTIVITY_DAYS)
    clicks = click_figures(
        start=start, end=end, dimensions=("program_id",), partner=partner, mode=mode
    )
    conversions = conversion_figures(start=start, end=end, partner=partner, mode=mode)
    programs = set(clicks.per_program) | set(conversions.per_program)
    return {
        program: {
            "clicks": clicks.per_program.get(program, 0),
            "conversions": conversions.per_program.get(program, 0),
        }
        for program in programs
    }
