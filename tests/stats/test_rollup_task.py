"""The sales rollup runs every minute from the beat schedule, and a command catches every
rollup up at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from conversions.rollup_models import ALL_PARTNERS, ConversionDailyStat
from conversions.tasks import rollup_sales
from tests.conversions.factories import ProgramFactory
from tests.factories import PartnerFactory
from tests.stats.data import clicks, sale
from tracking.models import ClickDailyStat, ClickProgramDailyStat

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_beat_runs_the_sales_rollup_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["rollup-sales"]
    assert (entry["task"], entry["schedule"]) == ("conversions.rollup_sales", 60.0)


def test_the_task_counts_each_sale_once(merchant):
    program, partner = ProgramFactory(merchant=merchant, mode="live"), PartnerFactory()
    sale(program, partner, NOW - timedelta(hours=1))
    sale(program, partner, NOW - timedelta(days=2))
    # Both sales and their commissions lie in one run's span; a rerun finds nothing new.
    assert rollup_sales.apply().get() == 4
    assert rollup_sales.apply().get() == 0
    rows = ConversionDailyStat.objects.exclude(partner_id=ALL_PARTNERS)
    assert sum(rows.values_list("conversions", flat=True)) == 2


def test_the_command_catches_every_rollup_up(merchant):
    program, partner = ProgramFactory(merchant=merchant, mode="live"), PartnerFactory()
    for days in (1, 30, 90):
        clicks(program, partner, NOW - timedelta(days=days), 3)
        sale(program, partner, NOW - timedelta(days=days))
    out = StringIO()
    call_command("selgeo_rollups", stdout=out)
    assert "clicks: 9 counted" in out.getvalue()
    assert "conversions and commissions: 6 counted" in out.getvalue()
    assert sum(ClickDailyStat.objects.values_list("clicks", flat=True)) == 9
    assert sum(ClickProgramDailyStat.objects.values_list("clicks", flat=True)) == 9
    rows = ConversionDailyStat.objects.filter(partner_id=ALL_PARTNERS)
    assert sum(rows.values_list("conversions", flat=True)) == 3
