"""Daily rollups of conversions and commissions: the write side and the exact reads.

The rollups (`ConversionDailyStat`, `CommissionDailyStat`) hold every row created before
the "sales" watermark, counted under its current status; reads add the raw rows created
from the watermark on. A periodic task (`sales_rollup_advance`, every minute) moves the
watermark forward as the click rollups do (`tracking.rollups`).

A status change of a row created long ago (an approval after the hold, a reversal, a
payout) is reflected at once: the service that changes the status calls
`commissions_moved`/`conversions_moved` in its own transaction, which moves the row's
count and amounts from the old status's rollup row to the new one's when the row was
already rolled up. Rows are keyed by the day they were created, never by the day of
the change, so a report over days [start, end) counts the rows created in those days
under their current status, exactly as a count over the raw rows would. Re-rolling the
touched days was the alternative; it costs a day's worth of rows per change, this costs
two rollup rows.

The watermark row is the lock that makes this exact: a run of the rollup holds it FOR
UPDATE while it counts, and a status change holds it FOR SHARE while it decides whether
the row is already rolled up, so a change either lands before the run counts the row
(the run counts the new status) or after the run committed (the change moves it).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import Trunc, TruncDate
from django.utils import timezone

from conversions.models import Commission, Conversion
from conversions.rollup_models import (
    ALL_PARTNERS,
    NO_ID,
    CommissionDailyStat,
    CommissionMonthlyStat,
    ConversionDailyStat,
    ConversionMonthlyStat,
)
from tracking.models import RollupWatermark
from tracking.rollups import EPOCH, MAX_SPAN, SETTLE, month_split

WATERMARK = "sales"
# What a rollup row sums, and the name each sum has in a read's result.
SUMS = ("n", "amount", "reporting", "unreported", "unreported_amount")
_FIELDS = {
    "amount": "amount_cents",
    "reporting": "reporting_amount_cents",
    "unreported": "unreported",
    "unreported_amount": "unreported_amount_cents",
}
_KEY = ("merchant_id", "mode", "day", "program_id", "partner_id", "status", "currency")
_KEY_TAIL = ("reporting_currency",)
# A row with an amount but no reporting amount: no stored rate had its currency.
_UNREPORTED = Q(amount_cents__isnull=False, reporting_amount_cents__isnull=True)


class _Family:
    """One rolled-up table: the raw model, its daily and monthly rollup models and the
    daily rollup's key (the monthly one has `month` for `day`)."""

    def __init__(self, raw: Any, stat: Any, monthly: Any, count: str, key: tuple[str, ...]):
        self.raw, self.stat, self.monthly, self.count, self.key = raw, stat, monthly, count, key
        self.monthly_key = tuple("month" if name == "day" else name for name in key)

    def raw_sums(self) -> dict[str, Any]:
        return {
            "n": Count("id"),
            "amount": Sum("amount_cents"),
            "reporting": Sum("reporting_amount_cents"),
            "unreported": Count("id", filter=_UNREPORTED),
            "unreported_amount": Sum("amount_cents", filter=_UNREPORTED),
        }

    def stat_sums(self) -> dict[str, Any]:
        return {"n": Sum(self.count), **{name: Sum(f) for name, f in _FIELDS.items()}}

    def stat_values(self, sums: dict[str, int]) -> dict[str, int]:
        return {self.count: sums["n"], **{f: sums[name] for name, f in _FIELDS.items()}}


CONVERSIONS = _Family(
    Conversion,
    ConversionDailyStat,
    ConversionMonthlyStat,
    "conversions",
    (*_KEY, "attributed", *_KEY_TAIL),
)
COMMISSIONS = _Family(
    Commission, CommissionDailyStat, CommissionMonthlyStat, "commissions", (*_KEY, *_KEY_TAIL)
)


def _stored_key(
    row: dict[str, Any], family: _Family, key: tuple[str, ...] | None = None
) -> tuple[Any, ...]:
    return tuple(
        (row[name] or NO_ID) if name in ("program_id", "partner_id") else row[name]
        for name in key or family.key
    )


def _monthly_key(key: tuple[Any, ...], family: _Family) -> tuple[Any, ...]:
    """A daily rollup row's key as its month's row's key."""
    at = family.key.index("day")
    return (*key[:at], key[at].replace(day=1), *key[at + 1 :])


def _ints(row: dict[str, Any]) -> dict[str, int]:
    return {name: int(row[name] or 0) for name in SUMS}


# The write side.


def _watermark_locked() -> RollupWatermark:
    RollupWatermark.objects.get_or_create(name=WATERMARK, defaults={"position": EPOCH})
    return RollupWatermark.objects.select_for_update().get(name=WATERMARK)


def _watermark_shared() -> datetime:
    """The watermark, held FOR SHARE until the transaction ends: no rollup run can count
    rows while the caller changes them, and the caller sees where the last run ended."""
    RollupWatermark.objects.get_or_create(name=WATERMARK, defaults={"position": EPOCH})
    if connection.vendor != "postgresql":
        # SQLite runs one writing transaction at a time: nothing can interleave.
        return RollupWatermark.objects.get(name=WATERMARK).position
    # Django has no FOR SHARE; FOR UPDATE would queue status changes behind each other.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT position FROM tracking_rollupwatermark WHERE name = %s FOR SHARE", [WATERMARK]
        )
        position: datetime = cursor.fetchone()[0]
    return position


def _first_created() -> datetime | None:
    firsts = [
        family.raw.objects.order_by("created_at").values_list("created_at", flat=True).first()
        for family in (CONVERSIONS, COMMISSIONS)
    ]
    found = [moment for moment in firsts if moment is not None]
    return min(found) if found else None


def _roll(family: _Family, start: datetime, end: datetime) -> int:
    """Add the rows created in [start, end) to the rollups, in a handful of statements."""
    rows = list(
        family.raw.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values(*family.key)
        .annotate(**family.raw_sums())
        .order_by()
    )
    if not rows:
        return 0
    counted = sum(row["n"] for row in rows)
    daily: dict[tuple[Any, ...], dict[str, int]] = {}
    monthly: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in _with_all_partners(rows, family):
        key = _stored_key(row, family)
        values = family.stat_values(_ints(row))
        for table, at in ((daily, key), (monthly, _monthly_key(key, family))):
            into = table.setdefault(at, dict.fromkeys(values, 0))
            for name, value in values.items():
                into[name] += value
    _add_up(family.stat, family.key, daily, family)
    _add_up(family.monthly, family.monthly_key, monthly, family)
    return counted


def _add_up(
    model: Any, key: tuple[str, ...], rows: dict[tuple[Any, ...], dict[str, int]], family: _Family
) -> None:
    """Add sums to rollup rows in a few statements: the rows of the periods concerned are
    read once, then created or updated in batches (the run holds the watermark)."""
    period = 2  # merchant, mode, then the day or month
    existing = {
        tuple(getattr(stat, name) for name in key): stat
        # The merchant leads the unique key's index: no scan of the whole table.
        for stat in model.objects.filter(
            merchant_id__in={row[0] for row in rows},
            **{f"{key[period]}__in": {row[period] for row in rows}},
        )
    }
    created, updated = [], []
    for row, values in rows.items():
        stat = existing.get(row)
        if stat is None:
            created.append(model(**dict(zip(key, row, strict=True)), **values))
        else:
            for name, value in values.items():
                setattr(stat, name, getattr(stat, name) + value)
            updated.append(stat)
    model.objects.bulk_create(created, batch_size=1000)
    model.objects.bulk_update(
        updated, list(family.stat_values(dict.fromkeys(SUMS, 0))), batch_size=1000
    )


def _with_all_partners(rows: list[dict[str, Any]], family: _Family) -> list[dict[str, Any]]:
    """The rows, and their sums over partners under `ALL_PARTNERS`."""
    summed: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        total = {**row, "partner_id": ALL_PARTNERS}
        key = _stored_key(total, family)
        into = summed.setdefault(key, {**total, **dict.fromkeys(SUMS, 0)})
        for name in SUMS:
            into[name] += int(row[name] or 0)
    return rows + list(summed.values())


@transaction.atomic
def sales_rollup_advance(*, now: datetime | None = None) -> tuple[int, bool]:
    """Roll conversions and commissions from the watermark up to `now - SETTLE` (at most
    MAX_SPAN per run). Returns how many rows were counted and whether the watermark
    reached its target (a catch-up repeats until it has)."""
    target = (now or timezone.now()) - SETTLE
    watermark = _watermark_locked()
    start = watermark.position
    if start == EPOCH:
        first = _first_created()
        if first is None:
            return 0, True
        start = first
    end = min(target, start + MAX_SPAN)
    if end <= start:
        return 0, True
    counted = _roll(CONVERSIONS, start, end) + _roll(COMMISSIONS, start, end)
    watermark.position = end
    watermark.save(update_fields=["position"])
    return counted, end >= target


def sales_rollup_catch_up(*, now: datetime | None = None) -> int:
    """Advance until the watermark is `SETTLE` behind `now`, one span per transaction."""
    now = now or timezone.now()
    total = 0
    while True:
        counted, done = sales_rollup_advance(now=now)
        total += counted
        if done:
            return total


def _add(stat: Any, key: dict[str, Any], values: dict[str, int]) -> None:
    """Add `values` to one rollup row, creating it when missing (concurrent changes may
    both find it missing: the loser of the unique key adds to the winner's row)."""
    increments = {name: F(name) + value for name, value in values.items()}
    if stat.objects.filter(**key).update(**increments):
        return
    try:
        with transaction.atomic():
            stat.objects.create(**key, **values)
    except IntegrityError:
        stat.objects.filter(**key).update(**increments)


def _moved(family: _Family, ids: Sequence[uuid.UUID], before: str) -> None:
    if not ids:
        return
    position = _watermark_shared()
    rows = (
        family.raw.objects.filter(pk__in=ids, created_at__lt=position)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values(*family.key)
        .annotate(**family.raw_sums())
        .order_by()
    )
    deltas: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in rows:
        if row["status"] == before:
            continue
        key = _stored_key(row, family)
        values = family.stat_values(_ints(row))
        partner_at = family.key.index("partner_id")
        status_at = family.key.index("status")
        for partner_id in (key[partner_at], ALL_PARTNERS):
            moved = list(key)
            moved[partner_at] = partner_id
            for status, sign in ((before, -1), (row["status"], 1)):
                moved[status_at] = status
                into = deltas.setdefault(tuple(moved), dict.fromkeys(values, 0))
                for name, value in values.items():
                    into[name] += sign * value
    # One fixed order of rollup rows for every change, so concurrent ones cannot deadlock.
    for key in sorted(deltas, key=lambda k: tuple(str(v) for v in k)):
        _add(family.stat, dict(zip(family.key, key, strict=True)), deltas[key])
    # Then the months' rows, in the same order (a day's deltas add into its month's).
    months: dict[tuple[Any, ...], dict[str, int]] = {}
    for key, values in deltas.items():
        into = months.setdefault(_monthly_key(key, family), dict.fromkeys(values, 0))
        for name, value in values.items():
            into[name] += value
    for key in sorted(months, key=lambda k: tuple(str(v) for v in k)):
        _add(family.monthly, dict(zip(family.monthly_key, key, strict=True)), months[key])


def commissions_moved(*, commission_ids: Sequence[uuid.UUID], before: str) -> None:
    """Call in the transaction that changed these commissions' status from `before`,
    after the change (and before `conversions_moved`, for a fixed lock order)."""
    _moved(COMMISSIONS, commission_ids, before)


def conversions_moved(*, conversion_ids: Sequence[uuid.UUID], before: str) -> None:
    """Call in the transaction that changed these conversions' status from `before`."""
    _moved(CONVERSIONS, conversion_ids, before)


# The read side.


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@contextmanager
def consistent_reads() -> Iterator[None]:
    """One snapshot for every read inside: the watermark and both tables as of one
    moment (PostgreSQL's REPEATABLE READ, taken when no transaction is open yet)."""
    if connection.in_atomic_block or connection.vendor != "postgresql":
        with transaction.atomic():
            yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def watermark_position() -> datetime:
    position = (
        RollupWatermark.objects.filter(name=WATERMARK).values_list("position", flat=True).first()
    )
    return position or EPOCH


def _period(kind: str | None, field: str, *, tz: bool) -> Any:
    """The first day of the period of `field` (a day, or a moment in UTC)."""
    extra: dict[str, Any] = {"tzinfo": UTC} if tz else {}
    if kind in ("week", "month"):
        return Trunc(field, kind, output_field=DateField(), **extra)
    return TruncDate(field, **extra) if tz else F(field)


def _rows(
    family: _Family,
    *,
    start: date,
    end: date,
    group: Sequence[str],
    position: datetime | None,
    filters: dict[str, Any],
    sums: dict[str, tuple[Any, Any]] | None = None,
    period: str | None = None,
    stat_q: Q | None = None,
    raw_q: Q | None = None,
) -> list[dict[str, Any]]:
    start_at, end_at = _midnight(start), _midnight(end)
    if position is None:
        position = watermark_position()
    stat_sums = {name: pair[0] for name, pair in sums.items()} if sums else family.stat_sums()
    raw_sums = {name: pair[1] for name, pair in sums.items()} if sums else family.raw_sums()
    # Every part groups by the same annotations, in the same order, so that their rows
    # line up in one UNION ALL: one round trip per read whatever the tables read.
    columns = {name: f"by_{n}" for n, name in enumerate(group)}
    parts: list[QuerySet[Any]] = []
    if position > start_at:
        stat_filters = {
            name: (value or NO_ID) if name in ("program_id", "partner_id") else value
            for name, value in filters.items()
        }
        tables: list[QuerySet[Any]] = [
            family.stat.objects.filter(day__gte=start, day__lt=end, **stat_filters)
        ]
        if "day" not in group and "period" not in group:
            # Whole months from the monthly rows, the days at the ends from the daily ones.
            months, days = month_split(start, end)
            if months is not None:
                tables = [
                    family.stat.objects.filter(days, **stat_filters),
                    family.monthly.objects.filter(
                        month__gte=months[0], month__lt=months[1], **stat_filters
                    ),
                ]
        for stats in tables:
            if stat_q is not None:
                stats = stats.filter(stat_q)
            if any(name.startswith("partner_id") for name in (*group, *filters)):
                stats = stats.exclude(partner_id=ALL_PARTNERS)
            else:
                stats = stats.filter(partner_id=ALL_PARTNERS)
            by = {
                column: _period(period, "day", tz=False) if name == "period" else F(name)
                for name, column in columns.items()
            }
            parts.append(stats.annotate(**by).values(*by).annotate(**stat_sums).order_by())
    if position < end_at:
        raw: QuerySet[Any] = family.raw.objects.filter(
            created_at__gte=max(start_at, position), created_at__lt=end_at, **filters
        )
        if raw_q is not None:
            raw = raw.filter(raw_q)
        computed = {
            "day": TruncDate("created_at", tzinfo=UTC),
            "period": _period(period, "created_at", tz=True),
        }
        by = {column: computed.get(name, F(name)) for name, column in columns.items()}
        parts.append(raw.annotate(**by).values(*by).annotate(**raw_sums).order_by())
    found: list[dict[str, Any]] = []
    if parts:
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        found = [
            {**row, **{name: row[column] for name, column in columns.items()}} for row in query
        ]
    names = tuple(stat_sums)
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in found:
        key = tuple(
            None if name in ("program_id", "partner_id") and row[name] == NO_ID else row[name]
            for name in group
        )
        into = merged.get(key)
        if into is None:
            into = merged[key] = {**dict(zip(group, key, strict=True)), **dict.fromkeys(names, 0)}
        for name in names:
            into[name] += int(row[name] or 0)
    # A status move leaves rollup rows counting nothing; a GROUP BY over the raw rows has
    # no such group, so neither has this.
    return [row for row in merged.values() if "n" not in row or row["n"]]


def conversion_rows(
    *,
    start: date,
    end: date,
    group: Sequence[str],
    position: datetime | None = None,
    sums: dict[str, tuple[Any, Any]] | None = None,
    period: str | None = None,
    stat_q: Q | None = None,
    raw_q: Q | None = None,
    **filters: Any,
) -> list[dict[str, Any]]:
    """Conversions created in the UTC days [start, end), grouped by `group` (any of day,
    program_id, partner_id, attributed, status, currency, reporting_currency), each group
    with its sums: n, amount, reporting, unreported, unreported_amount.

    `filters` apply to both tables: merchant_id, mode, program_id, partner_id, status…
    `position` is the watermark when the caller has read it (`watermark_position`).
    `sums` replaces the sums: {name: (aggregate over the rollup, aggregate over raw rows)};
    `period` (day, week, month) is what a `period` in `group` means; `stat_q`/`raw_q`
    narrow the rollup rows and the raw rows.
    """
    return _rows(
        CONVERSIONS,
        start=start,
        end=end,
        group=group,
        position=position,
        filters=filters,
        sums=sums,
        period=period,
        stat_q=stat_q,
        raw_q=raw_q,
    )


def commission_rows(
    *,
    start: date,
    end: date,
    group: Sequence[str],
    position: datetime | None = None,
    sums: dict[str, tuple[Any, Any]] | None = None,
    period: str | None = None,
    stat_q: Q | None = None,
    raw_q: Q | None = None,
    **filters: Any,
) -> list[dict[str, Any]]:
    """Commissions created in the UTC days [start, end), as `conversion_rows` groups them."""
    return _rows(
        COMMISSIONS,
        start=start,
        end=end,
        group=group,
        position=position,
        filters=filters,
        sums=sums,
        period=period,
        stat_q=stat_q,
        raw_q=raw_q,
    )
