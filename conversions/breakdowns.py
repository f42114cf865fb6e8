"""Money per partner or per program for the dashboard's lists: attributed conversions,
their revenue and the commissions they earned, each both in the currencies the amounts
were recorded in and in the merchant's reporting currency.

Two grouped queries for any number of rows (one over conversions, one over
commissions), keyed by the partner or program ids of the page being shown: the
(partner, created_at) and (program) indexes keep them small, and no query runs per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from django.db.models import Count, Q, Sum

from conversions.models import Commission, CommissionStatus, Conversion, ConversionStatus

Key = Literal["partner_id", "program_id"]


@dataclass
class MoneyTotals:
    """One row's figures. Amounts are {currency: minor units}; `*_reporting` maps are keyed
    by the reporting currency each amount was recorded in (a merchant who changed it has
    amounts in both), and `*_unreported` counts amounts recorded without a rate."""

    conversions: int = 0
    revenue: dict[str, int] = field(default_factory=dict)
    revenue_reporting: dict[str, int] = field(default_factory=dict)
    revenue_unreported: int = 0
    commissions: dict[str, int] = field(default_factory=dict)
    commissions_reporting: dict[str, int] = field(default_factory=dict)
    commissions_unreported: int = 0


def _add(table: dict[str, int], code: str | None, cents: int | None) -> None:
    if code and cents is not None:
        table[code] = table.get(code, 0) + cents


def _created(start: date | None, end: date | None) -> Q:
    condition = Q()
    if start is not None:
        condition &= Q(created_at__gte=datetime.combine(start, time.min, tzinfo=UTC))
    if end is not None:
        condition &= Q(created_at__lt=datetime.combine(end, time.min, tzinfo=UTC))
    return condition


def money_per(
    key: Key,
    ids: Iterable[Any],
    *,
    start: date | None = None,
    end: date | None = None,
    **scope: Any,
) -> dict[Any, MoneyTotals]:
    """Figures for each of `ids` (partner or program ids) over the UTC days [start, end)
    (either end open when None), within `scope` (merchant and mode, a program…).

    Conversions count when attributed and not reversed; commissions when not reversed
    (pending, approved and paid), as on the overview.
    """
    wanted = list(ids)
    out: dict[Any, MoneyTotals] = {pk: MoneyTotals() for pk in wanted}
    if not wanted:
        return out
    rows = {f"{key}__in": wanted}
    conversions = (
        Conversion.objects.filter(_created(start, end), attributed=True, **scope, **rows)
        .exclude(status=ConversionStatus.REVERSED)
        .values(key, "currency", "reporting_currency")
        .annotate(
            n=Count("id"),
            cents=Sum("amount_cents"),
            reporting=Sum("reporting_amount_cents"),
            unreported=Count(
                "id", filter=Q(amount_cents__isnull=False, reporting_amount_cents__isnull=True)
            ),
        )
        .order_by()
    )
    for row in conversions:
        totals = out[row[key]]
        totals.conversions += row["n"]
        _add(totals.revenue, row["currency"], row["cents"])
        _add(totals.revenue_reporting, row["reporting_currency"], row["reporting"])
        totals.revenue_unreported += row["unreported"]
    commissions = (
        Commission.objects.filter(_created(start, end), **scope, **rows)
        .exclude(status=CommissionStatus.REVERSED)
        .values(key, "currency", "reporting_currency")
        .annotate(
            cents=Sum("amount_cents"),
            reporting=Sum("reporting_amount_cents"),
            unreported=Count("id", filter=Q(reporting_amount_cents__isnull=True)),
        )
        .order_by()
    )
    for row in commissions:
        totals = out[row[key]]
        _add(totals.commissions, row["currency"], row["cents"])
        _add(totals.commissions_reporting, row["reporting_currency"], row["reporting"])
        totals.commissions_unreported += row["unreported"]
    return out
