"""Figures beside each row of the partners and programs lists (and a program's partners):
human clicks, attributed conversions, revenue and commissions for a range of UTC days,
money in the merchant's reporting currency with the original currencies beside it.

A fixed handful of grouped queries for a whole page of rows (`tracking.rollups` for
clicks, `conversions.breakdowns` for money), whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from accounts.models import Merchant
from conversions.breakdowns import Key, MoneyTotals, money_per
from dashboard.figures import plain_amount, utc_days
from dashboard.reports import Reported, reported
from tracking.rollups import click_figures


@dataclass
class RowFigures:
    clicks: int
    conversions: int
    revenue: Reported
    commissions: Reported
    money: MoneyTotals

    def csv_cells(self, reporting: str) -> list[Any]:
        """The row's figures as the list exports write them: the reporting total as an
        exact decimal, and the originals as "12.50 EUR; 3000 JPY"."""
        return [
            self.clicks,
            self.conversions,
            reporting,
            plain_amount(self.money.revenue_reporting.get(reporting, 0), reporting),
            _originals(self.money.revenue),
            plain_amount(self.money.commissions_reporting.get(reporting, 0), reporting),
            _originals(self.money.commissions),
        ]


CSV_FIGURE_HEADER = [
    "clicks",
    "conversions",
    "reporting_currency",
    "revenue_reporting",
    "revenue_original",
    "commissions_reporting",
    "commissions_original",
]


def _originals(amounts: dict[str, int]) -> str:
    return "; ".join(
        f"{plain_amount(cents, code)} {code}" for code, cents in sorted(amounts.items())
    )


def figures_per(
    key: Key,
    ids: Iterable[Any],
    *,
    merchant: Merchant,
    mode: str,
    reporting: str,
    days: int,
    **scope: Any,
) -> dict[Any, RowFigures]:
    """Figures of the last `days` UTC days for each partner or program id in `ids`."""
    wanted = list(ids)
    start, end = utc_days(days)
    rows: dict[str, Any] = {"merchant": merchant, "mode": mode, f"{key}__in": wanted, **scope}
    clicks = click_figures(start=start, end=end, dimensions=(key,), **rows) if wanted else None
    per_key = {} if clicks is None else getattr(clicks, f"per_{key.removesuffix('_id')}")
    money = money_per(key, wanted, start=start, end=end, merchant=merchant, mode=mode, **scope)
    return {
        pk: RowFigures(
            clicks=per_key.get(pk, 0),
            conversions=money[pk].conversions,
            revenue=reported(
                reporting,
                money[pk].revenue_reporting,
                money[pk].revenue,
                money[pk].revenue_unreported,
            ),
            commissions=reported(
                reporting,
                money[pk].commissions_reporting,
                money[pk].commissions,
                money[pk].commissions_unreported,
            ),
            money=money[pk],
        )
        for pk in wanted
    }
