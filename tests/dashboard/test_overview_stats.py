"""The overview page and GET /api/v1/stats read the same rollups: for the same days they
show the same figures, before and after the rollups run, and the page's queries do not
grow with the number of rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversions import services
from conversions.rollups import sales_rollup_catch_up
from selgeo.currencies import format_amount
from tests.conftest import Keys, api_client
from tests.conversions.factories import ApplicationFactory, ProgramFactory
from tests.stats.data import clicks, sale
from tracking.rollups import click_rollup_catch_up

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def traffic(merchant, partner):
    program = ProgramFactory(merchant=merchant, mode="live", code="SHOES", currency="EUR")
    ApplicationFactory(program=program, partner=partner)
    for days_ago in (0, 3, 20, 200):
        at = NOW - timedelta(days=days_ago, minutes=1)
        clicks(program, partner, at, 10 + days_ago)
        clicks(program, partner, at, 2, bot=True)
        sale(program, partner, at, 1000 + days_ago)
    sale(program, partner, NOW - timedelta(days=40), 700, status="approved")
    return program


def _both(alice_web, keys: Keys, range_key: str, days: int):
    report = alice_web.get(f"/dashboard/?range={range_key}").context["report"]
    start = (NOW - timedelta(days=days - 1)).date().isoformat()
    summary = api_client(keys.sk_live).get("/api/v1/stats", {"start_date": start}).json()["summary"]
    return report, summary


@pytest.mark.parametrize(("range_key", "days"), [("7d", 7), ("90d", 90), ("365d", 365)])
def test_overview_and_stats_api_agree_before_and_after_rollups(
    alice_web, keys: Keys, merchant, traffic, range_key, days
):
    for step in ("raw", "rolled", "reversed"):
        if step == "rolled":
            click_rollup_catch_up()
            sales_rollup_catch_up()
        if step == "reversed":
            oldest = traffic.conversions.order_by("created_at").first()
            services.conversion_reverse(
                merchant=merchant, mode="live", conversion_id=oldest.pk, reason="refund"
            )
        report, summary = _both(alice_web, keys, range_key, days)
        assert report.clicks == summary["totalClicks"], step
        assert report.bot_clicks == summary["botClicks"], step
        assert report.conversions == summary["totalConversions"], step
        assert report.received == summary["receivedConversions"], step
        assert report.revenue_reported.total == format_amount(
            summary["totalRevenueCents"], "USD"
        ), step


def test_a_year_of_overview_reads_each_grouping_in_one_query(alice_web, traffic):
    """Daily rows at the range's ends, monthly rows between them and the raw rows after
    the watermark come back in one query per grouping: a year costs what a month does."""
    click_rollup_catch_up()
    sales_rollup_catch_up()
    counts = {}
    for range_key in ("30d", "365d"):
        with CaptureQueriesContext(connection) as queries:
            assert alice_web.get(f"/dashboard/?range={range_key}").status_code == 200
        counts[range_key] = len(queries)
    # 30 days up to April 20 hold no whole month, 365 days hold eleven: the year reads
    # two tables more per grouping, in the same queries (and the rate set is cached by
    # then, which the month's request read).
    assert counts["365d"] <= counts["30d"] <= 36
