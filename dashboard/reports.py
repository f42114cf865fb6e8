"""Figures for dashboard pages, assembled from the apps' selectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from accounts.models import Merchant
from tracking.models import Click


@dataclass
class OverviewReport:
    clicks: int = 0
    bot_clicks: int = 0
    conversions: int = 0
    revenue_cents: dict[str, int] = field(default_factory=dict)
    commission_cents: dict[str, int] = field(default_factory=dict)
    series: dict[str, Any] = field(default_factory=dict)
    top_partners: list[dict[str, Any]] = field(default_factory=list)
    top_programs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def conversion_rate(self) -> str:
        human = self.clicks - self.bot_clicks
        return f"{(100 * self.conversions / human):.2f}%" if human else "—"


def overview_report(
    *, merchant: Merchant, mode: str, start: datetime, end: datetime
) -> OverviewReport:
    clicks = Click.objects.filter(
        merchant=merchant, mode=mode, created_at__gte=start, created_at__lt=end
    )
    totals = clicks.aggregate(total=Count("id"), bots=Count("id", filter=Q(is_bot=True)))
    per_day = {
        row["day"]: row["n"]
        for row in clicks.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
    }
    days = sorted(per_day)
    return OverviewReport(
        clicks=totals["total"],
        bot_clicks=totals["bots"],
        series={
            "labels": [d.isoformat() for d in days],
            "series": [{"label": "Clicks", "data": [per_day[d] for d in days]}],
        },
    )
