"""Daily click rollups: exact figures before, during and after rollups, counted once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tracking.models import Click, ClickDailyStat, RollupWatermark
from tracking.rollups import click_figures, click_rollup_advance
from tracking.tasks import rollup_clicks

pytestmark = pytest.mark.django_db

DAY1 = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def make_clicks(merchant):
    from tests.tracking.factories import ProgramFactory, ReferralCodeFactory

    program = ProgramFactory(merchant=merchant, mode="live")
    code = ReferralCodeFactory(program=program)

    def make(at: datetime, n: int = 1, bot: bool = False, mode: str = "live") -> None:
        Click.objects.bulk_create(
            Click(
                merchant=merchant,
                mode=mode,
                program=program,
                partner=code.partner,
                referral_code=code,
                is_bot=bot,
                created_at=at,
                expires_at=at + timedelta(days=30),
            )
            for _ in range(n)
        )

    make.program = program  # type: ignore[attr-defined]
    make.partner = code.partner  # type: ignore[attr-defined]
    return make


def _figures(merchant, mode="live"):
    return click_figures(start=date(2026, 5, 1), end=date(2026, 5, 4), merchant=merchant, mode=mode)


def test_figures_are_exact_before_any_rollup(merchant, make_clicks):
    make_clicks(DAY1, 3)
    make_clicks(DAY1 + timedelta(days=1), 2, bot=True)
    make_clicks(DAY1, 4, mode="test")
    figures = _figures(merchant)
    assert (figures.clicks, figures.bot_clicks) == (5, 2)
    assert figures.per_day == {date(2026, 5, 1): 3, date(2026, 5, 2): 0}
    assert figures.per_partner == {make_clicks.partner.pk: 3}


def test_rollup_counts_each_click_once_and_figures_stay_exact(merchant, make_clicks):
    make_clicks(DAY1, 3)
    make_clicks(DAY1 + timedelta(days=1), 2, bot=True)
    before = _figures(merchant)
    counted = click_rollup_advance(now=DAY1 + timedelta(days=1, hours=1))
    assert counted == 5
    assert click_rollup_advance(now=DAY1 + timedelta(days=1, hours=1)) == 0
    assert sorted(ClickDailyStat.objects.values_list("day", "clicks", "bot_clicks")) == [
        (date(2026, 5, 1), 3, 0),
        (date(2026, 5, 2), 2, 2),
    ]
    after = _figures(merchant)
    assert (after.clicks, after.bot_clicks, after.per_day) == (
        before.clicks,
        before.bot_clicks,
        before.per_day,
    )


def test_clicks_after_the_watermark_are_added_from_the_raw_table(merchant, make_clicks):
    make_clicks(DAY1, 3)
    click_rollup_advance(now=DAY1 + timedelta(hours=1))
    make_clicks(DAY1 + timedelta(hours=2), 4)
    figures = _figures(merchant)
    assert figures.clicks == 7
    assert figures.per_day == {date(2026, 5, 1): 7}
    assert ClickDailyStat.objects.get().clicks == 3


def test_rollup_stays_behind_the_clock_by_the_settle_time(merchant, make_clicks):
    make_clicks(DAY1, 1)
    make_clicks(DAY1 + timedelta(minutes=59), 1)
    click_rollup_advance(now=DAY1 + timedelta(hours=1))
    assert ClickDailyStat.objects.get().clicks == 1
    assert RollupWatermark.objects.get().position == DAY1 + timedelta(minutes=58)


def test_a_second_rollup_adds_to_the_same_day(merchant, make_clicks):
    make_clicks(DAY1, 2)
    click_rollup_advance(now=DAY1 + timedelta(hours=1))
    make_clicks(DAY1 + timedelta(hours=2), 5)
    click_rollup_advance(now=DAY1 + timedelta(hours=3))
    assert ClickDailyStat.objects.get().clicks == 7
    assert _figures(merchant).clicks == 7


def test_rollup_task_is_idempotent(merchant, make_clicks, time_machine):
    time_machine.move_to(DAY1 + timedelta(hours=1), tick=False)
    make_clicks(DAY1, 2)
    assert rollup_clicks.apply().get() == 2
    assert rollup_clicks.apply().get() == 0
    assert ClickDailyStat.objects.get().clicks == 2


def test_figures_never_mix_modes_or_merchants(merchant, other_merchant, make_clicks):
    make_clicks(DAY1, 2)
    make_clicks(DAY1, 3, mode="test")
    click_rollup_advance(now=DAY1 + timedelta(days=3))
    assert _figures(merchant).clicks == 2
    assert _figures(merchant, mode="test").clicks == 3
    assert _figures(other_merchant).clicks == 0
