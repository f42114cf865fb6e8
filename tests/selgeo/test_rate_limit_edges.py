"""The moving window at its edge: an admission counts for 60 seconds.

With the oldest admission at A, a request a microsecond before A + 60 s is refused with
`Retry-After: 1`, and one a microsecond after it is admitted: the request is admitted
the moment the oldest admission leaves. The same holds in Redis and in the embedded
mode's memory, in the general zone and in a key's zone.

The instant A + 60 s itself is not asserted: Redis counts the admission there, but the
embedded store (the `limits` package's memory storage) drops it from a background
thread at that instant, so there the answer depends on which thread ran first. With a
real clock the instant is one value of a float timestamp, never hit on purpose.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from tests.conftest import Keys, api_client, assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.selgeo.probe_urls")]

A = datetime(2027, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "admitted", "retry_after"),
    [
        # The oldest leaves strictly after 1.0 s more: at 60 s it is still in, so 2.
        (timedelta(seconds=59), False, "2"),
        (timedelta(seconds=60, microseconds=-1), False, "1"),
        (timedelta(seconds=60, microseconds=1), True, None),
    ],
)
def test_the_general_zone_admits_again_the_moment_the_oldest_admission_leaves(
    settings, time_machine, after, admitted, retry_after
):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "general": "2/m"}
    client = Client()
    time_machine.move_to(A, tick=False)
    assert client.get("/api/v1/probe/open").status_code == 200
    time_machine.move_to(A + timedelta(seconds=59), tick=False)
    assert client.get("/api/v1/probe/open").status_code == 200
    # The window holds both admissions (the limit): only the first one's leaving, 60 s
    # after it, opens a place.
    time_machine.move_to(A + after, tick=False)

    response = client.get("/api/v1/probe/open")

    if admitted:
        assert response.status_code == 200
    else:
        assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
        # A microsecond before 60 s the oldest is still in: wait a whole second.
        assert response["Retry-After"] == retry_after


def test_the_retry_after_of_a_refusal_at_the_edge_is_honest(settings, time_machine):
    # Refused just before A + 60 s with Retry-After 1; admitted that second later.
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "general": "1/m"}
    client = Client()
    time_machine.move_to(A, tick=False)
    assert client.get("/api/v1/probe/open").status_code == 200
    just_before = A + timedelta(seconds=60, microseconds=-1)
    time_machine.move_to(just_before, tick=False)
    refused = client.get("/api/v1/probe/open")
    assert_error(refused, 429, "RATE_LIMIT_EXCEEDED")
    assert refused["Retry-After"] == "1"

    time_machine.move_to(just_before + timedelta(seconds=int(refused["Retry-After"])), tick=False)

    assert client.get("/api/v1/probe/open").status_code == 200


@pytest.mark.parametrize(
    ("after", "status"),
    [(timedelta(seconds=60, microseconds=-1), 429), (timedelta(seconds=60, microseconds=1), 201)],
)
def test_a_key_zone_admits_again_the_moment_the_oldest_admission_leaves(
    keys: Keys, settings, time_machine, after, status
):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "conversions": "1/m"}
    client = api_client(keys.sk_test)
    body = {"amount_cents": 1, "currency": "EUR"}
    time_machine.move_to(A, tick=False)
    assert client.post("/api/v1/probe/secret", body, format="json").status_code == 201
    time_machine.move_to(A + after, tick=False)

    assert client.post("/api/v1/probe/secret", body, format="json").status_code == status
