"""Whether anyone subscribes is never answered from a stale cache: no event is lost to it.

An event nobody subscribes to is recorded as sent to nobody, and nothing retries it; so
an endpoint created in another process must hear every event recorded after it exists.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Merchant
from tests.selgeo.listening import eventually
from webhooks import selectors, services
from webhooks.models import Event, WebhookEndpoint

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_subscriber_cache() -> Iterator[None]:
    selectors.forget_subscribers()
    yield
    selectors.forget_subscribers()


def _emit(merchant: Merchant) -> Event:
    return services.emit(merchant=merchant, mode="test", type="conversion.created", data={})


@pytest.mark.django_db
def test_an_endpoint_written_elsewhere_hears_the_next_event(merchant: Merchant):
    # Not listening (as in these tests): nothing is kept, the database answers each time.
    assert _emit(merchant).dispatched_at is not None  # nobody subscribes yet
    # Written as another process would: no on-commit hook of this process runs.
    WebhookEndpoint.objects.create(
        merchant=merchant, mode="test", url="https://hooks.example.com/a", secret="whsec_x"
    )

    event = _emit(merchant)

    assert Event.objects.get(pk=event.pk).dispatched_at is None  # waiting for its fan-out
    assert len(services.event_fan_out(event_id=event.pk)) == 1


def _create_endpoint_in_another_process(merchant: Merchant) -> None:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    script = (
        "import django; django.setup();"
        "from accounts.models import Merchant;"
        "from webhooks.services import endpoint_create;"
        f"endpoint_create(merchant=Merchant.objects.get(pk='{merchant.pk}'), mode='test',"
        " url='http://127.0.0.1:9/hook')"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "selgeo.settings",
        "SELGEO_ENV": "test",
    }
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=60)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_listening_process_drops_nobody_when_another_creates_an_endpoint(
    listener, merchant: Merchant
):
    assert not selectors.has_subscriber(
        merchant_id=merchant.pk, mode="test", type="conversion.created"
    )
    with CaptureQueriesContext(connection) as queries:
        assert not selectors.has_subscriber(
            merchant_id=merchant.pk, mode="test", type="conversion.created"
        )
    assert len(queries) == 0  # kept while listening
    generation = listener.generation() or 0

    _create_endpoint_in_another_process(merchant)

    assert eventually(lambda: (listener.generation() or 0) > generation)
    events = [_emit(merchant) for _ in range(5)]
    # Each was fanned out on commit to the new endpoint (where nothing listens: port 9).
    assert [e.deliveries.filter(attempt=1).count() for e in events] == [1] * 5


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_delivery_writing_its_endpoint_keeps_the_answer(listener, merchant: Merchant):
    before = listener.generation() or 0
    endpoint = WebhookEndpoint.objects.create(
        merchant=merchant, mode="test", url="https://hooks.example.com/a", secret="whsec_x"
    )
    assert eventually(lambda: (listener.generation() or 0) > before)
    generation = listener.generation()
    selectors.has_subscriber(merchant_id=merchant.pk, mode="test", type="conversion.created")

    # What a delivery's outcome writes: the endpoint's health, not who it receives.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)

    assert not eventually(lambda: listener.generation() != generation, timeout=1.0)
