"""Conversion and commission figures for reports (dashboard overview, partner earnings).

Reads aggregate in the database, grouped by one dimension at a time, using the
(merchant, mode, created_at) and (partner, created_at) indexes: no Python loops over rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from conversions.models import Commission, CommissionStatus, Conversion, ConversionStatus


@dataclass
class ConversionFigures:
    received: int = 0
    attributed: int = 0
    reversed: int = 0
    per_day: dict[date, int] = field(default_factory=dict)
    revenue_cents: dict[str, int] = field(default_factory=dict)
    # The same revenue as recorded in reporting currencies ({code: minor units}), and
    # how many amounts have none (no stored rate).
    revenue_reporting: dict[str, int] = field(default_factory=dict)
    revenue_unreported: int = 0
    per_partner: dict[Any, int] = field(default_factory=dict)
    per_program: dict[Any, int] = field(default_factory=dict)


@dataclass
class CommissionFigures:
    # {status: {currency: cents}} for pending, approved, paid and reversed.
    by_status: dict[str, dict[str, int]] = field(default_factory=dict)
    per_day: dict[date, dict[str, int]] = field(default_factory=dict)
    per_partner: dict[Any, dict[str, int]] = field(default_factory=dict)
    per_program: dict[Any, dict[str, int]] = field(default_factory=dict)
    # The same in reporting currencies: {status: {code: minor units}} and per partner
    # and program; amounts without a reporting amount (no stored rate) are counted.
    reporting_by_status: dict[str, dict[str, int]] = field(default_factory=dict)
    reporting_per_partner: dict[Any, dict[str, int]] = field(default_factory=dict)
    reporting_per_program: dict[Any, dict[str, int]] = field(default_factory=dict)
    unreported_by_status: dict[str, int] = field(default_factory=dict)

    def total(self, *statuses: str) -> dict[str, int]:
        return self._sum(self.by_status, statuses)

    def reporting_total(self, *statuses: str) -> dict[str, int]:
        return self._sum(self.reporting_by_status, statuses)

    def unreported(self, *statuses: str) -> int:
        chosen = statuses or tuple(CommissionStatus.values)
        return sum(self.unreported_by_status.get(status, 0) for status in chosen)

    @staticmethod
    def _sum(table: dict[str, dict[str, int]], statuses: tuple[str, ...]) -> dict[str, int]:
        out: dict[str, int] = {}
        for status in statuses or tuple(CommissionStatus.values):
            for currency, cents in table.get(status, {}).items():
                out[currency] = out.get(currency, 0) + cents
        return out


def _between(start: date, end: date) -> Q:
    return Q(
        created_at__gte=datetime.combine(start, time.min, tzinfo=UTC),
        created_at__lt=datetime.combine(end, time.min, tzinfo=UTC),
    )


def conversion_figures(*, start: date, end: date, **scope: Any) -> ConversionFigures:
    """Conversions created in the UTC days [start, end) for a scope (merchant + mode, partner…).

    Breakdowns and revenue count attributed conversions that were not reversed.
    """
    rows = Conversion.objects.filter(_between(start, end), **scope)
    totals = rows.aggregate(
        received=Count("id"),
        attributed=Count("id", filter=Q(attributed=True)),
        reversed=Count("id", filter=Q(status=ConversionStatus.REVERSED)),
    )
    counted = rows.filter(attributed=True).exclude(status=ConversionStatus.REVERSED)
    per_day = (
        counted.annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    revenue: list[dict[str, Any]] = _rows(
        counted.values("currency", "reporting_currency")
        .annotate(
            cents=Sum("amount_cents"),
            reporting=Sum("reporting_amount_cents"),
            unreported=Count(
                "id",
                filter=Q(amount_cents__isnull=False, reporting_amount_cents__isnull=True),
            ),
        )
        .order_by()
    )
    per_partner = counted.values("partner_id").annotate(n=Count("id")).order_by()
    per_program = counted.values("program_id").annotate(n=Count("id")).order_by()
    return ConversionFigures(
        received=totals["received"],
        attributed=totals["attributed"],
        reversed=totals["reversed"],
        per_day={row["day"]: row["n"] for row in per_day},
        revenue_cents=_by(revenue, "currency", "cents"),
        revenue_reporting=_by(
            [row for row in revenue if row["reporting"] is not None],
            "reporting_currency",
            "reporting",
        ),
        revenue_unreported=sum(row["unreported"] for row in revenue),
        per_partner={row["partner_id"]: row["n"] for row in per_partner},
        per_program={row["program_id"]: row["n"] for row in per_program},
    )


def _rows(values: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in values]


def _by(rows: list[dict[str, Any]], key: str, value: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in rows:
        if row[key]:
            out[row[key]] = out.get(row[key], 0) + (row[value] or 0)
    return out


def _nested(
    rows: Any, key: str, *, currency: str = "currency", value: str = "cents"
) -> dict[Any, dict[str, int]]:
    out: dict[Any, dict[str, int]] = {}
    for row in rows:
        if row[value] is None and value != "cents":
            continue
        inner = out.setdefault(row[key], {})
        inner[row[currency]] = inner.get(row[currency], 0) + (row[value] or 0)
    return out


def commission_figures(*, start: date, end: date, **scope: Any) -> CommissionFigures:
    """Commissions created in the UTC days [start, end), by status, day, partner and program.

    The day, partner and program breakdowns leave reversed commissions out.
    """
    rows = Commission.objects.filter(_between(start, end), **scope)
    live = rows.exclude(status=CommissionStatus.REVERSED)
    cents = Sum("amount_cents")
    amounts = {
        "cents": cents,
        "reporting": Sum("reporting_amount_cents"),
        "unreported": Count("id", filter=Q(reporting_amount_cents__isnull=True)),
    }
    by_status = _rows(
        rows.values("status", "currency", "reporting_currency").annotate(**amounts).order_by()
    )
    per_partner = _rows(
        live.values("partner_id", "currency", "reporting_currency").annotate(**amounts).order_by()
    )
    per_program = _rows(
        live.values("program_id", "currency", "reporting_currency").annotate(**amounts).order_by()
    )
    reporting = {"currency": "reporting_currency", "value": "reporting"}
    unreported: dict[str, int] = {}
    for row in by_status:
        unreported[row["status"]] = unreported.get(row["status"], 0) + row["unreported"]
    return CommissionFigures(
        by_status=_nested(by_status, "status"),
        reporting_by_status=_nested(by_status, "status", **reporting),
        reporting_per_partner=_nested(per_partner, "partner_id", **reporting),
        reporting_per_program=_nested(per_program, "program_id", **reporting),
        unreported_by_status=unreported,
        per_day=_nested(
            live.annotate(day=TruncDate("created_at", tzinfo=UTC))
            .values("day", "currency")
            .annotate(cents=cents)
            .order_by(),
            "day",
        ),
        per_partner=_nested(per_partner, "partner_id"),
        per_program=_nested(per_program, "program_id"),
    )
