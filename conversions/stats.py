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
    per_partner: dict[Any, int] = field(default_factory=dict)
    per_program: dict[Any, int] = field(default_factory=dict)


@dataclass
class CommissionFigures:
    # {status: {currency: cents}} for pending, approved, paid and reversed.
    by_status: dict[str, dict[str, int]] = field(default_factory=dict)
    per_day: dict[date, dict[str, int]] = field(default_factory=dict)
    per_partner: dict[Any, dict[str, int]] = field(default_factory=dict)
    per_program: dict[Any, dict[str, int]] = field(default_factory=dict)

    def total(self, *statuses: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for status in statuses or tuple(CommissionStatus.values):
            for currency, cents in self.by_status.get(status, {}).items():
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
    revenue = counted.values("currency").annotate(cents=Sum("amount_cents")).order_by()
    per_partner = counted.values("partner_id").annotate(n=Count("id")).order_by()
    per_program = counted.values("program_id").annotate(n=Count("id")).order_by()
    return ConversionFigures(
        received=totals["received"],
        attributed=totals["attributed"],
        reversed=totals["reversed"],
        per_day={row["day"]: row["n"] for row in per_day},
        revenue_cents={row["currency"]: row["cents"] or 0 for row in revenue},
        per_partner={row["partner_id"]: row["n"] for row in per_partner},
        per_program={row["program_id"]: row["n"] for row in per_program},
    )


def _nested(rows: Any, key: str) -> dict[Any, dict[str, int]]:
    out: dict[Any, dict[str, int]] = {}
    for row in rows:
        out.setdefault(row[key], {})[row["currency"]] = row["cents"] or 0
    return out


def commission_figures(*, start: date, end: date, **scope: Any) -> CommissionFigures:
    """Commissions created in the UTC days [start, end), by status, day, partner and program.

    The day, partner and program breakdowns leave reversed commissions out.
    """
    rows = Commission.objects.filter(_between(start, end), **scope)
    live = rows.exclude(status=CommissionStatus.REVERSED)
    cents = Sum("amount_cents")
    return CommissionFigures(
        by_status=_nested(
            rows.values("status", "currency").annotate(cents=cents).order_by(), "status"
        ),
        per_day=_nested(
            live.annotate(day=TruncDate("created_at", tzinfo=UTC))
            .values("day", "currency")
            .annotate(cents=cents)
            .order_by(),
            "day",
        ),
        per_partner=_nested(
            live.values("partner_id", "currency").annotate(cents=cents).order_by(), "partner_id"
        ),
        per_program=_nested(
            live.values("program_id", "currency").annotate(cents=cents).order_by(), "program_id"
        ),
    )
