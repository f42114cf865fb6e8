"""Back-pressure: /health says "degraded" (still 200), with the number, once too many
deliveries are due and not sent, and the log says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from selgeo import health
from webhooks import services
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def backlog(merchant, fake_dns):
    """Makes `count` deliveries due (and one due later, which does not count)."""
    fake_dns["hooks.example.com"] = [["93.184.216.34"]]
    endpoint = services.endpoint_create(
        merchant=merchant, mode="test", url="https://hooks.example.com/in"
    )

    def make(count: int) -> None:
        now = timezone.now()
        for n in range(count + 1):
            event = Event.objects.create(
                merchant=merchant, mode="test", type="conversion.created", payload={}
            )
            Delivery.objects.create(
                event=event,
                endpoint=endpoint,
                attempt=1,
                next_attempt_at=now + timedelta(hours=1) if n == count else now,
            )

    return make


@pytest.fixture(autouse=True)
def _log_every_time(monkeypatch):
    monkeypatch.setattr(health, "_backlog_logged_at", -1e9)


def test_health_is_degraded_with_the_backlog_past_the_threshold(backlog, settings, caplog):
    settings.SELGEO_WEBHOOKS_BACKLOG_THRESHOLD = 3
    backlog(4)
    with caplog.at_level("WARNING", logger="selgeo.health"):
        response = Client().get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["webhooks"]
    assert body["checks"]["webhooks"] == "degraded: 4 deliveries due (threshold 3)"
    assert body["checks"]["database"] == "ok"
    assert "Webhook backlog: 4 deliveries are due and not yet sent (threshold 3)" in caplog.text


def test_health_counts_no_further_than_ten_times_the_threshold(backlog, settings):
    settings.SELGEO_WEBHOOKS_BACKLOG_THRESHOLD = 1
    backlog(12)
    body = Client().get("/health").json()
    assert body["checks"]["webhooks"] == "degraded: more than 10 deliveries due (threshold 1)"


def test_health_is_ok_at_the_threshold_and_logs_nothing(backlog, settings, caplog):
    settings.SELGEO_WEBHOOKS_BACKLOG_THRESHOLD = 3
    backlog(3)
    with caplog.at_level("WARNING", logger="selgeo.health"):
        body = Client().get("/health").json()
    assert body["status"] == "ok" and body["checks"]["webhooks"] == "ok"
    assert "Webhook backlog" not in caplog.text
