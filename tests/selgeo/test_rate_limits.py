"""Rate-limit zones: 429 RATE_LIMIT_EXCEEDED with Retry-After, per key or per IP."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.conftest import Keys, api_client, assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.selgeo.probe_urls")]


START = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _still_clock(time_machine):
    # The window slides with the clock: time stands still inside each test, and a test
    # that needs it to pass moves it.
    time_machine.move_to(START, tick=False)


BODY = {"amount_cents": 1, "currency": "EUR"}


def test_zone_numbers_are_the_public_contract():
    assert django_settings.SELGEO_RATE_LIMITS == {
        "tracking": "1000/m",
        "conversions": "120/m",
        "auth": "10/m",
        "general": "300/m",
        "links": "60/m",
        # Selgeo's own: invitation mails per merchant.
        "invitations": "100/h",
        # The AffSpace dialect's, per key, as its vendor document says.
        "affspace_get": "100/m",
        "affspace_post": "30/m",
        "affspace_stats": "20/m",
        "affspace_conversions": "1000/m",
        # Payment forwarding: its own zone per secret key (the commerce reference).
        "payment_forwards": "60/m",
        "stats": "20/m",
    }


def _retry_after(response) -> int:
    value = int(response["Retry-After"])
    assert 1 <= value <= 60
    return value


def test_tracking_zone_limits_each_public_key(keys: Keys):
    client = api_client(keys.pk_test)
    for _ in range(1000):
        assert client.post("/api/v1/probe/public", {}, format="json").status_code == 201
    response = client.post("/api/v1/probe/public", {}, format="json")
    assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
    _retry_after(response)
    # Another key of the same merchant is not affected.
    assert (
        api_client(keys.pk_live).post("/api/v1/probe/public", {}, format="json").status_code == 201
    )


def test_conversions_zone_limits_each_secret_key(keys: Keys):
    client = api_client(keys.sk_test)
    for _ in range(120):
        assert client.post("/api/v1/probe/secret", BODY, format="json").status_code == 201
    response = client.post("/api/v1/probe/secret", BODY, format="json")
    body = assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
    assert body["message"] == "Rate limit exceeded"
    _retry_after(response)
    assert (
        api_client(keys.sk_live).post("/api/v1/probe/secret", BODY, format="json").status_code
        == 201
    )


def test_auth_zone_limits_each_ip(anon_client):
    payload = {"email": "nobody@example.com", "password": "wrong-password-1"}
    for number in range(10):
        # Another account each time: one account's own back-off starts after 5 failures.
        guess = {**payload, "email": f"nobody{number}@example.com"}
        assert anon_client.post("/api/v1/auth/login", guess, format="json").status_code == 401
    response = anon_client.post("/api/v1/auth/login", payload, format="json")
    assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
    _retry_after(response)
    other_ip = Client(REMOTE_ADDR="10.9.8.7")
    response = other_ip.post("/api/v1/auth/login", payload, content_type="application/json")
    assert response.status_code == 401


def test_general_zone_limits_each_ip(alice_client):
    for _ in range(300):
        assert alice_client.get("/api/v1/probe/open").status_code == 200
    response = alice_client.get("/api/v1/api-keys")
    assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
    _retry_after(response)
    assert Client(REMOTE_ADDR="10.1.1.1").get("/api/v1/probe/open").status_code == 200


def test_invalid_keys_are_counted_in_the_ip_zone(settings):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "general": "5/m"}
    client = api_client("sk_test_" + "x" * 44)
    for _ in range(5):
        assert client.post("/api/v1/probe/secret", BODY, format="json").status_code == 401
    response = client.post("/api/v1/probe/secret", BODY, format="json")
    assert_error(response, 429, "RATE_LIMIT_EXCEEDED")


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_let_exactly_the_limit_through(settings):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "general": "20/m"}
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker() -> None:
        client = Client()
        barrier.wait()
        for _ in range(10):
            status = client.get("/api/v1/probe/open").status_code
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(200) == 20
    assert statuses.count(429) == 60


def test_disabled_rate_limits_never_answer_429(settings):
    settings.SELGEO_RATELIMITS_ENABLED = False
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "general": "2/m"}
    client = Client()
    assert {client.get("/api/v1/probe/open").status_code for _ in range(5)} == {200}


@pytest.fixture
def dead_store(settings):
    # A Redis nobody listens on: connections are refused at once.
    settings.SELGEO_RATELIMIT_STORAGE_URL = "redis://127.0.0.1:1/0"


def test_key_zones_fail_open_when_the_store_is_down(dead_store, keys: Keys):
    response = api_client(keys.sk_test).post("/api/v1/probe/secret", BODY, format="json")
    assert response.status_code == 201
    response = api_client(keys.pk_test).post("/api/v1/probe/public", {}, format="json")
    assert response.status_code == 201


def test_general_zone_fails_open_when_the_store_is_down(dead_store):
    assert Client().get("/api/v1/probe/open").status_code == 200
    assert_error(Client().get("/api/v1/no-such-route"), 404, "NOT_FOUND")


def test_auth_zone_fails_closed_when_the_store_is_down(dead_store, anon_client):
    payload = {"email": "nobody@example.com", "password": "wrong-password-1"}
    response = anon_client.post("/api/v1/auth/login", payload, format="json")
    assert_error(response, 503, "SERVICE_UNAVAILABLE")


def test_unknown_api_routes_count_in_the_general_zone(settings):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "general": "5/m"}
    client = Client()
    for _ in range(3):
        assert client.get("/api/v1/probe/open").status_code == 200
    for _ in range(2):
        body = assert_error(client.get("/api/v1/no-such-route"), 404, "NOT_FOUND")
        assert body["message"] == "Resource does not exist"
    response = client.post("/api/v1/no-such-route", {}, content_type="application/json")
    assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
    assert _retry_after(response) == 60
    # The count is shared both ways: a known route is refused now too.
    assert_error(client.get("/api/v1/probe/open"), 429, "RATE_LIMIT_EXCEEDED")
    # Another address has its own count.
    other = Client(REMOTE_ADDR="10.1.1.1")
    assert_error(other.get("/api/v1/no-such-route"), 404, "NOT_FOUND")


def test_unknown_tracking_routes_count_in_the_general_zone(settings):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "general": "3/m"}
    client = Client()
    for path in ("/v1/nope", "/v1/clicks/not-a-uuid", "/api/v2/clicks"):
        assert_error(client.get(path), 404, "NOT_FOUND")
    assert_error(client.get("/v1/nope"), 429, "RATE_LIMIT_EXCEEDED")
    assert_error(client.get("/api/v1/probe/open"), 429, "RATE_LIMIT_EXCEEDED")


def test_unknown_page_routes_are_not_api_routes(settings):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "general": "1/m"}
    client = Client()
    assert [client.get("/no-such-page").status_code for _ in range(3)] == [404, 404, 404]
    assert client.get("/api/v1/probe/open").status_code == 200
