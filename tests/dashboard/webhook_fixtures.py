"""Fixtures for the Developers page tests: a real receiver on loopback, fake DNS, eager tasks.

The test modules that need them import them by name, so the dashboard's shared conftest
stays as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from accounts.models import Merchant
from selgeo.celery import app as celery_app
from tests.webhooks import dns
from tests.webhooks.receiver import Receiver
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus, Event


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    """A real HTTP receiver on 127.0.0.1; loopback is allowed outside production only."""
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    settings.SELGEO_WEBHOOKS_TIMEOUT_SECONDS = 2.0
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def fake_dns(settings: Any) -> Iterator[dict[str, list[list[str]]]]:
    settings.SELGEO_WEBHOOKS_RESOLVER = "tests.webhooks.dns.resolve"
    dns.ANSWERS.clear()
    yield dns.ANSWERS
    dns.ANSWERS.clear()
    dns.QUERIES.clear()


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    # With REDIS_URL set the app would publish to the broker; here tasks run in-process.
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def emit_and_fail(
    merchant: Merchant, mode: str = "test", type: str = "conversion.created"
) -> Event:
    """An event fanned out to the mode's endpoints, every first attempt failed with a 500."""
    event = services.emit(merchant=merchant, mode=mode, type=type, data={"id": "c1"})
    # Fan out without sending: the attempts are marked failed below, whatever the broker.
    services.event_fan_out(event_id=str(event.pk))
    Delivery.objects.filter(event=event).update(
        status=DeliveryStatus.FAILED,
        response_status=500,
        latency_ms=42,
        response_excerpt="upstream exploded",
        attempted_at=event.created_at,
        claimed_until=None,
    )
    return event
