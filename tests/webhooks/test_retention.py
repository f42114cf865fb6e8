"""History retention: the periodic task deletes only the events (and attempts) that are due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Merchant
from tests.conftest import jwt_for
from tests.dashboard.conftest import browser, switch_mode
from webhooks import selectors, services, tasks
from webhooks.models import Delivery, Event, WebhookEndpoint

pytestmark = pytest.mark.django_db


def _event(merchant: Merchant, days_old: float, *, dispatched: bool = True) -> Event:
    created = timezone.now() - timedelta(days=days_old)
    return Event.objects.create(
        merchant=merchant,
        mode="test",
        type="conversion.created",
        payload={},
        created_at=created,
        dispatched_at=created if dispatched else None,
    )


def _attempt(event: Event, endpoint: WebhookEndpoint, attempt: int, status: str) -> Delivery:
    return Delivery.objects.create(
        event=event,
        endpoint=endpoint,
        attempt=attempt,
        status=status,
        next_attempt_at=event.created_at,
        created_at=event.created_at,
    )


@pytest.fixture
def endpoints(merchant, fake_dns):
    fake_dns["hooks.example.com"] = [["93.184.216.34"]]
    return [
        services.endpoint_create(
            merchant=merchant, mode="test", url=f"https://hooks.example.com/{n}"
        )
        for n in range(2)
    ]


def test_only_events_past_their_retention_are_deleted_with_their_attempts(
    merchant, endpoints, settings
):
    settings.SELGEO_WEBHOOKS_RETENTION_DAYS = 30
    settings.SELGEO_WEBHOOKS_FAILED_RETENTION_DAYS = 90
    one, two = endpoints
    keep, drop = {}, {}
    drop["delivered"] = _event(merchant, 31)
    _attempt(drop["delivered"], one, 1, "failed")
    _attempt(drop["delivered"], one, 2, "succeeded")
    _attempt(drop["delivered"], two, 1, "succeeded")
    drop["nobody subscribed"] = _event(merchant, 40)
    drop["failed long ago"] = _event(merchant, 91)
    _attempt(drop["failed long ago"], one, 1, "failed")
    keep["recent"] = _event(merchant, 29)
    _attempt(keep["recent"], one, 1, "succeeded")
    keep["never received by one endpoint"] = _event(merchant, 31)
    _attempt(keep["never received by one endpoint"], one, 1, "succeeded")
    _attempt(keep["never received by one endpoint"], two, 1, "failed")
    keep["cancelled, endpoint disabled"] = _event(merchant, 60)
    _attempt(keep["cancelled, endpoint disabled"], two, 1, "cancelled")
    keep["retry pending"] = _event(merchant, 95)
    _attempt(keep["retry pending"], one, 1, "failed")
    _attempt(keep["retry pending"], one, 2, "pending")
    keep["in flight"] = _event(merchant, 95)
    _attempt(keep["in flight"], two, 1, "sending")
    keep["not fanned out"] = _event(merchant, 95, dispatched=False)

    result = services.webhook_history_prune(batch=2)

    assert (result.events, result.deliveries) == (3, 4)
    remaining = set(Event.objects.values_list("pk", flat=True))
    assert remaining == {e.pk for e in keep.values()}
    assert not Delivery.objects.filter(event_id__in=[e.pk for e in drop.values()]).exists()
    assert Delivery.objects.count() == 7
    # A second run finds nothing more to do.
    assert services.webhook_history_prune() == services.PruneResult()


def test_the_prune_task_runs_hourly_in_bounded_batches(merchant, settings, caplog):
    settings.SELGEO_WEBHOOKS_RETENTION_DAYS = 7
    settings.SELGEO_WEBHOOKS_PRUNE_BATCH = 2
    old = [_event(merchant, 8) for _ in range(5)]
    _event(merchant, 6)
    with caplog.at_level("INFO", logger="selgeo.webhooks"):
        tasks.prune()
    assert not Event.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert Event.objects.count() == 1
    assert "deleted 5 events and 0 attempts past retention" in caplog.text
    schedule = settings.CELERY_BEAT_SCHEDULE["webhooks-prune"]
    assert (schedule["task"], schedule["schedule"]) == ("webhooks.prune", 3600.0)


def test_one_run_stops_after_its_batches_and_the_next_goes_on(merchant):
    for _ in range(5):
        _event(merchant, 40)
    first = services.webhook_history_prune(batch=2, max_batches=2)
    assert first.events == 4 and Event.objects.count() == 1
    assert services.webhook_history_prune(batch=2).events == 1


def test_the_api_and_the_dashboard_say_how_long_history_is_kept(
    merchant, alice, endpoints, settings, client
):
    settings.SELGEO_WEBHOOKS_RETENTION_DAYS = 14
    settings.SELGEO_WEBHOOKS_FAILED_RETENTION_DAYS = 60
    token = jwt_for(alice, merchant)
    for path in ("/api/v1/webhooks/events?mode=test", "/api/v1/webhooks/deliveries?mode=test"):
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200
        assert response["Selgeo-History-Days"] == "14"
        assert response["Selgeo-Failed-History-Days"] == "60"
    web = browser(alice, merchant)
    switch_mode(web, "test")
    listing = web.get("/dashboard/developers/webhooks/").content.decode()
    assert "kept 14 days; 60 days for events an endpoint never received" in listing
    page = web.get(f"/dashboard/developers/webhooks/{endpoints[0].pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Events and their attempts are kept 14 days" in text
    assert "never received is kept 60 days" in text


def test_the_endpoint_page_shows_its_last_day(merchant, alice, endpoints):
    one, two = endpoints
    now = timezone.now()
    for n, (status, lag) in enumerate(
        [("succeeded", 100), ("succeeded", 300), ("succeeded", 200), ("failed", 900)]
    ):
        event = _event(merchant, 0.01)
        attempt = _attempt(event, one, 1, status)
        Delivery.objects.filter(pk=attempt.pk).update(lag_ms=lag, latency_ms=10 * (n + 1))
    stale = _event(merchant, 2)
    _attempt(stale, one, 1, "failed")
    due = _event(merchant, 0.01)
    _attempt(due, one, 1, "pending")
    _attempt(_event(merchant, 0.01), two, 1, "failed")
    health = selectors.endpoint_health(endpoint=one)
    assert (health.attempts, health.succeeded, health.backlog) == (4, 3, 1)
    assert (health.p50_lag_ms, health.p95_lag_ms, health.p95_response_ms) == (200, 900, 40)
    assert health.success_percent == 75.0 and not health.sampled
    assert now - stale.created_at > selectors.HEALTH_WINDOW
    web = browser(alice, merchant)
    switch_mode(web, "test")
    text = web.get(f"/dashboard/developers/webhooks/{one.pk}/").content.decode()
    assert '75.0% <span class="muted">(3 of 4 attempts)' in text
    assert "p95 900 ms, median 200 ms" in text
    assert "p95 40 ms" in text
