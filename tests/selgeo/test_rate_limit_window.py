"""The rate-limit window slides: no 60 seconds admit more than the limit, wherever they start."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from django.conf import settings as django_settings
from django.test import Client

from selgeo.api import ratelimit
from tests.conftest import Keys, api_client, assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.selgeo.probe_urls")]

BEFORE_A_MINUTE = datetime(2026, 3, 4, 5, 6, 59, 500000, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(BEFORE_A_MINUTE, tick=False)
    return time_machine


def _open(client: Client) -> int:
    return client.get("/api/v1/probe/open").status_code


def test_a_burst_then_a_request_a_second_admits_the_limit_once_a_minute(settings, clock):
    # Wherever a fixed window's minute would start (django-ratelimit offsets it per key),
    # one request a second after a full burst crosses it; the moving window refuses them all.
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "general": "10/m"}
    client = Client()
    assert [_open(client) for _ in range(10)] == [200] * 10
    for _ in range(59):
        clock.shift(1)
        assert _open(client) == 429
    # 59.9 s after the burst it is still inside the window; just past 60 s it has left.
    clock.shift(0.9)
    assert _open(client) == 429
    clock.shift(0.2)
    assert [_open(client) for _ in range(11)] == [200] * 10 + [429]


def test_the_tracking_zone_admits_its_limit_once_a_minute(keys: Keys, clock):
    client = api_client(keys.pk_test)

    def click() -> int:
        return client.post("/api/v1/probe/public", {}, format="json").status_code

    for _ in range(1000):
        assert click() == 201
    for _ in range(60):
        assert click() == 429
        clock.shift(1)
    clock.shift(0.1)
    assert [click(), click()] == [201, 201]
    # Another key of the merchant was never limited.
    other = api_client(keys.pk_live)
    assert other.post("/api/v1/probe/public", {}, format="json").status_code == 201


def test_no_sixty_seconds_admit_more_than_the_limit(settings, clock):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "general": "7/m"}
    client = Client()
    pace = random.Random(20260304)
    admitted: list[float] = []
    refused: list[float] = []
    elapsed = 0.0
    # Three minutes of requests, in bursts and pauses, on and off the minute boundaries.
    while elapsed < 180:
        (admitted if _open(client) == 200 else refused).append(elapsed)
        step = pace.choice([0.0, 0.0, 0.25, 1.0, 4.5, 9.0, 20.0])
        clock.shift(step)
        elapsed += step

    # Exactly the moving window: a request is admitted when fewer than 7 were admitted in
    # the 60 s before it, and refused only when 7 were; so no closed span of 60 s, wherever
    # it starts, holds more than 7 admissions.
    for index, at in enumerate(admitted):
        assert sum(1 for t in admitted[:index] if t >= at - 60) < 7, at
        assert sum(1 for t in admitted if at <= t <= at + 60) <= 7, at
    for at in refused:
        assert sum(1 for t in admitted if at - 60 <= t <= at) == 7, at
    assert len(admitted) == 19
    assert len(refused) == 19


def test_retry_after_is_the_wait_and_a_request_after_it_is_admitted(settings, clock):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "general": "3/m"}
    client = Client()
    for _ in range(3):
        assert _open(client) == 200
        clock.shift(10)
    # 30.5 s after the first admission, it leaves the window in 29.5 s: retry in 30.
    clock.shift(0.5)
    response = client.get("/api/v1/probe/open")
    assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
    assert response["Retry-After"] == "30"
    # The refused request was not counted: one second early is still refused, briefly.
    clock.shift(29)
    response = client.get("/api/v1/probe/open")
    assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
    assert response["Retry-After"] == "1"
    clock.shift(1)
    assert _open(client) == 200
    # The window is full again until the second admission (at 10 s) leaves, 9.5 s on.
    response = client.get("/api/v1/probe/open")
    assert response["Retry-After"] == "10"


def test_retry_after_for_a_key_zone_is_the_wait(keys: Keys, settings, clock):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "conversions": "2/m"}
    client = api_client(keys.sk_test)
    body = {"amount_cents": 1, "currency": "EUR"}
    assert client.post("/api/v1/probe/secret", body, format="json").status_code == 201
    clock.shift(45.25)
    assert client.post("/api/v1/probe/secret", body, format="json").status_code == 201
    response = client.post("/api/v1/probe/secret", body, format="json")
    assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
    assert response["Retry-After"] == "15"
    clock.shift(15)
    assert client.post("/api/v1/probe/secret", body, format="json").status_code == 201


def test_each_namespace_counts_apart_under_its_own_keys(settings, clock):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "general": "1/m"}
    client = Client()
    first = settings.SELGEO_RATELIMIT_NAMESPACE
    assert [_open(client), _open(client)] == [200, 429]
    settings.SELGEO_RATELIMIT_NAMESPACE = second = f"{first}-other"
    assert [_open(client), _open(client)] == [200, 429]
    assert _stored_keys(f"{first}/") == [f"{first}/general/127.0.0.1/1/1/minute"]
    assert _stored_keys(f"{second}/") == [f"{second}/general/127.0.0.1/1/1/minute"]


def _stored_keys(prefix: str) -> list[str]:
    """The limiter's keys in its store (Redis, or memory in the embedded mode)."""
    storage = ratelimit.limiter().storage
    if hasattr(storage, "get_connection"):
        store_prefix = f"{django_settings.SELGEO_RATELIMIT_KEY_PREFIX}:"
        found = storage.get_connection().scan_iter(match=f"{store_prefix}{prefix}*")
        return [key.decode()[len(store_prefix) :] for key in found]
    return [key for key in storage.events if key.startswith(prefix)]


def test_the_window_is_one_minute_whatever_the_clock_reads():
    # 60 seconds is the window and the longest Retry-After.
    item = ratelimit.rate_item(django_settings.SELGEO_RATE_LIMITS["tracking"], "x")
    assert (item.amount, item.get_expiry()) == (1000, 60)
    assert ratelimit.retry_after(0.0, 60) == 1
    assert ratelimit.retry_after(29.5, 60) == 30
    assert ratelimit.retry_after(30.0, 60) == 31
    assert ratelimit.retry_after(60.0, 60) == 60
    assert ratelimit.retry_after(-3.0, 60) == 1
