"""Conversion and commission figures for reports (dashboard overview, partner earnings).

Reads aggregate in the database, grouped by one dimension at a time, over the daily
rollups and the raw rows after their watermark (`conversions.rollups`): the cost follows
the number of days, programs and partners in the range, not the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from conversions import rollups
from conversions.models import CommissionStatus, ConversionStatus


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


def _ids(scope: dict[str, Any]) -> dict[str, Any]:
    """`merchant=`, `partner=`, `program=` (rows or ids) as the rollups' id filters."""
    out: dict[str, Any] = {}
    for name, value in scope.items():
        if name in ("merchant", "partner", "program"):
            out[f"{name}_id"] = getattr(value, "pk", value)
        else:
            out[name] = value
    return out


def conversion_figures(*, start: date, end: date, **scope: Any) -> ConversionFigures:
    """Conversions created in the UTC days [start, end) for a scope (merchant + mode, partner…).

    Breakdowns and revenue count attributed conversions that were not reversed. Read from
    the daily rollups plus the rows after their watermark (`conversions.rollups`).
    """
    filters = _ids(scope)
    with rollups.consistent_reads():
        filters["position"] = rollups.watermark_position()
        rows = rollups.conversion_rows(
            start=start,
            end=end,
            group=("attributed", "status", "currency", "reporting_currency"),
            **filters,
        )
        counted = {"attributed": True, "status__in": COUNTED_CONVERSIONS, **filters}
        per_day = rollups.conversion_rows(start=start, end=end, group=("day",), **counted)
        per_partner = rollups.conversion_rows(
            start=start, end=end, group=("partner_id",), **counted
        )
        per_program = rollups.conversion_rows(
            start=start, end=end, group=("program_id",), **counted
        )
    live = [r for r in rows if r["attributed"] and r["status"] != ConversionStatus.REVERSED]
    return ConversionFigures(
        received=sum(r["n"] for r in rows),
        attributed=sum(r["n"] for r in rows if r["attributed"]),
        reversed=sum(r["n"] for r in rows if r["status"] == ConversionStatus.REVERSED),
        per_day={row["day"]: row["n"] for row in per_day},
        revenue_cents=_by(
            [{**r, "cents": r["amount"]} for r in live if r["currency"]], "currency", "cents"
        ),
        revenue_reporting=_by(
            # Groups with at least one reporting amount, as SUM would skip the others.
            [r for r in live if r["n"] > r["unreported"]],
            "reporting_currency",
            "reporting",
        ),
        revenue_unreported=sum(r["unreported"] for r in live),
        per_partner={row["partner_id"]: row["n"] for row in per_partner},
        per_program={row["program_id"]: row["n"] for row in per_program},
    )


COUNTED_CONVERSIONS = (ConversionStatus.PENDING, ConversionStatus.APPROVED)


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


def commission_figures(
    *, start: date, end: date, by_day: bool = True, **scope: Any
) -> CommissionFigures:
    """Commissions created in the UTC days [start, end), by status, day, partner and program.

    The day, partner and program breakdowns leave reversed commissions out. Read from
    the daily rollups plus the rows after their watermark (`conversions.rollups`).
    `by_day=False` leaves `per_day` empty, for a page that does not chart it: a year by
    day is the largest of the reads.
    """
    filters = _ids(scope)
    money = ("currency", "reporting_currency")
    with rollups.consistent_reads():
        filters["position"] = rollups.watermark_position()
        live = {"status__in": COUNTED_COMMISSIONS, **filters}
        by_status = rollups.commission_rows(
            start=start, end=end, group=("status", *money), **filters
        )
        per_partner = rollups.commission_rows(
            start=start, end=end, group=("partner_id", *money), **live
        )
        per_program = rollups.commission_rows(
            start=start, end=end, group=("program_id", *money), **live
        )
        per_day = (
            rollups.commission_rows(start=start, end=end, group=("day", "currency"), **live)
            if by_day
            else []
        )
    for table in (by_status, per_partner, per_program, per_day):
        for row in table:
            row["cents"] = row["amount"]
            # Like SUM over no reporting amount at all: nothing to report in that currency.
            if row.get("reporting_currency") is not None and row["unreported"] == row["n"]:
                row["reporting"] = None
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
        per_day=_nested(per_day, "day"),
        per_partner=_nested(per_partner, "partner_id"),
        per_program=_nested(per_program, "program_id"),
    )


COUNTED_COMMISSIONS = (
    CommissionStatus.PENDING,
    CommissionStatus.APPROVED,
    CommissionStatus.PAID,
)
