"""A query parameter sent blank (`?program=`) is treated exactly as if it were absent."""

from __future__ import annotations

import pytest

from tests.conftest import Keys, api_client, assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        "program=",
        "program=&partner=&created_after=&created_before=&external_transaction_id=",
        "attributed=&event_type=&mode=&page=&limit=",
        "program&mode",
        # White space alone, a no-break space included, is blank too.
        "program=%20%20&partner=%C2%A0&mode=%09",
    ],
)
def test_blank_filters_of_the_conversion_list_are_no_filter(alice_client, query):
    response = alice_client.get(f"/api/v1/conversions?{query}")

    assert response.status_code == 200, response.json()
    assert response.json() == {"data": [], "total": 0, "page": 1, "limit": 20}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/partners?application_status=&program=&q=",
        "/api/v1/commissions?program=&partner=&status=",
        "/api/v1/webhooks/deliveries?endpoint=&event=&status=",
        "/api/v1/webhooks/events?type=",
    ],
)
def test_blank_filters_of_every_list_are_no_filter(alice_client, path):
    blank = alice_client.get(path)
    absent = alice_client.get(path.split("?")[0])

    assert blank.status_code == 200, blank.json()
    assert blank.json() == absent.json()


def test_a_blank_mode_is_the_default_live_mode(alice_client, keys: Keys):
    listed = alice_client.get("/api/v1/api-keys?mode=").json()

    assert listed["total"] == 2
    assert {key["mode"] for key in listed["data"]} == {"live"}


def test_a_blank_value_beside_a_real_one_keeps_the_real_one(alice_client):
    body = assert_error(
        alice_client.get("/api/v1/conversions?created_after=&created_after=yesterday"),
        400,
        "VALIDATION_ERROR",
    )
    assert body["details"][0]["field"] == "created_after"


def test_a_secret_key_lists_conversions_with_blank_filters(keys: Keys):
    response = api_client(keys.sk_live).get("/api/v1/conversions?program=&created_after=")

    assert response.status_code == 200
    assert response.json()["total"] == 0
