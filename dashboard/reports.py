"""Figures for the merchant overview, assembled from the apps' report selectors.

Clicks come from the daily rollups plus the raw tail (`tracking.rollups`), conversions
and commissions from database-side aggregates (`conversions.stats`): the page costs a
fixed handful of grouped queries whatever the size of the click table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from accounts.models import Merchant
from conversions.stats import commission_figures, conversion_figures
from partners import selectors as partner_selectors
from partners.models import Program
from selgeo.currencies import format_amount
from tracking.rollups import click_figures

TOP = 10


@dataclass
class TopRow:
    id: Any
    name: str
    clicks: int
    conversions: int
    # In the reporting currency; `commission_originals` in the programs' currencies.
    commission: str
    commission_originals: str = "—"
    # Whether the row has a page: a former partner's has none.
    linked: bool = True


@dataclass
class Reported:
    """A total in the reporting currency, and what it is made of: the amounts in their
    original currencies, amounts recorded in another reporting currency (before it
    changed) and how many amounts have no reporting amount (no stored rate)."""

    total: str
    originals: list[str]
    elsewhere: list[str] = field(default_factory=list)
    unreported: int = 0


def reported(
    reporting: str, amounts: dict[str, int], originals: dict[str, int], unreported: int = 0
) -> Reported:
    return Reported(
        total=format_amount(amounts.get(reporting, 0), reporting),
        originals=_money(originals),
        elsewhere=_money({code: cents for code, cents in amounts.items() if code != reporting}),
        unreported=unreported,
    )


@dataclass
class OverviewReport:
    clicks: int = 0
    bot_clicks: int = 0
    conversions: int = 0
    received: int = 0
    revenue: list[str] = field(default_factory=list)
    commissions_pending: list[str] = field(default_factory=list)
    commissions_approved: list[str] = field(default_factory=list)
    commissions_paid: list[str] = field(default_factory=list)
    reporting_currency: str = "USD"
    revenue_reported: Reported | None = None
    commissions_reported: dict[str, Reported] = field(default_factory=dict)
    series: dict[str, Any] = field(default_factory=dict)
    top_partners: list[TopRow] = field(default_factory=list)
    top_programs: list[TopRow] = field(default_factory=list)

    @property
    def conversion_rate(self) -> str:
        human = self.clicks - self.bot_clicks
        return f"{(100 * self.conversions / human):.2f}%" if human else "—"


def _money(amounts: dict[str, int]) -> list[str]:
    return [format_amount(cents, currency) for currency, cents in sorted(amounts.items())]


def _top(
    names: dict[Any, str],
    clicks: dict[Any, int],
    conversions: dict[Any, int],
    commissions: dict[Any, dict[str, int]],
    reported_commissions: dict[Any, dict[str, int]],
    *,
    reporting: str,
    unnamed: str = "—",
) -> list[TopRow]:
    keys = set(conversions) | set(clicks)
    ranked = sorted(keys, key=lambda k: (conversions.get(k, 0), clicks.get(k, 0)), reverse=True)
    return [
        TopRow(
            id=key,
            name=names.get(key, unnamed),
            linked=key in names,
            clicks=clicks.get(key, 0),
            conversions=conversions.get(key, 0),
            commission=format_amount(
                reported_commissions.get(key, {}).get(reporting, 0), reporting
            ),
            commission_originals=", ".join(_money(commissions.get(key, {}))) or "—",
        )
        for key in ranked[:TOP]
        if key is not None
    ]


def overview_report(
    *, merchant: Merchant, mode: str, start: date, end: date, reporting: str = "USD"
) -> OverviewReport:
    """Figures for the UTC days [start, end) of one merchant and mode; money totals in
    the `reporting` currency as each amount recorded it, originals beside them."""
    scope: dict[str, Any] = {"merchant": merchant, "mode": mode}
    clicks = click_figures(start=start, end=end, **scope)
    conversions = conversion_figures(start=start, end=end, **scope)
    # The chart shows clicks and conversions by day; commissions only in totals and tables.
    commissions = commission_figures(start=start, end=end, by_day=False, **scope)

    days = [start + timedelta(days=n) for n in range((end - start).days)]
    partner_ids = list(set(clicks.per_partner) | set(conversions.per_partner))
    program_ids = list(set(clicks.per_program) | set(conversions.per_program))
    # Only the merchant's current partners are named: one it erased (or whose
    # relationship ended) keeps its figures under a neutral label.
    partner_names = dict(
        partner_selectors.partners_for(**scope)
        .filter(pk__in=partner_ids)
        .values_list("pk", "display_name")
    )
    program_names = dict(
        Program.objects.filter(pk__in=program_ids, merchant=merchant, mode=mode).values_list(
            "pk", "name"
        )
    )
    return OverviewReport(
        clicks=clicks.clicks,
        bot_clicks=clicks.bot_clicks,
        conversions=conversions.attributed - conversions.reversed,
        received=conversions.received,
        revenue=_money(conversions.revenue_cents),
        commissions_pending=_money(commissions.total("pending")),
        commissions_approved=_money(commissions.total("approved")),
        commissions_paid=_money(commissions.total("paid")),
        reporting_currency=reporting,
        revenue_reported=reported(
            reporting,
            conversions.revenue_reporting,
            conversions.revenue_cents,
            conversions.revenue_unreported,
        ),
        commissions_reported={
            status: reported(
                reporting,
                commissions.reporting_total(status),
                commissions.total(status),
                commissions.unreported(status),
            )
            for status in ("pending", "approved", "paid")
        },
        series={
            "labels": [d.isoformat() for d in days],
            "series": [
                {
                    "label": "Clicks",
                    "data": [clicks.per_day.get(d, 0) for d in days],
                    "axis": "y",
                },
                {
                    "label": "Conversions",
                    "data": [conversions.per_day.get(d, 0) for d in days],
                    "axis": "y2",
                },
            ],
        },
        top_partners=_top(
            partner_names,
            clicks.per_partner,
            conversions.per_partner,
            commissions.per_partner,
            commissions.reporting_per_partner,
            reporting=reporting,
            unnamed=partner_selectors.FORMER_PARTNER,
        ),
        top_programs=_top(
            program_names,
            clicks.per_program,
            conversions.per_program,
            commissions.per_program,
            commissions.reporting_per_program,
            reporting=reporting,
        ),
    )
