"""With no set stored, the shipped ECB snapshot (dated 13 March 2026) is loaded once,
so an offline installation converts from its first sale."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client

from fx import selectors
from fx.models import ExchangeRateSet

pytestmark = pytest.mark.django_db


def test_the_first_read_stores_the_snapshot_with_its_date() -> None:
    rate_set = selectors.rate_set_current()

    row = ExchangeRateSet.objects.get()
    assert rate_set.id == row.pk
    assert (row.source, row.base) == ("snapshot", "EUR")
    assert row.fetched_at == row.effective_at == datetime(2026, 3, 13, 15, 0, tzinfo=UTC)
    assert row.published_at == row.fetched_at
    assert row.source_url == "selgeo:fx/data/ecb-2026-03-13.xml"
    assert rate_set.rate(source="EUR", target="USD") == Decimal("1.1476")


def test_the_snapshot_is_stored_once() -> None:
    selectors.rate_set_current()
    selectors.caches_clear()
    selectors.rate_set_at(datetime(2020, 1, 1, tzinfo=UTC))

    assert ExchangeRateSet.objects.count() == 1


def test_health_before_any_rates_says_so_and_stays_ok() -> None:
    response = Client().get("/health")
    assert response.status_code == 200
    assert response.json()["checks"]["fx"] == (
        "stale: no exchange rates stored yet (the shipped snapshot loads on first use)"
    )


def test_health_says_the_snapshot_is_stale_with_its_date() -> None:
    selectors.rate_set_current()
    response = Client().get("/health")
    assert response.status_code == 200
    assert response.json()["checks"]["fx"] == (
        "stale: snapshot rates as of 2026-03-13T15:00:00+00:00, "
        "last confirmed 2026-03-13T15:00:00+00:00"
    )
