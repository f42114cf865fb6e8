"""Daily click rollups: the write side (a periodic task) and the exact reads built on them.

`ClickDailyStat` (per partner) and `ClickProgramDailyStat` (per program only) hold every
click created before the watermark; reads add the raw clicks from the watermark on. A
report over whole UTC days is therefore exact at any moment while it scans the big table
only for the minutes since the last rollup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import Trunc, TruncDate
from django.utils import timezone

from tracking.models import (
    Click,
    ClickDailyStat,
    ClickMonthlyStat,
    ClickProgramDailyStat,
    RollupWatermark,
)

WATERMARK = "clicks"
# A click's created_at is taken just before its INSERT commits; staying this far behind
# the clock means no click can still arrive with a time before the watermark.
SETTLE = timedelta(minutes=2)
# One run counts at most this much time, so a first run over a large table is batched.
MAX_SPAN = timedelta(days=7)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _watermark_position() -> datetime:
    position = (
        RollupWatermark.objects.filter(name=WATERMARK).values_list("position", flat=True).first()
    )
    return position or EPOCH


DAILY_KEY = ("merchant_id", "mode", "day", "program_id", "partner_id")
PROGRAM_KEY = ("merchant_id", "mode", "day", "program_id")
MONTHLY_KEY = ("merchant_id", "mode", "month", "program_id", "partner_id")


def _add_up(model: Any, key: tuple[str, ...], rows: list[Any]) -> None:
    """Add counted rows to a rollup table in a few statements: the rows of the days
    concerned are read once, then created or updated in batches (the run holds the
    watermark, so nothing else writes them meanwhile)."""
    if not rows:
        return
    # The period (day or month) follows merchant and mode in every rollup key.
    period = key[2]
    existing = {
        tuple(getattr(stat, name) for name in key): stat
        # The merchant leads the unique key's index: no scan of the whole table.
        for stat in model.objects.filter(
            merchant_id__in={row["merchant_id"] for row in rows},
            **{f"{period}__in": {row[period] for row in rows}},
        )
    }
    created, updated = [], []
    for row in rows:
        stat = existing.get(tuple(row[name] for name in key))
        if stat is None:
            created.append(
                model(
                    **{name: row[name] for name in key},
                    clicks=row["clicks"],
                    bot_clicks=row["bots"],
                )
            )
        else:
            stat.clicks += row["clicks"]
            stat.bot_clicks += row["bots"]
            updated.append(stat)
    model.objects.bulk_create(created, batch_size=1000)
    model.objects.bulk_update(updated, ["clicks", "bot_clicks"], batch_size=1000)


@transaction.atomic
def click_rollup_advance(*, now: datetime | None = None) -> int:
    """Count clicks from the watermark up to `now - SETTLE` (or MAX_SPAN) into daily stats.

    The watermark row is locked for the whole run, so concurrent runs queue and each
    click is counted exactly once: a rerun starts where the previous run committed.
    Returns how many clicks were counted.
    """
    target = (now or timezone.now()) - SETTLE
    watermark, _ = RollupWatermark.objects.get_or_create(
        name=WATERMARK, defaults={"position": EPOCH}
    )
    watermark = RollupWatermark.objects.select_for_update().get(pk=watermark.pk)
    start = watermark.position
    if start == EPOCH:
        first = Click.objects.order_by("created_at").values_list("created_at", flat=True).first()
        if first is None:
            return 0
        start = first
    end = min(target, start + MAX_SPAN)
    if end <= start:
        return 0
    rows = list(
        Click.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("merchant_id", "mode", "day", "program_id", "partner_id")
        .annotate(clicks=Count("id"), bots=Count("id", filter=Q(is_bot=True)))
        .order_by()
    )
    per_program: dict[tuple[Any, ...], dict[str, Any]] = {}
    monthly: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        month: tuple[Any, ...] = (row["merchant_id"], row["mode"], row["day"].replace(day=1))
        month += (row["program_id"], row["partner_id"])
        summed = monthly.setdefault(
            month, {**dict(zip(MONTHLY_KEY, month, strict=True)), "clicks": 0, "bots": 0}
        )
        summed["clicks"] += row["clicks"]
        summed["bots"] += row["bots"]
        key = (row["merchant_id"], row["mode"], row["day"], row["program_id"])
        into = per_program.setdefault(
            key, {**dict(zip(PROGRAM_KEY, key, strict=True)), "clicks": 0, "bots": 0}
        )
        into["clicks"] += row["clicks"]
        into["bots"] += row["bots"]
    _add_up(ClickDailyStat, DAILY_KEY, rows)
    _add_up(ClickProgramDailyStat, PROGRAM_KEY, list(per_program.values()))
    _add_up(ClickMonthlyStat, MONTHLY_KEY, list(monthly.values()))
    counted = sum(row["clicks"] for row in rows)
    watermark.position = end
    watermark.save(update_fields=["position"])
    return counted


def click_rollup_catch_up(*, now: datetime | None = None) -> int:
    """Advance until the watermark is `SETTLE` behind `now`, one span per transaction."""
    now = now or timezone.now()
    total = 0
    while True:
        before = _watermark_position()
        total += click_rollup_advance(now=now)
        after = _watermark_position()
        # Stopped: caught up, or nothing to count yet (the watermark did not move).
        if after >= now - SETTLE or after == before:
            return total


@dataclass
class ClickFigures:
    clicks: int = 0
    bot_clicks: int = 0
    per_day: dict[date, int] = field(default_factory=dict)
    per_partner: dict[Any, int] = field(default_factory=dict)
    per_program: dict[Any, int] = field(default_factory=dict)

    @property
    def human_clicks(self) -> int:
        return self.clicks - self.bot_clicks


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def month_split(start: date, end: date) -> tuple[tuple[date, date] | None, Q]:
    """The days [start, end) as the whole UTC months in them ([first, last) of month
    starts, or None) and a filter on `day` for the days left at either end."""
    first = start if start.day == 1 else (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    last = end.replace(day=1)
    if first >= last:
        return None, Q(day__gte=start, day__lt=end)
    days = Q(pk__in=[])
    if start < first:
        days |= Q(day__gte=start, day__lt=first)
    if last < end:
        days |= Q(day__gte=last, day__lt=end)
    return (first, last), days


def _per_partner(start: date, end: date, scope: dict[str, Any]) -> list[QuerySet[Any]]:
    """`ClickDailyStat` over [start, end) as monthly rows for the whole months and daily
    rows for the days at the ends: the same sums from a fraction of the rows."""
    months, days = month_split(start, end)
    found: list[QuerySet[Any]] = [ClickDailyStat.objects.filter(days, **scope)]
    if months is not None:
        found.append(
            ClickMonthlyStat.objects.filter(month__gte=months[0], month__lt=months[1], **scope)
        )
    return found


def _sum_by(
    stats: QuerySet[Any] | list[QuerySet[Any]] | None,
    raw: QuerySet[Click] | None,
    dimension: str,
) -> dict[Any, tuple[int, int]]:
    """(clicks, bot clicks) per value of `dimension`, from the rollup tables and the raw
    clicks in one UNION ALL (one round trip)."""
    sums = {"n": Sum("clicks"), "bots": Sum("bot_clicks")}
    parts = [
        table.annotate(by=F(dimension)).values("by").annotate(**sums).order_by()
        for table in ([stats] if isinstance(stats, QuerySet) else stats or [])
    ]
    if raw is not None:
        by = TruncDate("created_at", tzinfo=UTC) if dimension == "day" else F(dimension)
        counts = {"n": Count("id"), "bots": Count("id", filter=Q(is_bot=True))}
        parts.append(raw.annotate(by=by).values("by").annotate(**counts).order_by())
    out: dict[Any, tuple[int, int]] = {}
    if not parts:
        return out
    for row in parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]:
        clicks, bots = out.get(row["by"], (0, 0))
        out[row["by"]] = (clicks + int(row["n"] or 0), bots + int(row["bots"] or 0))
    return out


def click_figures(
    *,
    start: date,
    end: date,
    dimensions: tuple[str, ...] = ("day", "partner_id", "program_id"),
    **scope: Any,
) -> ClickFigures:
    """Clicks in the UTC days [start, end) for a scope such as merchant + mode or a partner.

    `scope` filters both tables by the same fields (merchant, mode, program, partner).
    Breakdowns (`per_day`, `per_partner`, `per_program`) count human clicks only.
    """
    start_at, end_at = _midnight(start), _midnight(end)
    watermark = _watermark_position()
    rolled = watermark > start_at
    stats = ClickDailyStat.objects.filter(day__gte=start, day__lt=end, **scope) if rolled else None
    # Sums by partner read whole months from the monthly table.
    partner_stats = _per_partner(start, end, scope) if rolled else None
    # Other sums that need no partner read the per-program table: a row per program and
    # day; with a partner in the scope, the monthly table too.
    program_stats: QuerySet[Any] | list[QuerySet[Any]] | None = partner_stats
    partnered = "partner" in scope or "partner_id" in scope
    if rolled and not partnered:
        program_stats = ClickProgramDailyStat.objects.filter(day__gte=start, day__lt=end, **scope)
    raw = (
        Click.objects.filter(
            created_at__gte=max(start_at, watermark), created_at__lt=end_at, **scope
        )
        if watermark < end_at
        else None
    )
    # The totals are the sums over programs: every click has one.
    per_program = _sum_by(program_stats, raw, "program_id")
    figures = ClickFigures(
        clicks=sum(n for n, _ in per_program.values()),
        bot_clicks=sum(b for _, b in per_program.values()),
    )
    # Days come from daily rows only: the per-program ones, or with a partner the others.
    tables = {"partner_id": partner_stats, "day": stats if partnered else program_stats}
    human = {
        d: {
            k: n - b
            for k, (n, b) in (
                per_program if d == "program_id" else _sum_by(tables.get(d, program_stats), raw, d)
            ).items()
        }
        for d in dimensions
    }
    figures.per_day = human.get("day", {})
    figures.per_partner = human.get("partner_id", {})
    figures.per_program = human.get("program_id", {})
    return figures


def _period_of(field: str, kind: str, *, tz: bool) -> Any:
    extra: dict[str, Any] = {"tzinfo": UTC} if tz else {}
    if kind in ("week", "month"):
        return Trunc(field, kind, output_field=DateField(), **extra)
    return TruncDate(field, **extra) if tz else F(field)


def click_rows(
    *, start: date, end: date, group: tuple[str, ...], period: str = "day", **filters: Any
) -> list[dict[str, Any]]:
    """Clicks in the UTC days [start, end), grouped by `group` (day, program_id,
    partner_id), each group with `n` (all clicks) and `bots`; one query per table.

    `filters` apply to both tables (merchant_id, mode, program_id, partner_id); a
    `period` in `group` is the first day of the day, ISO week or month (`period`).
    """
    start_at, end_at = _midnight(start), _midnight(end)
    watermark = _watermark_position()
    found: list[dict[str, Any]] = []
    if watermark > start_at:
        # Without the partner dimension, the per-program table has a row per program and
        # day instead of one per partner too: far fewer rows for the same sums.
        model: Any = ClickDailyStat
        if not any(name.startswith("partner") for name in (*group, *filters)):
            model = ClickProgramDailyStat
        stats = model.objects.filter(day__gte=start, day__lt=end, **filters)
        if "period" in group:
            stats = stats.annotate(period=_period_of("day", period, tz=False))
        found += stats.values(*group).annotate(n=Sum("clicks"), bots=Sum("bot_clicks")).order_by()
    if watermark < end_at:
        raw = Click.objects.filter(
            created_at__gte=max(start_at, watermark), created_at__lt=end_at, **filters
        )
        if "day" in group:
            raw = raw.annotate(day=TruncDate("created_at", tzinfo=UTC))
        if "period" in group:
            raw = raw.annotate(period=_period_of("created_at", period, tz=True))
        found += (
            raw.values(*group)
            .annotate(n=Count("id"), bots=Count("id", filter=Q(is_bot=True)))
            .order_by()
        )
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in found:
        key = tuple(row[name] for name in group)
        into = merged.setdefault(key, {**dict(zip(group, key, strict=True)), "n": 0, "bots": 0})
        into["n"] += row["n"] or 0
        into["bots"] += row["bots"] or 0
    return list(merged.values())
