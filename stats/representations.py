"""The stats report as the API writes it: the vendor reference's camelCase names
(`summary`, `byOffer`, `timeSeries`), money in integer minor units of `currency`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from stats.selectors import Figures, StatsReport


def _commissions(figures: Figures) -> dict[str, int]:
    return {
        "commissionCents": figures.commission_minor,
        **{
            f"{status}CommissionCents": cents for status, cents in figures.commissions_minor.items()
        },
    }


def report_data(report: StatsReport) -> dict[str, Any]:
    summary = report.summary
    return {
        "startDate": report.start.isoformat(),
        "endDate": report.end.isoformat(),
        "groupBy": report.group_by,
        "currency": report.currency,
        "summary": {
            "totalClicks": summary.clicks,
            "botClicks": summary.bot_clicks,
            "totalConversions": summary.conversions,
            "approvedConversions": summary.approved_conversions,
            "receivedConversions": summary.received_conversions,
            "reversedConversions": summary.reversed_conversions,
            "totalRevenueCents": summary.revenue_minor,
            "conversionRate": summary.conversion_rate,
            **_commissions(summary),
        },
        "byOffer": [
            {
                "offerCode": offer.code,
                "offerName": offer.name,
                "programCurrency": offer.program_currency,
                "currency": report.currency,
                "clicks": offer.figures.clicks,
                "conversions": offer.figures.conversions,
                "approvedConversions": offer.figures.approved_conversions,
                "revenueCents": offer.figures.revenue_minor,
                "commissionCents": offer.figures.commission_minor,
            }
            for offer in report.by_offer
        ],
        "timeSeries": [
            {
                "date": period.start.isoformat(),
                "clicks": period.figures.clicks,
                "conversions": period.figures.conversions,
                "revenueCents": period.figures.revenue_minor,
                "commissionCents": period.figures.commission_minor,
            }
            for period in report.time_series
        ],
        "unconvertedAmounts": report.unconverted,
    }


def _ints(*names: str) -> dict[str, serializers.Field]:
    return {name: serializers.IntegerField() for name in names}


_COMMISSION_FIELDS = (
    "commissionCents",
    "pendingCommissionCents",
    "approvedCommissionCents",
    "paidCommissionCents",
    "reversedCommissionCents",
)

REPORT_SCHEMA = inline_serializer(
    "StatsReport",
    {
        "startDate": serializers.DateField(help_text="First UTC day of the range"),
        "endDate": serializers.DateField(help_text="Last UTC day of the range, included"),
        "groupBy": serializers.ChoiceField(choices=["day", "week", "month"]),
        "currency": serializers.CharField(help_text="ISO 4217 code of every money figure"),
        "summary": inline_serializer(
            "StatsSummary",
            {
                **_ints(
                    "totalClicks",
                    "botClicks",
                    "totalConversions",
                    "approvedConversions",
                    "receivedConversions",
                    "reversedConversions",
                    "totalRevenueCents",
                    *_COMMISSION_FIELDS,
                ),
                "conversionRate": serializers.RegexField(
                    r"^[0-9]+\.[0-9]{2}$",
                    help_text="Conversions per 100 human clicks, two decimals",
                ),
            },
        ),
        "byOffer": inline_serializer(
            "StatsOffer",
            {
                "offerCode": serializers.CharField(),
                "offerName": serializers.CharField(),
                "programCurrency": serializers.CharField(),
                "currency": serializers.CharField(),
                **_ints(
                    "clicks",
                    "conversions",
                    "approvedConversions",
                    "revenueCents",
                    "commissionCents",
                ),
            },
            many=True,
        ),
        "timeSeries": inline_serializer(
            "StatsPeriod",
            {
                "date": serializers.DateField(help_text="First day of the period"),
                **_ints("clicks", "conversions", "revenueCents", "commissionCents"),
            },
            many=True,
        ),
        "unconvertedAmounts": serializers.IntegerField(
            help_text="Amounts no stored exchange rate could convert (left out of the sums)"
        ),
    },
)
