"""Webhook events pages: the mode's events with a type filter, an event's payload and
deliveries per endpoint, and replay (owners and admins)."""

from __future__ import annotations

import json

import pytest

from tests.dashboard.conftest import flashed, page, switch_mode
from tests.dashboard.webhook_fixtures import emit_and_fail
from tests.webhooks.factories import WebhookEndpointFactory
from webhooks import services
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db

EVENTS = "/dashboard/developers/events/"


def event_url(event, action=""):
    return f"{EVENTS}{event.public_id}/{action + '/' if action else ''}"


def test_the_events_page_lists_the_modes_events_newest_first(alice_web, merchant, other_merchant):
    first = services.emit(merchant=merchant, mode="live", type="partner.applied", data={})
    second = services.emit(merchant=merchant, mode="live", type="payout.paid", data={})
    test_event = services.emit(merchant=merchant, mode="test", type="payout.paid", data={})
    theirs = services.emit(merchant=other_merchant, mode="live", type="payout.paid", data={})
    response = alice_web.get(EVENTS)
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [second, first]
    assert first.public_id in page(response) and second.public_id in page(response)
    assert test_event.public_id not in page(response) and theirs.public_id not in page(response)


def test_the_type_filter_keeps_one_type_and_pages(alice_web, merchant):
    for _ in range(27):
        services.emit(merchant=merchant, mode="live", type="payout.paid", data={})
    services.emit(merchant=merchant, mode="live", type="partner.applied", data={})
    filtered = alice_web.get(EVENTS, {"type": "partner.applied"})
    assert [e.type for e in filtered.context["page_obj"]] == ["partner.applied"]
    paid = alice_web.get(EVENTS, {"type": "payout.paid", "page": "2"})
    assert len(paid.context["page_obj"]) == 2
    assert paid.context["page_obj"].paginator.count == 27
    assert 'href="?type=payout.paid&amp;page=1"' in page(paid)


def test_an_unknown_type_filter_shows_every_event(alice_web, merchant):
    services.emit(merchant=merchant, mode="live", type="payout.paid", data={})
    response = alice_web.get(EVENTS, {"type": "order.shipped"})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 1


def test_an_event_shows_its_payload_and_its_deliveries_per_endpoint(alice_web, merchant):
    first = WebhookEndpointFactory(merchant=merchant, mode="live")
    second = WebhookEndpointFactory(merchant=merchant, mode="live", event_types=["payout.paid"])
    event = emit_and_fail(merchant, mode="live")
    response = alice_web.get(event_url(event))
    assert response.status_code == 200
    assert json.loads(response.context["payload"]) == event.payload
    assert '\n  "type": "conversion.created",\n' in response.context["payload"]
    body = page(response)
    assert f"&quot;id&quot;: &quot;{event.public_id}&quot;," in body
    groups = response.context["deliveries"]
    assert [g.endpoint for g in groups] == [first]
    assert [(d.attempt, d.status, d.response_status) for d in groups[0].attempts] == [
        (1, "failed", 500)
    ]
    assert "upstream exploded" in body and second.url not in body


def test_replaying_an_event_to_every_subscriber(alice_web, merchant):
    endpoints = WebhookEndpointFactory.create_batch(2, merchant=merchant, mode="live")
    event = emit_and_fail(merchant, mode="live")
    response = alice_web.post(event_url(event, "replay"), follow=True)
    assert flashed(response) == [f"{event.public_id} is being sent again to 2 endpoint(s)."]
    replays = Delivery.objects.filter(trigger="manual")
    assert sorted((d.endpoint_id, d.attempt, d.status) for d in replays) == sorted(
        (e.pk, 2, "pending") for e in endpoints
    )


def test_replaying_to_one_endpoint_from_the_event_page(alice_web, merchant):
    chosen, other = WebhookEndpointFactory.create_batch(2, merchant=merchant, mode="live")
    event = emit_and_fail(merchant, mode="live")
    response = alice_web.post(event_url(event, "replay"), {"endpoint_id": str(chosen.pk)})
    assert response["Location"] == event_url(event)
    assert list(
        Delivery.objects.filter(trigger="manual").values_list("endpoint_id", flat=True)
    ) == [chosen.pk]
    assert list(Delivery.objects.filter(endpoint=other).values_list("attempt", flat=True)) == [1]


def test_a_replay_with_no_subscriber_sends_nothing(alice_web, merchant):
    event = services.emit(merchant=merchant, mode="live", type="payout.paid", data={})
    response = alice_web.post(event_url(event, "replay"), follow=True)
    assert flashed(response) == ["No enabled endpoint subscribes to this event; nothing was sent."]
    assert not Delivery.objects.exists()


def test_a_replay_never_goes_to_a_foreign_endpoint_or_an_open_redirect(
    alice_web, merchant, other_merchant
):
    WebhookEndpointFactory(merchant=merchant, mode="live")
    theirs = WebhookEndpointFactory(merchant=other_merchant, mode="live")
    test_endpoint = WebhookEndpointFactory(merchant=merchant, mode="test")
    event = emit_and_fail(merchant, mode="live")
    for endpoint_id in (theirs.pk, test_endpoint.pk, "not-a-uuid"):
        response = alice_web.post(event_url(event, "replay"), {"endpoint_id": str(endpoint_id)})
        assert response.status_code == 404
    response = alice_web.post(event_url(event, "replay"), {"next": "https://evil.example.com/"})
    assert response["Location"] == event_url(event)
    assert Delivery.objects.filter(trigger="manual").count() == 1


def test_a_member_reads_events_but_cannot_replay(bob_web, merchant):
    WebhookEndpointFactory(merchant=merchant, mode="live")
    event = emit_and_fail(merchant, mode="live")
    assert bob_web.get(EVENTS).status_code == 200
    detail = bob_web.get(event_url(event))
    assert detail.status_code == 200 and detail.context["can_replay"] is False
    assert "Replay to this endpoint" not in page(detail)
    assert bob_web.post(event_url(event, "replay")).status_code == 403
    assert Delivery.objects.count() == 1


def test_another_merchants_or_modes_event_is_not_found(charlie_web, alice_web, merchant):
    WebhookEndpointFactory(merchant=merchant, mode="live")
    live_event = emit_and_fail(merchant, mode="live")
    test_event = services.emit(merchant=merchant, mode="test", type="payout.paid", data={})
    for client, event in ((charlie_web, live_event), (alice_web, test_event)):
        assert client.get(event_url(event)).status_code == 404
        assert client.post(event_url(event, "replay")).status_code == 404
    assert alice_web.get(f"{EVENTS}evt_nothing/").status_code == 404
    switch_mode(alice_web, "test")
    assert alice_web.get(event_url(live_event)).status_code == 404
    assert alice_web.get(event_url(test_event)).status_code == 200
    assert Delivery.objects.count() == 1
