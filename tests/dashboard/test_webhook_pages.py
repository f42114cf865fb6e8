"""Webhook endpoint pages: list, create (secret once), edit, rotate, test, delete, log, replay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.dashboard import webhook_fixtures
from tests.dashboard.conftest import flashed, page, switch_mode
from tests.dashboard.webhook_fixtures import emit_and_fail
from tests.webhooks.factories import WebhookEndpointFactory
from webhooks import services
from webhooks.models import Delivery, DisabledReason, Event, WebhookEndpoint

pytestmark = pytest.mark.django_db

# Fixtures shared with the other Developers page tests.
receiver = webhook_fixtures.receiver
fake_dns = webhook_fixtures.fake_dns
eager_tasks = webhook_fixtures.eager_tasks


LIST = "/dashboard/developers/webhooks/"


def detail(endpoint: WebhookEndpoint, action: str = "") -> str:
    return f"{LIST}{endpoint.pk}/{action + '/' if action else ''}"


@pytest.fixture
def test_web(alice_web):
    switch_mode(alice_web, "test")
    return alice_web


def test_the_page_lists_the_current_modes_endpoints_only(alice_web, merchant):
    live = WebhookEndpointFactory(merchant=merchant, mode="live", description="Orders service")
    test = WebhookEndpointFactory(merchant=merchant, mode="test")
    response = alice_web.get(LIST)
    assert response.status_code == 200
    assert response.context["endpoints"] == [live]
    assert live.url in page(response) and "Orders service" in page(response)
    assert test.url not in page(response)
    assert live.secret not in page(response)


def test_creating_an_endpoint_shows_its_secret_once(test_web, merchant, receiver):
    response = test_web.post(
        LIST,
        {
            "url": receiver.url,
            "description": "Local receiver",
            "event_types": ["conversion.created", "commission.created"],
        },
    )
    endpoint = WebhookEndpoint.objects.get(merchant=merchant)
    assert response.status_code == 302 and response["Location"] == detail(endpoint)
    assert (endpoint.mode, endpoint.url, endpoint.description) == (
        "test",
        receiver.url,
        "Local receiver",
    )
    assert endpoint.event_types == ["conversion.created", "commission.created"]
    shown = test_web.get(detail(endpoint))
    assert shown.context["new_secret"] == endpoint.secret
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in page(shown)
    again = test_web.get(detail(endpoint))
    assert again.context["new_secret"] is None
    assert endpoint.secret not in page(again)


def test_no_event_type_ticked_subscribes_to_everything(test_web, merchant, receiver):
    test_web.post(LIST, {"url": receiver.url, "description": ""})
    assert WebhookEndpoint.objects.get(merchant=merchant).event_types == []


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://10.0.0.1/hooks", "WEBHOOK_URL_PRIVATE_IP"),
        ("http://169.254.169.254/latest", "WEBHOOK_URL_PRIVATE_IP"),
        ("http://inside.example.com/hooks", "WEBHOOK_URL_PRIVATE_IP"),
        ("http://nowhere.example.com/hooks", "WEBHOOK_URL_UNRESOLVABLE"),
    ],
)
def test_a_refused_url_is_shown_next_to_the_url_field_and_nothing_is_written(
    test_web, merchant, fake_dns, url, code
):
    fake_dns["inside.example.com"] = [["10.1.2.3"]]
    fake_dns["nowhere.example.com"] = [[]]
    response = test_web.post(LIST, {"url": url, "description": "x"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("url", code)
    assert form.errors["url"][0] in page(response)
    assert WebhookEndpoint.objects.count() == 0


def test_a_live_endpoint_needs_https(alice_web, merchant):
    response = alice_web.post(LIST, {"url": "http://hooks.example.com/selgeo"})
    assert response.context["form"].has_error("url", "WEBHOOK_URL_NOT_HTTPS")
    assert "Live-mode webhooks require HTTPS" in page(response)
    assert WebhookEndpoint.objects.count() == 0


def test_the_eleventh_endpoint_is_refused(test_web, merchant, receiver):
    WebhookEndpointFactory.create_batch(10, merchant=merchant, mode="test")
    response = test_web.post(LIST, {"url": receiver.url})
    assert response.context["form"].has_error("url", "WEBHOOK_ENDPOINT_LIMIT_EXCEEDED")
    assert response.context["at_limit"] is True
    assert WebhookEndpoint.objects.count() == 10


def test_an_unknown_event_type_is_refused_by_the_form(test_web, merchant, receiver):
    response = test_web.post(LIST, {"url": receiver.url, "event_types": ["order.shipped"]})
    assert response.status_code == 200
    assert response.context["form"].has_error("event_types")
    assert WebhookEndpoint.objects.count() == 0


def test_editing_changes_the_description_types_and_disables(test_web, merchant, receiver):
    endpoint = services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    response = test_web.post(
        detail(endpoint),
        {"url": receiver.url, "description": "Renamed", "event_types": ["payout.paid"]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.description, endpoint.event_types) == ("Renamed", ["payout.paid"])
    assert endpoint.disabled_reason == DisabledReason.MANUAL and endpoint.disabled_at is not None
    test_web.post(detail(endpoint), {"url": receiver.url, "description": "", "enabled": "on"})
    endpoint.refresh_from_db()
    assert endpoint.is_enabled and endpoint.disabled_reason == ""
    assert endpoint.event_types == []


def test_editing_to_a_private_url_shows_the_error_and_changes_nothing(test_web, merchant, receiver):
    endpoint = services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    response = test_web.post(
        detail(endpoint), {"url": "http://192.168.1.10/x", "description": "new", "enabled": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("url", "WEBHOOK_URL_PRIVATE_IP")
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.description) == (receiver.url, "")


def test_rotating_keeps_the_old_secret_signing_and_shows_the_new_one_once(test_web, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant, mode="test")
    old = endpoint.secret
    response = test_web.post(detail(endpoint, "rotate"), {"previous_valid_hours": "12"})
    assert response["Location"] == detail(endpoint)
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    remaining = endpoint.previous_secret_expires_at - timezone.now()
    assert timedelta(hours=11, minutes=59) < remaining <= timedelta(hours=12)
    shown = test_web.get(detail(endpoint))
    assert shown.context["new_secret"] == endpoint.secret
    assert endpoint.secret in page(shown) and old not in page(shown)
    assert endpoint.secret not in page(test_web.get(detail(endpoint)))


def test_rotating_with_zero_hours_drops_the_old_secret_at_once(test_web, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant, mode="test")
    test_web.post(detail(endpoint, "rotate"), {"previous_valid_hours": "0"})
    endpoint.refresh_from_db()
    assert (endpoint.previous_secret, endpoint.previous_secret_expires_at) == ("", None)


def test_rotating_with_a_bad_overlap_changes_nothing(test_web, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant, mode="test")
    response = test_web.post(
        detail(endpoint, "rotate"), {"previous_valid_hours": "999"}, follow=True
    )
    assert flashed(response) == ["Keep the old secret for 0 to 168 hours; nothing was rotated."]
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == endpoint.secret


def test_a_secret_flashed_for_one_endpoint_is_not_shown_on_another(test_web, merchant):
    first = WebhookEndpointFactory(merchant=merchant, mode="test")
    second = WebhookEndpointFactory(merchant=merchant, mode="test")
    test_web.post(detail(first, "rotate"), {"previous_valid_hours": "0"})
    first.refresh_from_db()
    assert first.secret not in page(test_web.get(detail(second)))
    assert test_web.get(detail(first)).context["new_secret"] is None


def test_sending_a_test_event_delivers_it_and_logs_the_attempt(
    test_web, merchant, receiver, eager_tasks, django_capture_on_commit_callbacks
):
    endpoint = services.endpoint_create(
        merchant=merchant, mode="test", url=receiver.url, event_types=["payout.paid"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = test_web.post(detail(endpoint, "test"))
    assert response["Location"] == detail(endpoint)
    event = Event.objects.get()
    assert (event.type, event.target_endpoint_id, event.mode) == (
        "endpoint.test",
        endpoint.pk,
        "test",
    )
    delivery = Delivery.objects.get()
    assert (delivery.endpoint_id, delivery.status, delivery.response_status) == (
        endpoint.pk,
        "succeeded",
        200,
    )
    assert [r.headers["webhook-id"] for r in receiver.requests] == [event.public_id]
    log = test_web.get(detail(endpoint))
    assert list(log.context["page_obj"]) == [delivery]
    assert "endpoint.test" in page(log) and f"{delivery.latency_ms} ms" in page(log)


def test_the_delivery_log_is_paginated_with_a_capped_excerpt(test_web, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant, mode="test")
    event = services.emit(merchant=merchant, mode="test", type="conversion.created", data={})
    now = timezone.now()
    Delivery.objects.bulk_create(
        Delivery(
            event=event,
            endpoint=endpoint,
            attempt=n,
            status="failed",
            next_attempt_at=now,
            attempted_at=now,
            response_status=502,
            response_excerpt="x" * 2000,
        )
        for n in range(1, 31)
    )
    first = test_web.get(detail(endpoint))
    assert len(first.context["page_obj"]) == 25
    assert "x" * 299 + "…" in page(first) and "x" * 301 not in page(first)
    second = test_web.get(detail(endpoint) + "?page=2")
    assert [d.attempt for d in second.context["page_obj"]] == [5, 4, 3, 2, 1]


def test_replaying_one_event_from_the_log_adds_a_manual_attempt(test_web, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant, mode="test")
    event = emit_and_fail(merchant)
    response = test_web.post(
        f"/dashboard/developers/events/{event.public_id}/replay/",
        {"endpoint_id": str(endpoint.pk), "next": detail(endpoint)},
    )
    assert response["Location"] == detail(endpoint)
    replay = Delivery.objects.get(attempt=2)
    assert (replay.event_id, replay.endpoint_id, replay.trigger, replay.status) == (
        event.pk,
        endpoint.pk,
        "manual",
        "pending",
    )


def test_replaying_every_failed_event_since_a_time(test_web, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant, mode="test")
    old = emit_and_fail(merchant)
    Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    recent = [emit_and_fail(merchant), emit_and_fail(merchant, type="payout.paid")]
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = test_web.post(detail(endpoint, "replay-failed"), {"since": since}, follow=True)
    assert flashed(response) == ["2 failed event(s) are being sent again."]
    replays = Delivery.objects.filter(trigger="manual", endpoint=endpoint)
    assert sorted(d.event_id for d in replays) == sorted(e.pk for e in recent)
    assert {d.attempt for d in replays} == {2}


def test_replaying_to_a_disabled_endpoint_is_refused_and_writes_nothing(test_web, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant, mode="test")
    event = emit_and_fail(merchant)
    services.endpoint_update(endpoint=endpoint, enabled=False)
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = test_web.post(detail(endpoint, "replay-failed"), {"since": since}, follow=True)
    assert flashed(response) == ["The endpoint is disabled; enable it first"]
    response = test_web.post(
        f"/dashboard/developers/events/{event.public_id}/replay/",
        {"endpoint_id": str(endpoint.pk)},
        follow=True,
    )
    assert flashed(response) == ["The endpoint is disabled; enable it before replaying"]
    assert Delivery.objects.count() == 1


def test_deleting_asks_for_confirmation_then_removes_the_endpoint_and_its_log(test_web, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant, mode="test")
    emit_and_fail(merchant)
    confirm = test_web.get(detail(endpoint, "delete"))
    assert confirm.status_code == 200 and "Delete this endpoint?" in page(confirm)
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    response = test_web.post(detail(endpoint, "delete"))
    assert response["Location"] == LIST
    assert not WebhookEndpoint.objects.exists() and not Delivery.objects.exists()
    assert Event.objects.count() == 1


def test_an_endpoint_disabled_by_failures_is_flagged_on_the_developers_pages(alice_web, merchant):
    failing = WebhookEndpointFactory(merchant=merchant, mode="live")
    services.endpoint_disable(endpoint_id=failing.pk, reason=DisabledReason.FAILING)
    WebhookEndpointFactory(
        merchant=merchant,
        mode="live",
        disabled_at=timezone.now(),
        disabled_reason=DisabledReason.MANUAL,
    )
    for url in (
        "/dashboard/developers/keys/",
        LIST,
        "/dashboard/developers/events/",
        detail(failing),
    ):
        body = page(alice_web.get(url))
        assert 'data-testid="webhook-alerts"' in body, url
        assert "Selgeo stopped sending webhooks to 1 endpoint in live mode" in body
    assert alice_web.get(LIST).context["alert_ids"] == {failing.pk}
    assert "Disabled by Selgeo: needs your attention" in page(alice_web.get(LIST))
    switch_mode(alice_web, "test")
    assert 'data-testid="webhook-alerts"' not in page(alice_web.get(LIST))


def test_a_manually_disabled_endpoint_raises_no_banner(alice_web, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant, mode="live")
    services.endpoint_update(endpoint=endpoint, enabled=False)
    assert 'data-testid="webhook-alerts"' not in page(alice_web.get(LIST))


def test_the_developers_nav_links_every_page(alice_web):
    landing = alice_web.get("/dashboard/developers/")
    assert landing.status_code == 200
    assert landing.templates[0].name == "dashboard/api_keys.html"
    for href in (
        "/dashboard/developers/keys/",
        LIST,
        "/dashboard/developers/events/",
        "/dashboard/developers/test/",
    ):
        assert f'href="{href}"' in page(landing)
    assert 'href="/dashboard/developers/webhooks/" aria-current="page"' in page(alice_web.get(LIST))


def test_a_member_is_refused_every_endpoint_page_and_nothing_changes(bob_web, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant, mode="live")
    assert bob_web.get(LIST).status_code == 403
    assert bob_web.post(LIST, {"url": "https://hooks.example.org/x"}).status_code == 403
    assert bob_web.get(detail(endpoint)).status_code == 403
    assert bob_web.post(detail(endpoint), {"url": endpoint.url}).status_code == 403
    for action in ("rotate", "test", "replay-failed", "delete"):
        assert bob_web.post(detail(endpoint, action)).status_code == 403, action
    assert bob_web.get(detail(endpoint, "delete")).status_code == 403
    assert WebhookEndpoint.objects.get().secret == endpoint.secret
    assert not Event.objects.exists()


def test_another_merchants_or_modes_endpoint_is_not_found(charlie_web, alice_web, merchant):
    alices = WebhookEndpointFactory(merchant=merchant, mode="live")
    test_one = WebhookEndpointFactory(merchant=merchant, mode="test")
    for client, endpoint in ((charlie_web, alices), (alice_web, test_one)):
        assert client.get(detail(endpoint)).status_code == 404
        assert client.post(detail(endpoint), {"url": "https://a.example.com"}).status_code == 404
        for action in ("rotate", "test", "replay-failed", "delete"):
            assert client.post(detail(endpoint, action)).status_code == 404, action
    assert WebhookEndpoint.objects.count() == 2 and not Event.objects.exists()
    assert {e.secret for e in WebhookEndpoint.objects.all()} == {alices.secret, test_one.secret}
