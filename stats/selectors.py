"""Performance figures (clicks, conversions, revenue, commissions) for a range of UTC days.

`stats_report` is the one read behind `GET /api/v1/stats`, the partner's
`GET /api/v1/partner/stats` and the vendor dialect's stats: it reads the daily rollups
plus the raw rows after their watermarks (`tracking.rollups`, `conversions.rollups`),
so its cost follows the number of days and programs in the range, never the number of
clicks, and its figures equal a count over the raw rows at the moment of the read.

What is counted: `clicks` are all recorded clicks (bots included, as `bot_clicks` says);
`conversions` are attributed conversions that were not reversed, `approved_conversions`
those of them past their hold; `received_conversions` every conversion reported,
attributed or not. Revenue is the amount of the counted conversions; commissions are
given per status. All of it by the day each row was created, under its status now.

Money is in one reporting currency. An amount recorded in that currency when it
happened is taken as recorded (a later rate never rewrites it). Any other amount (an
override `currency`, a sale recorded before the merchant changed its reporting currency,
a sale with no stored rate then) is converted from its original currency at the rate
set in effect at the end of its UTC day (now, for today), per day and currency, half to
even; an amount no stored set can convert is left out and counted in `unconverted`.
"""

from __future__ import annotations

import bisect
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from conversions import rollups
from conversions.models import CommissionStatus, ConversionStatus
from fx import selectors as fx_selectors
from fx.models import ExchangeRateSet
from fx.rates import RateUnavailable, convert_minor
from partners.models import Program
from tracking.rollups import click_rows

GROUPINGS = ("day", "week", "month")
COMMISSION_STATUSES = tuple(CommissionStatus.values)


@dataclass
class Figures:
    clicks: int = 0
    bot_clicks: int = 0
    conversions: int = 0
    approved_conversions: int = 0
    received_conversions: int = 0
    reversed_conversions: int = 0
    revenue_minor: int = 0
    # Minor units of the reporting currency per commission status.
    commissions_minor: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(COMMISSION_STATUSES, 0)
    )

    @property
    def human_clicks(self) -> int:
        return self.clicks - self.bot_clicks

    @property
    def conversion_rate(self) -> str:
        """Conversions per 100 human clicks, two decimals, half to even ("0.00" without clicks)."""
        if self.human_clicks <= 0:
            return "0.00"
        rate = Decimal(100 * self.conversions) / Decimal(self.human_clicks)
        return str(rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))

    @property
    def commission_minor(self) -> int:
        """What the partners earn: every commission that was not reversed."""
        return sum(
            cents
            for status, cents in self.commissions_minor.items()
            if status != CommissionStatus.REVERSED
        )


@dataclass
class OfferFigures:
    program_id: uuid.UUID
    code: str
    name: str
    program_currency: str
    figures: Figures


@dataclass
class PeriodFigures:
    start: date
    figures: Figures


@dataclass
class StatsReport:
    start: date
    # The last day included.
    end: date
    group_by: str
    currency: str
    summary: Figures
    by_offer: list[OfferFigures]
    time_series: list[PeriodFigures]
    unconverted: int = 0


def period_of(day: date, group_by: str) -> date:
    """The first day of the period `day` is in: itself, its ISO week's Monday, its month's 1st."""
    if group_by == "week":
        return day - timedelta(days=day.weekday())
    if group_by == "month":
        return day.replace(day=1)
    return day


def periods(start: date, end: date, group_by: str) -> list[date]:
    """Every period touching the days [start, end), in order."""
    out: list[date] = []
    day = start
    while day < end:
        first = period_of(day, group_by)
        if not out or out[-1] != first:
            out.append(first)
        if group_by == "day":
            day += timedelta(days=1)
        elif group_by == "week":
            day = first + timedelta(days=7)
        else:
            day = (first + timedelta(days=32)).replace(day=1)
    return out


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class _Money:
    """Amounts of rollup rows in the reporting currency (see the module docstring)."""

    def __init__(self, target: str, start: date, end: date) -> None:
        self.target = target
        self.start, self.end = start, end
        self.unconverted = 0
        self._moments: list[datetime] | None = None
        self._ids: list[int] = []

    def _load(self) -> None:
        start_at, end_at = _midnight(self.start), _midnight(self.end)
        first = (
            ExchangeRateSet.objects.filter(effective_at__lte=start_at)
            .order_by("-effective_at")
            .values_list("effective_at", "id")
            .first()
        )
        rows = list(
            ExchangeRateSet.objects.filter(effective_at__gt=start_at, effective_at__lt=end_at)
            .order_by("effective_at")
            .values_list("effective_at", "id")
        )
        if first is not None:
            rows.insert(0, first)
        self._moments = [moment for moment, _ in rows]
        self._ids = [pk for _, pk in rows]

    def _rate_set(self, day: date) -> fx_selectors.RateSet:
        if self._moments is None:
            self._load()
        assert self._moments is not None
        moment = min(_midnight(day + timedelta(days=1)) - timedelta(microseconds=1), timezone.now())
        index = bisect.bisect_right(self._moments, moment) - 1
        if index < 0:
            # Before the first stored set (or none stored): what the fx app answers then.
            return fx_selectors.rate_set_at(moment)
        return fx_selectors.rate_set_get(self._ids[index])

    def _convert(self, amount: int, currency: str, day: date, count: int) -> int:
        if not currency or amount == 0 or currency == self.target:
            return amount if currency == self.target else 0
        try:
            rate = self._rate_set(day).rate(source=currency, target=self.target)
            return convert_minor(amount, source=currency, target=self.target, rate=rate)
        except RateUnavailable:
            self.unconverted += count
            return 0

    def minor(self, row: dict[str, Any]) -> int:
        if row["reporting_currency"] == self.target:
            return row["reporting"] + self._convert(
                row["unreported_amount"], row["currency"], row["day"], row["unreported"]
            )
        return self._convert(row["amount"], row["currency"], row["day"], row["n"])


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def _conversion_sums(currency: str, counted_statuses: tuple[str, ...]) -> dict[str, Any]:
    """(rollup, raw) aggregates of the figures, by period and program, in one query each."""
    counted = Q(attributed=True, status__in=counted_statuses)
    recorded = counted & Q(reporting_currency=currency)
    other = counted & ~Q(reporting_currency=currency)
    return {
        "received": (Sum("conversions"), Count("id")),
        "counted": (Sum("conversions", filter=counted), Count("id", filter=counted)),
        "approved": (
            Sum("conversions", filter=Q(attributed=True, status=ConversionStatus.APPROVED)),
            Count("id", filter=Q(attributed=True, status=ConversionStatus.APPROVED)),
        ),
        "reversed": (
            Sum("conversions", filter=Q(attributed=True, status=ConversionStatus.REVERSED)),
            Count("id", filter=Q(attributed=True, status=ConversionStatus.REVERSED)),
        ),
        "revenue": (
            Sum("reporting_amount_cents", filter=recorded),
            Sum("reporting_amount_cents", filter=recorded),
        ),
        "foreign": (
            Sum("amount_cents", filter=other | (recorded & Q(unreported__gt=0))),
            Sum("amount_cents", filter=other | (recorded & _UNREPORTED)),
        ),
    }


def _commission_sums(currency: str) -> dict[str, Any]:
    recorded = Q(reporting_currency=currency)
    sums: dict[str, Any] = {
        status: (
            Sum("reporting_amount_cents", filter=recorded & Q(status=status)),
            Sum("reporting_amount_cents", filter=recorded & Q(status=status)),
        )
        for status in COMMISSION_STATUSES
    }
    sums["foreign"] = (
        Sum("amount_cents", filter=~recorded | (recorded & Q(unreported__gt=0))),
        Sum("amount_cents", filter=~recorded | (recorded & _UNREPORTED)),
    )
    return sums


_UNREPORTED = Q(amount_cents__isnull=False, reporting_amount_cents__isnull=True)


def _foreign(
    read: Any,
    convert: _Money,
    *,
    start: date,
    end: date,
    group_by: str,
    position: datetime,
    needed: bool,
    **filters: Any,
) -> dict[tuple[Any, Any], dict[str, int]]:
    """The amounts not recorded in the report's currency, converted day by day, per
    (period, program) and status ("" for conversions)."""
    out: dict[tuple[Any, Any], dict[str, int]] = {}
    if not needed:
        return out
    target = convert.target
    rows = read(
        start=start,
        end=end,
        group=("day", "program_id", "status", "currency", "reporting_currency"),
        position=position,
        stat_q=~Q(reporting_currency=target) | Q(unreported__gt=0),
        raw_q=~Q(reporting_currency=target) | _UNREPORTED,
        **filters,
    )
    is_conversion = read is rollups.conversion_rows
    for row in rows:
        if row["reporting_currency"] == target:
            # Only the amounts recorded without a reporting amount need converting.
            row = {**row, "reporting": 0}
        amount = convert.minor(row)
        key = (_period_key(row["day"], group_by), row["program_id"])
        into = out.setdefault(key, {})
        status = "" if is_conversion else row["status"]
        into[status] = into.get(status, 0) + amount
    return out


def _targets(
    row: dict[str, Any],
    name: str,
    summary: Figures,
    per_period: dict[date, Figures],
    per_program: dict[uuid.UUID, Figures],
) -> list[Figures]:
    """The figures a row of a grouping adds to: by period, the summary and its period;
    by program, the program's (unattributed rows have none)."""
    if name == "period":
        return [summary, per_period[_day(row["period"])]]
    if row["program_id"] is None:
        return []
    return [per_program.setdefault(row["program_id"], Figures())]


def _foreign_sum(
    converted: dict[tuple[Any, Any], dict[str, int]], row: dict[str, Any], name: str, status: str
) -> int:
    if not converted:
        return 0
    position = 0 if name == "period" else 1
    value = _day(row["period"]) if name == "period" else row["program_id"]
    return sum(
        amounts.get(status, 0) for key, amounts in converted.items() if key[position] == value
    )


def _period_key(day: date, group_by: str) -> date:
    return period_of(day, group_by)


def stats_report(
    *,
    mode: str,
    start: date,
    end: date,
    currency: str,
    group_by: str = "day",
    merchant_id: uuid.UUID | None = None,
    partner_id: uuid.UUID | None = None,
    program_ids: list[uuid.UUID] | None = None,
) -> StatsReport:
    """Figures for the UTC days [start, end) of one mode, scoped to a merchant and/or a
    partner (and optionally some programs), in `currency`, with a time series grouped by
    `group_by` (day, week or month) and one entry per program with activity."""
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}")
    if merchant_id is None and partner_id is None:
        raise ValueError("a merchant or a partner scope is needed")
    filters: dict[str, Any] = {"mode": mode}
    if merchant_id is not None:
        filters["merchant_id"] = merchant_id
    if partner_id is not None:
        filters["partner_id"] = partner_id
    if program_ids is not None:
        filters["program_id__in"] = program_ids
    counted_statuses = (ConversionStatus.PENDING, ConversionStatus.APPROVED)
    # Two narrow groupings rather than one by period and program: a year by day is 365
    # rows plus one per program, not 365 per program.
    by_period: dict[str, list[dict[str, Any]]] = {}
    by_program: dict[str, list[dict[str, Any]]] = {}
    with rollups.consistent_reads():
        for name, group in (("period", ("period",)), ("program", ("program_id",))):
            into = by_period if name == "period" else by_program
            into["clicks"] = click_rows(
                start=start, end=end, group=group, period=group_by, **filters
            )
            position = rollups.watermark_position()
            into["conversions"] = rollups.conversion_rows(
                start=start,
                end=end,
                group=group,
                period=group_by,
                position=position,
                sums=_conversion_sums(currency, counted_statuses),
                **filters,
            )
            into["commissions"] = rollups.commission_rows(
                start=start,
                end=end,
                group=group,
                period=group_by,
                position=position,
                sums=_commission_sums(currency),
                **filters,
            )
        # Amounts not recorded in `currency` are converted day by day (module docstring):
        # only then are their rows read at that detail.
        convert = _Money(currency, start, end)
        foreign_revenue = _foreign(
            rollups.conversion_rows,
            convert,
            start=start,
            end=end,
            group_by=group_by,
            position=position,
            needed=any(row["foreign"] for row in by_period["conversions"]),
            attributed=True,
            status__in=counted_statuses,
            **filters,
        )
        foreign_commissions = _foreign(
            rollups.commission_rows,
            convert,
            start=start,
            end=end,
            group_by=group_by,
            position=position,
            needed=any(row["foreign"] for row in by_period["commissions"]),
            **filters,
        )
    summary = Figures()
    per_period = {first: Figures() for first in periods(start, end, group_by)}
    per_program: dict[uuid.UUID, Figures] = {}
    for name, rows in (("period", by_period), ("program", by_program)):
        for row in rows["clicks"]:
            for figures in _targets(row, name, summary, per_period, per_program):
                figures.clicks += row["n"]
                figures.bot_clicks += row["bots"]
        for row in rows["conversions"]:
            revenue = row["revenue"] + _foreign_sum(foreign_revenue, row, name, "")
            for figures in _targets(row, name, summary, per_period, per_program):
                figures.received_conversions += row["received"]
                figures.conversions += row["counted"]
                figures.approved_conversions += row["approved"]
                figures.reversed_conversions += row["reversed"]
                figures.revenue_minor += revenue
        for row in rows["commissions"]:
            for figures in _targets(row, name, summary, per_period, per_program):
                for status in COMMISSION_STATUSES:
                    figures.commissions_minor[status] += row[status] + _foreign_sum(
                        foreign_commissions, row, name, status
                    )
    programs = {
        program.pk: program
        for program in Program.objects.filter(pk__in=list(per_program), mode=mode).only(
            "id", "code", "name", "currency"
        )
    }
    by_offer = [
        OfferFigures(
            program_id=pk,
            code=programs[pk].code if pk in programs else "",
            name=programs[pk].name if pk in programs else "",
            program_currency=programs[pk].currency if pk in programs else "",
            figures=figures,
        )
        for pk, figures in per_program.items()
    ]
    by_offer.sort(key=lambda offer: (-offer.figures.conversions, -offer.figures.clicks, offer.code))
    return StatsReport(
        start=start,
        end=end - timedelta(days=1),
        group_by=group_by,
        currency=currency,
        summary=summary,
        by_offer=by_offer,
        time_series=[PeriodFigures(start=first, figures=f) for first, f in per_period.items()],
        unconverted=convert.unconverted,
    )
