"""The endpoints API: create, list, retrieve, update, delete, rotate, and their refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import assert_error
from tests.webhooks.factories import WebhookEndpointFactory
from webhooks.models import Event, WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/endpoints"
PUBLIC = "93.184.215.14"


@pytest.fixture
def hooks_dns(fake_dns):
    fake_dns["hooks.example.com"] = [[PUBLIC]]
    fake_dns["other.example.com"] = [[PUBLIC]]
    return fake_dns


def _create(client, mode="test", **body):
    body.setdefault("url", "https://hooks.example.com/selgeo")
    return client.post(f"{URL}?mode={mode}", body, format="json")


def test_create_returns_the_endpoint_with_its_secret(alice_client, merchant, hooks_dns):
    response = _create(
        alice_client,
        mode="live",
        description="Orders service",
        event_types=["conversion.created", "conversion.reversed", "conversion.created"],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["id"] == str(endpoint.pk)
    assert body["secret"] == endpoint.secret
    assert body["secret"].startswith("whsec_")
    assert {k: body[k] for k in ("mode", "url", "description", "event_types", "status")} == {
        "mode": "live",
        "url": "https://hooks.example.com/selgeo",
        "description": "Orders service",
        "event_types": ["conversion.created", "conversion.reversed"],
        "status": "enabled",
    }
    assert (endpoint.merchant, endpoint.mode) == (merchant, "live")


def test_list_and_retrieve_never_show_the_secret(alice_client, merchant, hooks_dns):
    created = _create(alice_client).json()
    _create(alice_client, mode="live")
    listing = alice_client.get(f"{URL}?mode=test").json()
    assert (listing["total"], listing["page"], listing["limit"]) == (1, 1, 20)
    assert [e["id"] for e in listing["data"]] == [created["id"]]
    assert "secret" not in listing["data"][0]
    detail = alice_client.get(f"{URL}/{created['id']}?mode=test")
    assert detail.status_code == 200
    assert "secret" not in detail.json()
    assert detail.json()["id"] == created["id"]


def test_http_is_allowed_in_test_mode_and_refused_in_live_mode(alice_client, hooks_dns):
    assert _create(alice_client, url="http://hooks.example.com/a").status_code == 201
    response = _create(alice_client, mode="live", url="http://hooks.example.com/a")
    assert_error(response, 422, "WEBHOOK_URL_NOT_HTTPS")
    assert WebhookEndpoint.objects.filter(mode="live").count() == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://user:pass@hooks.example.com/", "credentials"),
        ("https://user@hooks.example.com/", "credentials"),
        ("ftp://hooks.example.com/", "https://"),
        ("file:///etc/passwd", "https://"),
        ("gopher://hooks.example.com:70/", "https://"),
        ("javascript:alert(1)", "https://"),
        ("hooks.example.com/selgeo", "https://"),
        ("https://", "host"),
        ("https://hooks.example.com:99999/", "malformed"),
        ("https://hooks.example.com/a b", "spaces"),
        ("https://hooks.example.com/\n", "spaces"),
        ("https://" + "a" * 64 + ".example.com/", "host name"),
        ("https://hooks.example.com/" + "a" * 1980, "2000"),
    ],
)
def test_malformed_urls_are_validation_errors(alice_client, hooks_dns, url, message):
    body = assert_error(_create(alice_client, url=url), 400, "VALIDATION_ERROR")
    assert [d["field"] for d in body["details"]] == ["url"]
    assert message in body["details"][0]["message"]
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"url": 42},
        {"url": "https://hooks.example.com/", "event_types": "conversion.created"},
        {"url": "https://hooks.example.com/", "event_types": [1]},
        {"url": "https://hooks.example.com/", "secret": "whsec_mine"},
        {"url": "https://hooks.example.com/", "mode": "live"},
        {"url": "https://hooks.example.com/", "description": "x" * 501},
    ],
)
def test_bad_bodies_are_validation_errors(alice_client, hooks_dns, body):
    response = alice_client.post(f"{URL}?mode=test", body, format="json")
    assert_error(response, 400, "VALIDATION_ERROR")
    assert WebhookEndpoint.objects.count() == 0


def test_unknown_event_types_are_named_in_the_details(alice_client, hooks_dns):
    response = _create(alice_client, event_types=["conversion.created", "order.paid", "nope"])
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [
        {"field": "event_types", "message": "Unknown event type: order.paid"},
        {"field": "event_types", "message": "Unknown event type: nope"},
    ]
    assert WebhookEndpoint.objects.count() == 0


def test_the_eleventh_endpoint_of_a_mode_is_refused(alice_client, merchant, hooks_dns):
    WebhookEndpointFactory.create_batch(10, merchant=merchant, mode="test")
    assert_error(_create(alice_client), 422, "WEBHOOK_ENDPOINT_LIMIT_EXCEEDED")
    assert WebhookEndpoint.objects.filter(mode="test").count() == 10
    assert _create(alice_client, mode="live").status_code == 201


def test_members_cannot_manage_endpoints(bob_client, merchant, hooks_dns):
    endpoint = WebhookEndpointFactory(merchant=merchant)
    assert_error(_create(bob_client), 403, "FORBIDDEN")
    assert_error(bob_client.get(f"{URL}?mode=test"), 403, "FORBIDDEN")
    assert_error(bob_client.delete(f"{URL}/{endpoint.pk}?mode=test"), 403, "FORBIDDEN")
    assert WebhookEndpoint.objects.count() == 1


def test_anonymous_requests_are_unauthorized(anon_client):
    assert_error(anon_client.get(f"{URL}?mode=test"), 401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("patch", "", {"description": "mine now"}),
        ("delete", "", None),
        ("post", "/rotate-secret", {}),
        ("post", "/test", None),
        ("post", "/replay-failed", {"since": "2026-01-01T00:00:00Z"}),
    ],
)
def test_another_merchants_or_modes_endpoint_is_not_found(
    alice_client, merchant, other_merchant, method, suffix, body
):
    theirs = WebhookEndpointFactory(merchant=other_merchant, mode="test")
    live = WebhookEndpointFactory(merchant=merchant, mode="live")
    for endpoint_id in (theirs.pk, live.pk, "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        response = getattr(alice_client, method)(
            f"{URL}/{endpoint_id}{suffix}?mode=test", body, format="json"
        )
        assert_error(response, 404, "WEBHOOK_NOT_FOUND")
    theirs.refresh_from_db()
    assert theirs.description == ""
    assert WebhookEndpoint.objects.count() == 2
    assert Event.objects.count() == 0


def test_update_changes_only_the_given_fields(alice_client, merchant, hooks_dns):
    endpoint = WebhookEndpointFactory(merchant=merchant, description="old")
    response = alice_client.patch(
        f"{URL}/{endpoint.pk}?mode=test",
        {"url": "https://other.example.com/new", "event_types": ["payout.paid"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.event_types, endpoint.description) == (
        "https://other.example.com/new",
        ["payout.paid"],
        "old",
    )
    assert "secret" not in response.json()


def test_update_checks_the_new_url_like_creation(alice_client, merchant, fake_dns):
    fake_dns["internal.example.com"] = [["10.0.0.7"]]
    endpoint = WebhookEndpointFactory(merchant=merchant, mode="live")
    before = endpoint.url
    for url, status, code in [
        ("http://hooks.example.com/", 422, "WEBHOOK_URL_NOT_HTTPS"),
        ("https://internal.example.com/", 422, "WEBHOOK_URL_PRIVATE_IP"),
        ("https://foobar.invalid/", 422, "WEBHOOK_URL_UNRESOLVABLE"),
        ("https://a:b@hooks.example.com/", 400, "VALIDATION_ERROR"),
    ]:
        response = alice_client.patch(f"{URL}/{endpoint.pk}?mode=live", {"url": url}, format="json")
        assert_error(response, status, code)
    endpoint.refresh_from_db()
    assert endpoint.url == before


def test_fields_the_caller_may_not_set_are_refused_and_nothing_changes(alice_client, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant)
    before = (endpoint.secret, endpoint.mode, endpoint.merchant_id)
    for body in ({"secret": "whsec_x"}, {"mode": "live"}, {"merchant": "x"}, {"id": "y"}):
        response = alice_client.patch(f"{URL}/{endpoint.pk}?mode=test", body, format="json")
        assert_error(response, 400, "VALIDATION_ERROR")
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.mode, endpoint.merchant_id) == before


def test_put_is_not_allowed(alice_client, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant)
    response = alice_client.put(f"{URL}/{endpoint.pk}?mode=test", {"url": "x"}, format="json")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")


def test_disable_and_enable_again(alice_client, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant)
    off = alice_client.patch(f"{URL}/{endpoint.pk}?mode=test", {"enabled": False}, format="json")
    assert (off.json()["status"], off.json()["disabled_reason"]) == ("disabled", "manual")
    on = alice_client.patch(f"{URL}/{endpoint.pk}?mode=test", {"enabled": True}, format="json")
    assert (on.json()["status"], on.json()["disabled_reason"], on.json()["disabled_at"]) == (
        "enabled",
        "",
        None,
    )


def test_delete_removes_the_endpoint(alice_client, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant)
    response = alice_client.delete(f"{URL}/{endpoint.pk}?mode=test")
    assert response.status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_rotate_secret_shows_the_new_secret_and_keeps_the_old_one_signing(alice_client, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant)
    old = endpoint.secret
    before = timezone.now()
    response = alice_client.post(f"{URL}/{endpoint.pk}/rotate-secret?mode=test", {}, format="json")
    assert response.status_code == 200
    body = response.json()
    endpoint.refresh_from_db()
    assert body["secret"] == endpoint.secret != old
    expires = endpoint.previous_secret_expires_at
    assert body["previous_secret_expires_at"] == expires.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert before + timedelta(hours=24) <= expires <= timezone.now() + timedelta(hours=24)
    assert endpoint.previous_secret == old
    assert endpoint.signing_secrets() == [endpoint.secret, old]


def test_rotate_secret_can_drop_the_old_secret_at_once(alice_client, merchant):
    endpoint = WebhookEndpointFactory(merchant=merchant)
    response = alice_client.post(
        f"{URL}/{endpoint.pk}/rotate-secret?mode=test", {"previous_valid_hours": 0}, format="json"
    )
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.signing_secrets() == [endpoint.secret]
    assert endpoint.previous_secret == ""
    for bad in ({"previous_valid_hours": 169}, {"previous_valid_hours": "24"}, {"x": 1}):
        response = alice_client.post(
            f"{URL}/{endpoint.pk}/rotate-secret?mode=test", bad, format="json"
        )
        assert_error(response, 400, "VALIDATION_ERROR")


def test_bad_mode_is_a_validation_error(alice_client):
    assert_error(alice_client.get(f"{URL}?mode=prod"), 400, "VALIDATION_ERROR")
