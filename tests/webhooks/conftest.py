"""Webhook fixtures: a real receiver on loopback, fake DNS, tasks run inline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from accounts.models import Merchant
from selgeo.celery import app as celery_app
from tests.webhooks import dns
from tests.webhooks.receiver import Receiver
from webhooks import services
from webhooks.models import WebhookEndpoint


@pytest.fixture(autouse=True)
def _webhook_settings(settings: Any) -> None:
    # Loopback is refused unless a test runs a receiver; attempts time out quickly.
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = False
    settings.SELGEO_WEBHOOKS_TIMEOUT_SECONDS = 2.0
    settings.SELGEO_WEBHOOKS_CLAIM_MARGIN_SECONDS = 5.0


@pytest.fixture(autouse=True)
def _tasks_run_inline() -> Iterator[None]:
    # With REDIS_URL set the app would publish to the broker; here tasks run in-process.
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def fake_dns(settings: Any) -> Iterator[dict[str, list[list[str]]]]:
    settings.SELGEO_WEBHOOKS_RESOLVER = "tests.webhooks.dns.resolve"
    dns.ANSWERS.clear()
    dns.QUERIES.clear()
    yield dns.ANSWERS
    dns.ANSWERS.clear()
    dns.QUERIES.clear()


@pytest.fixture
def endpoint(merchant: Merchant, receiver: Receiver) -> WebhookEndpoint:
    """A test-mode endpoint of Acme's, subscribed to everything, at the receiver."""
    return services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)


def body_json(raw: bytes) -> Any:
    return json.loads(raw.decode())
