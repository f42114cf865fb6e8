"""The stats figures equal a count over the raw rows at any moment: before, during and
after rollup runs, for rows in the minutes after the watermark, and after status changes
(approval, payment, reversal) of rows rolled up long before."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.models import Merchant, Partner
from conversions import services
from conversions.models import Commission, Conversion
from conversions.rollup_models import (
    ALL_PARTNERS,
    CommissionDailyStat,
    ConversionDailyStat,
    ConversionMonthlyStat,
)
from conversions.rollups import sales_rollup_advance, sales_rollup_catch_up
from dashboard.reports import overview_report
from selgeo.currencies import format_amount
from stats.selectors import period_of, stats_report
from tests.conversions.factories import ProgramFactory
from tests.factories import PartnerFactory
from tests.stats.data import clicks, raw_expectation, sale
from tracking.models import Click
from tracking.rollups import click_rollup_advance

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 30, 23, 50, tzinfo=UTC)
RANGE = (date(2026, 3, 29), date(2026, 4, 6))
# A whole month (read from the monthly rollups) and a day (from the daily ones): the
# runs' rows lie on both sides of April's first day, some after the range.
LONG_RANGE = (date(2026, 3, 1), date(2026, 4, 2))


def _report(merchant: Merchant, group_by: str = "day", **extra: Any):
    return stats_report(
        mode="live",
        start=RANGE[0],
        end=RANGE[1],
        currency="USD",
        group_by=group_by,
        merchant_id=merchant.pk,
        **extra,
    )


def _assert_exact(merchant: Merchant, group_by: str, *, periods: bool = True) -> None:
    report = _report(merchant, group_by)
    raw = raw_expectation(merchant=merchant, mode="live")
    summary = report.summary
    assert (
        summary.clicks,
        summary.bot_clicks,
        summary.received_conversions,
        summary.conversions,
        summary.approved_conversions,
        summary.reversed_conversions,
        summary.revenue_minor,
        summary.commissions_minor,
    ) == (
        raw["clicks"],
        raw["bots"],
        raw["received"],
        raw["conversions"],
        raw["approved"],
        raw["reversed"],
        raw["revenue"],
        raw["commissions"],
    )
    # Every period and every program adds up to what the raw rows of it say.
    for period in report.time_series if periods else []:
        days = [
            d
            for d in (RANGE[0] + timedelta(n) for n in range((RANGE[1] - RANGE[0]).days))
            if period_of(d, group_by) == period.start
        ]
        moments = {
            "created_at__gte": datetime.combine(days[0], datetime.min.time(), tzinfo=UTC),
            "created_at__lt": datetime.combine(days[-1], datetime.min.time(), tzinfo=UTC)
            + timedelta(days=1),
        }
        in_period = raw_expectation(merchant=merchant, mode="live", **moments)
        assert (period.figures.clicks, period.figures.conversions) == (
            in_period["clicks"],
            in_period["conversions"],
        )
        assert period.figures.revenue_minor == in_period["revenue"]
    for offer in report.by_offer:
        of_program = raw_expectation(merchant=merchant, mode="live", program_id=offer.program_id)
        assert (offer.figures.clicks, offer.figures.conversions, offer.figures.revenue_minor) == (
            of_program["clicks"],
            of_program["conversions"],
            of_program["revenue"],
        )


def _assert_long_range_exact(merchant: Merchant, partners: list[Partner]) -> None:
    """Over a range of whole months, the stats summary and the overview's top partners
    equal the raw rows too."""
    moments = {
        "created_at__gte": datetime.combine(LONG_RANGE[0], datetime.min.time(), tzinfo=UTC),
        "created_at__lt": datetime.combine(LONG_RANGE[1], datetime.min.time(), tzinfo=UTC),
    }
    raw = raw_expectation(merchant=merchant, mode="live", **moments)
    summary = stats_report(
        mode="live",
        start=LONG_RANGE[0],
        end=LONG_RANGE[1],
        currency="USD",
        group_by="month",
        merchant_id=merchant.pk,
    ).summary
    assert (summary.clicks, summary.conversions, summary.reversed_conversions) == (
        raw["clicks"],
        raw["conversions"],
        raw["reversed"],
    )
    assert (summary.revenue_minor, summary.commissions_minor) == (
        raw["revenue"],
        raw["commissions"],
    )
    report = overview_report(
        merchant=merchant, mode="live", start=LONG_RANGE[0], end=LONG_RANGE[1], reporting="USD"
    )
    assert (report.clicks, report.bot_clicks) == (raw["clicks"], raw["bots"])
    shown = {row.id: row for row in report.top_partners}
    for partner in partners:
        scope = {"merchant": merchant, "mode": "live", "partner": partner, **moments}
        human = Click.objects.filter(is_bot=False, **scope).count()
        counted = Conversion.objects.filter(attributed=True, **scope).exclude(status="reversed")
        live = Commission.objects.filter(status__in=("pending", "approved", "paid"), **scope)
        originals: dict[str, int] = {}
        for commission in live:
            originals[commission.currency] = (
                originals.get(commission.currency, 0) + commission.amount_cents
            )
        expected = (
            human,
            counted.count(),
            format_amount(sum(c.reporting_amount_cents or 0 for c in live), "USD"),
            ", ".join(format_amount(originals[code], code) for code in sorted(originals)) or "—",
        )
        row = shown.get(partner.pk)
        if row is None:
            assert expected[:2] == (0, 0)
            continue
        assert (row.clicks, row.conversions, row.commission, row.commission_originals) == expected


operations = st.lists(
    st.one_of(
        st.tuples(st.just("click"), st.integers(0, 1), st.integers(0, 1), st.booleans()),
        st.tuples(
            st.just("sale"),
            st.integers(0, 1),
            st.integers(0, 1),
            st.sampled_from([None, 0, 999, 1001, 2500]),
            st.sampled_from(["EUR", "USD"]),
        ),
        st.tuples(st.just("unattributed"), st.sampled_from([None, 500])),
        st.tuples(st.just("tick"), st.integers(1, 600)),
        st.tuples(
            st.just("rollup"),
        ),
        st.tuples(st.just("approve"), st.integers(0, 50)),
        st.tuples(st.just("pay"), st.integers(0, 50)),
        st.tuples(st.just("reverse"), st.integers(0, 50)),
    ),
    max_size=12,
)


@pytest.fixture
def world(merchant: Merchant, other_merchant: Merchant) -> dict[str, Any]:
    partners = [PartnerFactory(), PartnerFactory()]
    programs = [
        ProgramFactory(merchant=merchant, mode="live", code="A", currency="EUR"),
        ProgramFactory(merchant=merchant, mode="live", code="B", currency="USD"),
    ]
    # Another merchant's and another mode's rows, which must never be counted.
    elsewhere = ProgramFactory(merchant=other_merchant, mode="live")
    test_mode = ProgramFactory(merchant=merchant, mode="test")
    return {"partners": partners, "programs": programs, "noise": [elsewhere, test_mode]}


@settings(
    max_examples=15,
    deadline=None,
    # Each example writes to the database: a failure is reported as generated, unshrunk.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations, group_by=st.sampled_from(["day", "week", "month"]))
def test_figures_equal_raw_counts_at_every_step(world, merchant, steps, group_by):
    with transaction.atomic():
        _run(world, merchant, steps, group_by)
        transaction.set_rollback(True)


def _run(world: dict[str, Any], merchant: Merchant, steps: list[tuple], group_by: str) -> None:
    now = T0
    made: list[tuple[Conversion, Commission | None]] = []
    partners: list[Partner] = world["partners"]
    programs = world["programs"]
    for noise in world["noise"]:
        clicks(noise, partners[0], now - timedelta(days=1), 2)
        sale(noise, partners[0], now - timedelta(days=1), 700)
    for step in steps:
        kind = step[0]
        if kind == "click":
            clicks(programs[step[1]], partners[step[2]], now, bot=step[3])
        elif kind == "sale":
            made.append(sale(programs[step[1]], partners[step[2]], now, step[3], currency=step[4]))
        elif kind == "unattributed":
            sale(None, None, now, step[1], merchant=merchant, mode="live")
        elif kind == "tick":
            now += timedelta(minutes=step[1])
        elif kind == "rollup":
            click_rollup_advance(now=now)
            sales_rollup_advance(now=now)
        elif made:
            conversion, commission = made[step[1] % len(made)]
            _change(kind, conversion, commission, merchant, now)
        _assert_exact(merchant, group_by, periods=False)
        _assert_long_range_exact(merchant, partners)
    # However often the rollups run afterwards, the figures stay the same.
    sales_rollup_catch_up(now=now + timedelta(days=1))
    click_rollup_advance(now=now + timedelta(days=1))
    _assert_exact(merchant, group_by)
    _assert_long_range_exact(merchant, partners)


def _change(kind: str, conversion: Conversion, commission: Commission | None, merchant, now):
    if commission is None:
        return
    commission.refresh_from_db()
    if kind == "approve" and commission.status == "pending":
        services.commission_approve(commission_id=commission.pk, now=now)
    elif kind == "pay" and commission.status in ("approved", "reversed"):
        services.commissions_mark_paid(commission_ids=[commission.pk], paid_at=now)
    elif kind == "reverse":
        services.conversion_reverse(
            merchant=merchant, mode="live", conversion_id=conversion.pk, reason="refund"
        )


def test_a_reversal_long_after_the_rollup_moves_the_rolled_up_row(merchant, world):
    program, partner = world["programs"][0], world["partners"][0]
    conversion, commission = sale(program, partner, T0, 1000)
    assert commission is not None
    sales_rollup_catch_up(now=T0 + timedelta(days=3))
    mine = {"merchant": merchant, "partner_id": partner.pk}
    assert ConversionDailyStat.objects.get(**mine, status="pending").conversions == 1
    # The same row counted again under the sum over partners.
    assert (
        ConversionDailyStat.objects.get(
            merchant=merchant, partner_id=ALL_PARTNERS, status="pending"
        ).conversions
        == 1
    )
    services.commission_approve(commission_id=commission.pk, now=T0 + timedelta(days=3))
    services.conversion_reverse(
        merchant=merchant, mode="live", conversion_id=conversion.pk, reason="refund"
    )
    assert sorted(
        ConversionDailyStat.objects.filter(**mine).values_list(
            "status", "conversions", "amount_cents"
        )
    ) == [("approved", 0, 0), ("pending", 0, 0), ("reversed", 1, 1000)]
    assert sorted(
        CommissionDailyStat.objects.filter(**mine).values_list(
            "status", "commissions", "reporting_amount_cents"
        )
    ) == [("approved", 0, 0), ("pending", 0, 0), ("reversed", 1, 110)]
    summary = _report(merchant).summary
    assert (summary.conversions, summary.reversed_conversions, summary.revenue_minor) == (0, 1, 0)
    assert sorted(
        ConversionMonthlyStat.objects.filter(**mine).values_list("status", "conversions")
    ) == [("approved", 0), ("pending", 0), ("reversed", 1)]
    _assert_long_range_exact(merchant, [partner])
    assert summary.commissions_minor == {"pending": 0, "approved": 0, "paid": 0, "reversed": 110}


def test_rollup_runs_count_each_row_once(merchant, world):
    program, partner = world["programs"][0], world["partners"][0]
    for minutes in (0, 30, 60 * 30):
        sale(program, partner, T0 + timedelta(minutes=minutes), 1000)
    assert sales_rollup_advance(now=T0 + timedelta(hours=1)) == (4, True)
    assert sales_rollup_advance(now=T0 + timedelta(hours=1)) == (0, True)
    assert sales_rollup_catch_up(now=T0 + timedelta(days=2)) == 2
    for stat, count in ((ConversionDailyStat, "conversions"), (CommissionDailyStat, "commissions")):
        rows = stat.objects.exclude(partner_id=ALL_PARTNERS)
        assert sum(rows.values_list(count, flat=True)) == 3
        totals = stat.objects.filter(partner_id=ALL_PARTNERS)
        assert sum(totals.values_list(count, flat=True)) == 3
