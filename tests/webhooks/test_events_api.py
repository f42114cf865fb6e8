"""Reading the log: events with their deliveries, the deliveries list, the catalogue."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error
from tests.webhooks.factories import WebhookEndpointFactory
from tests.webhooks.receiver import Reply
from webhooks import services, tasks
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/webhooks/events"
DELIVERIES = "/api/v1/webhooks/deliveries"
API_MD_TYPES = {
    "click.created",
    "conversion.created",
    "conversion.reversed",
    "commission.created",
    "commission.approved",
    "commission.reversed",
    "partner.applied",
    "application.approved",
    "application.rejected",
    "partner.erased",
    "payout.created",
    "payout.paid",
    "payout.failed",
}


def _emit(merchant, type="conversion.created", mode="test", data=None):
    event = services.emit(merchant=merchant, mode=mode, type=type, data=data or {"n": 1})
    tasks.dispatch_event(str(event.pk))
    return event


def test_events_are_listed_newest_first_for_the_merchant_and_mode_only(
    alice_client, merchant, other_merchant
):
    first = _emit(merchant, "partner.applied")
    second = _emit(merchant, "conversion.created", data={"amount_cents": 100})
    _emit(merchant, "payout.paid", mode="live")
    _emit(other_merchant, "payout.paid")
    body = alice_client.get(f"{EVENTS}?mode=test").json()
    assert (body["total"], body["page"], body["limit"]) == (2, 1, 20)
    assert [e["id"] for e in body["data"]] == [second.public_id, first.public_id]
    assert body["data"][0] == {
        "id": second.public_id,
        "type": "conversion.created",
        "mode": "test",
        "created_at": second.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "dispatched_at": Event.objects.get(pk=second.pk).dispatched_at.strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        ),
        "endpoint_id": None,
        "data": {"amount_cents": 100},
    }
    filtered = alice_client.get(f"{EVENTS}?mode=test&type=partner.applied").json()
    assert [e["id"] for e in filtered["data"]] == [first.public_id]
    assert_error(alice_client.get(f"{EVENTS}?mode=test&type=order.paid"), 400, "VALIDATION_ERROR")


def test_an_event_shows_its_attempts_per_endpoint(alice_client, merchant, endpoint, receiver):
    receiver.replies.extend([Reply(500, b"first try fails")])
    quiet = WebhookEndpointFactory(merchant=merchant, event_types=["payout.paid"])
    event = _emit(merchant)
    response = alice_client.get(f"{EVENTS}/{event.public_id}?mode=test")
    assert response.status_code == 200
    body = response.json()
    assert body["payload"] == event.payload
    assert body["data"] == {"n": 1}
    (group,) = body["deliveries"]
    assert (group["endpoint_id"], group["url"], group["status"]) == (
        str(endpoint.pk),
        endpoint.url,
        "pending",
    )
    assert [
        (a["attempt"], a["status"], a["response_status"], a["response_excerpt"])
        for a in group["attempts"]
    ] == [(1, "failed", 500, "first try fails"), (2, "pending", None, "")]
    assert str(quiet.pk) not in str(body["deliveries"])
    by_uuid = alice_client.get(f"{EVENTS}/{event.pk}?mode=test")
    assert by_uuid.json()["id"] == event.public_id


def test_another_merchants_or_modes_event_is_not_found(alice_client, merchant, other_merchant):
    theirs = _emit(other_merchant)
    live = _emit(merchant, mode="live")
    for event_id in (theirs.public_id, live.public_id, "evt_nothing", "evt_" + "0" * 32):
        response = alice_client.get(f"{EVENTS}/{event_id}?mode=test")
        assert_error(response, 404, "NOT_FOUND")


def test_members_may_read_the_log(bob_client, merchant, endpoint):
    event = _emit(merchant)
    assert bob_client.get(f"{EVENTS}?mode=test").json()["total"] == 1
    assert bob_client.get(f"{EVENTS}/{event.public_id}?mode=test").status_code == 200
    assert bob_client.get(f"{DELIVERIES}?mode=test").json()["total"] == 1


def test_deliveries_are_filtered_by_endpoint_event_and_status(
    alice_client, merchant, other_merchant, receiver
):
    receiver.choose = lambda r: Reply(500) if "/b" in r.path else Reply(200)
    a = services.endpoint_create(merchant=merchant, mode="test", url=receiver.url + "/a")
    b = services.endpoint_create(merchant=merchant, mode="test", url=receiver.url + "/b")
    one, two = _emit(merchant), _emit(merchant, "payout.paid")
    _emit(other_merchant)
    everything = alice_client.get(f"{DELIVERIES}?mode=test").json()
    assert everything["total"] == 6  # two events x two endpoints, plus b's two retries
    to_b = alice_client.get(f"{DELIVERIES}?mode=test&endpoint={b.pk}").json()
    assert {d["endpoint_id"] for d in to_b["data"]} == {str(b.pk)}
    assert to_b["total"] == 4
    failed = alice_client.get(f"{DELIVERIES}?mode=test&status=failed").json()
    assert {(d["event_id"], d["endpoint_id"]) for d in failed["data"]} == {
        (one.public_id, str(b.pk)),
        (two.public_id, str(b.pk)),
    }
    of_one = alice_client.get(f"{DELIVERIES}?mode=test&event={one.public_id}&status=succeeded")
    assert [(d["endpoint_id"], d["attempt"]) for d in of_one.json()["data"]] == [(str(a.pk), 1)]
    delivery = of_one.json()["data"][0]
    assert set(delivery) == {
        "id",
        "event_id",
        "endpoint_id",
        "attempt",
        "trigger",
        "status",
        "next_attempt_at",
        "attempted_at",
        "response_status",
        "latency_ms",
        "response_excerpt",
        "error",
        "created_at",
    }
    detail = alice_client.get(f"{DELIVERIES}/{delivery['id']}?mode=test")
    assert detail.json() == delivery


@pytest.mark.parametrize(
    "query", ["endpoint=nope", "event=nope", "status=exploded", "limit=101", "page=0"]
)
def test_bad_delivery_filters_are_validation_errors(alice_client, query):
    assert_error(alice_client.get(f"{DELIVERIES}?mode=test&{query}"), 400, "VALIDATION_ERROR")


def test_another_merchants_deliveries_stay_hidden(alice_client, other_merchant, charlie_client):
    theirs = WebhookEndpointFactory(merchant=other_merchant)
    event = services.emit(merchant=other_merchant, mode="test", type="payout.paid", data={})
    services.event_fan_out(event_id=event.pk)
    delivery = Delivery.objects.get()
    assert alice_client.get(f"{DELIVERIES}?mode=test&endpoint={theirs.pk}").json()["total"] == 0
    assert_error(alice_client.get(f"{DELIVERIES}/{delivery.pk}?mode=test"), 404, "NOT_FOUND")
    assert charlie_client.get(f"{DELIVERIES}/{delivery.pk}?mode=test").status_code == 200


def test_the_catalogue_lists_every_event_type_with_an_example_payload(bob_client):
    response = bob_client.get("/api/v1/webhooks/event-types?mode=live")
    assert response.status_code == 200
    body = response.json()
    types = {t["type"]: t for t in body["data"]}
    # Beside the contract's: the test event and a payment forward's own (sent to its
    # webhook_url only).
    forward_types = {"payment_forward.confirmation", "payment_forward.failed"}
    assert set(types) == API_MD_TYPES | {"endpoint.test"} | forward_types
    assert body["total"] == len(types)
    for name, entry in types.items():
        assert entry["description"]
        example = entry["example"]
        assert set(example) == {"id", "type", "api_version", "created", "mode", "data"}
        assert (example["type"], example["api_version"], example["mode"]) == (name, "v1", "live")
        assert example["id"].startswith("evt_")
        assert isinstance(example["data"], dict) and example["data"]
    assert [n for n, t in types.items() if t["opt_in"]] == ["click.created"]


def test_the_catalogue_needs_a_dashboard_login(anon_client):
    assert_error(anon_client.get("/api/v1/webhooks/event-types"), 401, "UNAUTHORIZED")
