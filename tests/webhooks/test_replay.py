"""Replaying by hand: one event, or every event an endpoint missed since a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import api_client, assert_error, jwt_for
from tests.webhooks.factories import WebhookEndpointFactory
from tests.webhooks.receiver import Reply
from webhooks import services, tasks
from webhooks.models import Delivery, Event, WebhookEndpoint

pytestmark = pytest.mark.django_db


def _emit(merchant, type="conversion.created"):
    event = services.emit(merchant=merchant, mode="test", type=type, data={})
    tasks.dispatch_event(str(event.pk))
    return event


def _replay(client, event, body=None, capture=None):
    url = f"/api/v1/webhooks/events/{event.public_id}/replay?mode=test"
    with capture(execute=True):
        return client.post(url, body or {}, format="json")


def test_replaying_an_event_sends_it_again_with_the_same_webhook_id(
    alice_client, merchant, endpoint, receiver, django_capture_on_commit_callbacks
):
    event = _emit(merchant)
    response = _replay(alice_client, event, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 202
    (created,) = response.json()
    assert (created["attempt"], created["trigger"], created["endpoint_id"]) == (
        2,
        "manual",
        str(endpoint.pk),
    )
    assert [r.headers["webhook-id"] for r in receiver.requests] == [event.public_id] * 2
    assert Delivery.objects.get(pk=created["id"]).status == "succeeded"


def test_replaying_to_one_endpoint_leaves_the_others_alone(
    alice_client, merchant, receiver, django_capture_on_commit_callbacks
):
    a = services.endpoint_create(merchant=merchant, mode="test", url=receiver.url + "/a")
    services.endpoint_create(merchant=merchant, mode="test", url=receiver.url + "/b")
    event = _emit(merchant)
    response = _replay(
        alice_client, event, {"endpoint_id": str(a.pk)}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 202
    assert [d["endpoint_id"] for d in response.json()] == [str(a.pk)]
    assert sorted(r.path for r in receiver.requests) == [
        "/hooks/selgeo/a",
        "/hooks/selgeo/a",
        "/hooks/selgeo/b",
    ]


def test_replaying_to_another_merchants_endpoint_is_not_found(
    alice_client, merchant, other_merchant, endpoint, django_capture_on_commit_callbacks
):
    event = _emit(merchant)
    theirs = WebhookEndpointFactory(merchant=other_merchant)
    response = _replay(
        alice_client, event, {"endpoint_id": str(theirs.pk)}, django_capture_on_commit_callbacks
    )
    assert_error(response, 404, "WEBHOOK_NOT_FOUND")
    assert Delivery.objects.count() == 1


def test_replaying_an_unknown_event_is_not_found(alice_client, other_merchant):
    theirs = _emit(other_merchant)
    response = alice_client.post(f"/api/v1/webhooks/events/{theirs.public_id}/replay?mode=test")
    assert_error(response, 404, "NOT_FOUND")


def test_members_cannot_replay(bob_client, merchant, endpoint):
    event = _emit(merchant)
    response = bob_client.post(f"/api/v1/webhooks/events/{event.public_id}/replay?mode=test")
    assert_error(response, 403, "FORBIDDEN")
    assert Delivery.objects.count() == 1


def test_replaying_to_a_disabled_endpoint_is_refused(
    alice_client, merchant, endpoint, django_capture_on_commit_callbacks
):
    event = _emit(merchant)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_at=timezone.now())
    response = _replay(
        alice_client, event, {"endpoint_id": str(endpoint.pk)}, django_capture_on_commit_callbacks
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == "endpoint_id"
    assert Delivery.objects.count() == 1


def test_a_successful_replay_cancels_the_scheduled_automatic_retry(
    alice_client, merchant, endpoint, receiver, time_machine, django_capture_on_commit_callbacks
):
    receiver.replies.append(Reply(500))
    event = _emit(merchant)
    retry = Delivery.objects.get(attempt=2)
    _replay(alice_client, event, capture=django_capture_on_commit_callbacks)
    assert Delivery.objects.get(attempt=3).status == "succeeded"
    time_machine.move_to(retry.next_attempt_at + timedelta(seconds=1), tick=False)
    tasks.sweep()
    retry.refresh_from_db()
    assert (retry.status, retry.error) == ("cancelled", "Already delivered")
    assert len(receiver.requests) == 2


def test_replay_failed_resends_only_what_the_endpoint_never_received_since_the_time(
    alice_client, merchant, endpoint, receiver, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to("2026-03-02T09:00:00Z", tick=False)
    receiver.default = Reply(500)
    too_old = _emit(merchant, "payout.created")
    time_machine.move_to("2026-03-03T09:00:00Z", tick=False)
    exhausted = _emit(merchant, "payout.failed")
    Delivery.objects.filter(event=exhausted, status="pending").update(
        status="cancelled", error="The endpoint was disabled"
    )
    still_retrying = _emit(merchant, "payout.created")
    receiver.default = Reply(200)
    delivered = _emit(merchant, "payout.paid")
    other_mode = services.emit(merchant=merchant, mode="live", type="payout.paid", data={})
    sent_before = len(receiver.requests)
    since = "2026-03-03T00:00:00Z"
    url = f"/api/v1/webhooks/endpoints/{endpoint.pk}/replay-failed?mode=test"
    # A fresh token: the clock moved since the fixture signed one.
    client = api_client(jwt_for(merchant.memberships.get().user, merchant))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"since": since}, format="json")
    assert response.status_code == 202
    assert response.json() == {"replayed": 1}
    replayed = receiver.requests[sent_before:]
    assert [r.headers["webhook-id"] for r in replayed] == [exhausted.public_id]
    manual = Delivery.objects.get(trigger="manual")
    assert (manual.event_id, manual.status, manual.attempt) == (exhausted.pk, "succeeded", 3)
    assert not Delivery.objects.filter(event__in=[too_old, delivered, other_mode], trigger="manual")
    assert Delivery.objects.get(event=still_retrying, status="pending").attempt == 2
    assert Event.objects.count() == 5


def test_replay_failed_needs_an_enabled_endpoint_and_a_valid_time(alice_client, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant)
    url = f"/api/v1/webhooks/endpoints/{endpoint.pk}/replay-failed?mode=test"
    for body in ({}, {"since": "yesterday"}, {"since": 12}):
        assert_error(alice_client.post(url, body, format="json"), 400, "VALIDATION_ERROR")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_at=timezone.now())
    response = alice_client.post(url, {"since": "2026-01-01T00:00:00Z"}, format="json")
    assert_error(response, 400, "VALIDATION_ERROR")
    assert Delivery.objects.count() == 0
