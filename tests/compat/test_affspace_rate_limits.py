"""The dialect's rate limits per key: GET 100/min, POST 30/min, stats 20/min, reported
conversions (`POST .../conversions`, `GET|POST /pb`) 1,000/min; past a limit
RATE_LIMITED with `Retry-After`, and another key is unaffected."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from tests.compat.conftest import BASE, assert_dialect_error, vendor

pytestmark = pytest.mark.django_db


def test_the_documented_limits_are_the_configured_ones():
    limits = django_settings.SELGEO_RATE_LIMITS
    assert (
        limits["affspace_get"],
        limits["affspace_post"],
        limits["affspace_stats"],
        limits["affspace_conversions"],
    ) == ("100/m", "30/m", "20/m", "1000/m")


def _exhaust(send, limit: int) -> None:
    for n in range(limit):
        response = send()
        assert response.status_code != 429, f"request {n + 1} of {limit} was limited"
    limited = send()
    assert_dialect_error(limited, 429, "RATE_LIMITED")
    assert 1 <= int(limited["Retry-After"]) <= 60


def test_stats_allow_20_a_minute_per_key(keys):
    client = vendor(keys.sk_live)
    _exhaust(lambda: client.get(f"{BASE}/api/v1/stats"), 20)
    # The stats zone is its own: other GET endpoints and another key still answer.
    assert client.get(f"{BASE}/api/v1/profile").status_code == 200
    assert vendor(keys.sk_test).get(f"{BASE}/api/v1/stats").status_code == 200


def test_post_endpoints_allow_30_a_minute_per_key(keys):
    client = vendor(keys.sk_live)
    url = f"{BASE}/api/v1/test-sessions"
    _exhaust(lambda: client.post(url, {"offer_code": "X"}, format="json"), 30)
    assert vendor(keys.sk_test).post(url, {}, format="json").status_code == 400


def test_get_endpoints_allow_100_a_minute_per_key(keys):
    client = vendor(keys.sk_live)
    _exhaust(lambda: client.get(f"{BASE}/api/v1/profile"), 100)
    assert vendor(keys.sk_live, bearer=True).get(f"{BASE}/api/v1/offers").status_code == 429
    assert vendor(keys.sk_test).get(f"{BASE}/api/v1/offers").status_code == 200


def test_reported_conversions_share_one_zone_across_pb_and_conversions(keys, settings):
    # 1,000 requests would take the suite's time; the zone's own number is checked above.
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "affspace_conversions": "4/m"}
    client = vendor(keys.sk_live)
    sends = iter(
        [
            lambda: client.get("/pb", {"offer_code": "X"}),
            lambda: client.post("/pb", {"offer_code": "X"}, format="json"),
            lambda: client.post(f"{BASE}/pb", {"offer_code": "X"}, format="json"),
            lambda: client.post(f"{BASE}/api/v1/conversions", {"offer_code": "X"}, format="json"),
        ]
    )
    for send in sends:
        assert send().status_code == 400  # Offer not found, but counted
    assert_dialect_error(client.get("/pb", {"offer_code": "X"}), 429, "RATE_LIMITED")
    # Listing conversions counts as a GET, not as a report.
    assert client.get(f"{BASE}/api/v1/conversions").status_code == 200
    assert vendor(keys.sk_test).get("/pb", {"offer_code": "X"}).status_code == 400


def test_invalid_keys_are_counted_per_address_in_selgeos_general_zone(settings):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "general": "3/m"}
    client = vendor("sk_live_nothing")
    for _ in range(3):
        assert_dialect_error(client.get(f"{BASE}/api/v1/profile"), 401, "INVALID_API_KEY")
    assert_dialect_error(client.get(f"{BASE}/api/v1/profile"), 429, "RATE_LIMITED")
