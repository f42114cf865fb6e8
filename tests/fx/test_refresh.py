"""The beat task fetches the provider's rates from a real local server: new sets are
kept with their time, unchanged rates only confirm the newest set, and a failed or
malformed fetch keeps the previous rates, logs it and shows as stale in /health."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from fx import selectors
from fx.models import ExchangeRateSet
from fx.tasks import refresh_rates
from tests.fx.server import RatesServer, document

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 13, 15, 5, tzinfo=UTC)


def test_the_task_is_on_the_beat_schedule_every_five_minutes() -> None:
    entry = django_settings.CELERY_BEAT_SCHEDULE["fx-refresh-rates"]
    assert entry["task"] == "fx.refresh_rates"
    assert entry["schedule"] == 300.0


def test_an_ecb_document_is_stored_as_a_set_with_its_time(
    rates_server: RatesServer, time_machine: Any
) -> None:
    time_machine.move_to(T0, tick=False)
    rates_server.serve(document("ecb-2026-03-13.xml"))

    pk = refresh_rates.delay().get()

    row = ExchangeRateSet.objects.get()
    assert pk == row.pk
    assert (row.source, row.base, row.source_url) == ("ecb", "EUR", rates_server.url)
    assert row.fetched_at == row.confirmed_at == T0
    # In effect a minute after it was stored.
    assert row.effective_at == T0 + timedelta(seconds=60)
    assert row.published_at == datetime(2026, 3, 13, 15, 0, tzinfo=UTC)
    assert row.rates["USD"] == "1.1476"
    assert row.rates["ISK"] == "144.2"
    assert len(row.rates) == 29
    assert rates_server.requests == ["/rates"]


def test_unchanged_rates_confirm_the_newest_set_instead_of_storing_a_copy(
    rates_server: RatesServer, time_machine: Any
) -> None:
    time_machine.move_to(T0, tick=False)
    rates_server.serve(document("ecb-2026-03-13.xml"))
    refresh_rates()
    time_machine.move_to(T0 + timedelta(minutes=5), tick=False)

    refresh_rates()

    row = ExchangeRateSet.objects.get()
    assert row.fetched_at == T0
    assert row.confirmed_at == T0 + timedelta(minutes=5)


def test_every_new_set_is_kept_so_any_past_moment_reads_its_own_rates(
    rates_server: RatesServer, time_machine: Any
) -> None:
    time_machine.move_to(T0, tick=False)
    rates_server.serve(document("ecb-2026-03-13.xml"))
    first = refresh_rates()
    time_machine.move_to(T0 + timedelta(days=3), tick=False)
    rates_server.serve(document("ecb-2026-03-16.xml"))
    second = refresh_rates()
    time_machine.move_to(T0 + timedelta(days=3, minutes=5), tick=False)
    rates_server.serve(document("openexchangerates.json"), content_type="application/json")
    third = refresh_rates()

    assert len({first, second, third}) == 3
    assert ExchangeRateSet.objects.count() == 3
    effective = T0 + timedelta(days=3, seconds=60)
    before = selectors.rate_set_at(effective - timedelta(microseconds=1))
    at = selectors.rate_set_at(effective)
    latest = selectors.rate_set_at(T0 + timedelta(days=30))
    assert (before.id, at.id, latest.id) == (first, second, third)
    assert before.rate(source="EUR", target="USD") == Decimal("1.1476")
    assert at.rate(source="EUR", target="USD") == Decimal("1.15")
    assert latest.rate(source="USD", target="KWD") == Decimal("0.30712")
    # Before the first stored set, the earliest set is the best there is.
    assert selectors.rate_set_at(T0 - timedelta(days=400)).id == first


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"body": document("ecb-truncated.xml")}, "not well-formed XML"),
        ({"body": document("ecb-without-usd.xml")}, "the EUR-based rates have no USD rate"),
        ({"body": document("ecb-bad-rate.xml")}, "the rate of JPY is not a positive number"),
        ({"body": document("json-truncated.json")}, "not JSON"),
        ({"body": b"<html>Service Unavailable</html>", "status": 503}, "HTTP 503"),
        ({"body": b"", "status": 302, "headers": {"Location": "/x"}}, "HTTP 302"),
        ({"body": document("ecb-2026-03-16.xml"), "delay_seconds": 1.5}, "ReadTimeout"),
    ],
)
def test_a_failed_or_malformed_fetch_keeps_the_previous_rates_and_logs_it(
    rates_server: RatesServer,
    time_machine: Any,
    caplog: pytest.LogCaptureFixture,
    answer: dict[str, Any],
    reason: str,
) -> None:
    time_machine.move_to(T0, tick=False)
    rates_server.serve(document("ecb-2026-03-13.xml"))
    good = refresh_rates()
    rates_server.serve(**answer)
    time_machine.move_to(T0 + timedelta(minutes=5), tick=False)

    with caplog.at_level(logging.WARNING, logger="fx.services"):
        assert refresh_rates() is None

    row = ExchangeRateSet.objects.get()
    assert (row.pk, row.fetched_at, row.confirmed_at) == (good, T0, T0)
    assert selectors.rate_set_current().id == good
    [record] = [r for r in caplog.records if r.name == "fx.services"]
    assert record.levelno == logging.WARNING
    assert f"fx: exchange rates from {rates_server.url} not updated: " in record.getMessage()
    assert reason in record.getMessage()


def test_an_unreachable_provider_keeps_the_previous_rates(settings: Any) -> None:
    settings.SELGEO_FX_URL = "http://127.0.0.1:1/rates"
    assert refresh_rates() is None
    assert ExchangeRateSet.objects.count() == 0


def test_no_provider_configured_fetches_nothing(settings: Any) -> None:
    settings.SELGEO_FX_URL = ""
    assert refresh_rates() is None
    assert ExchangeRateSet.objects.count() == 0


def test_health_shows_the_rates_stale_after_the_configured_age_without_failing(
    rates_server: RatesServer, time_machine: Any, settings: Any
) -> None:
    settings.SELGEO_FX_STALE_AFTER = 600
    time_machine.move_to(T0, tick=False)
    rates_server.serve(document("ecb-2026-03-13.xml"))
    refresh_rates()
    rates_server.serve(b"<html>down</html>", status=500)

    time_machine.move_to(T0 + timedelta(seconds=600), tick=False)
    refresh_rates()
    fresh = Client().get("/health")
    time_machine.move_to(T0 + timedelta(seconds=601), tick=False)
    refresh_rates()
    stale = Client().get("/health")

    assert fresh.status_code == 200
    assert fresh.json()["checks"] == {"database": "ok", "cache": "ok", "fx": "ok", "webhooks": "ok"}
    assert stale.status_code == 200
    assert stale.json()["status"] == "ok"
    assert stale.json()["checks"] == {
        "database": "ok",
        "cache": "ok",
        "fx": "stale: ecb rates as of 2026-03-13T15:00:00+00:00, "
        "last confirmed 2026-03-13T15:05:00+00:00",
        "webhooks": "ok",
    }
