"""The reference's pagination: {data,total,page,limit}, default 20, max 100."""

from __future__ import annotations

import pytest

from accounts import services
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_keys(merchant):
    for _ in range(25):
        services.api_key_create(merchant=merchant, kind="public", mode="test")


def test_default_page_is_twenty(alice_client, many_keys):
    body = alice_client.get("/api/v1/api-keys?mode=test").json()
    assert (len(body["data"]), body["total"], body["page"], body["limit"]) == (20, 25, 1, 20)


def test_second_page_holds_the_rest(alice_client, many_keys):
    body = alice_client.get("/api/v1/api-keys?mode=test&page=2").json()
    assert (len(body["data"]), body["page"]) == (5, 2)
    first = alice_client.get("/api/v1/api-keys?mode=test&limit=25").json()
    assert {k["id"] for k in first["data"]} >= {k["id"] for k in body["data"]}


def test_page_past_the_end_is_empty(alice_client, many_keys):
    body = alice_client.get("/api/v1/api-keys?mode=test&page=9").json()
    assert body["data"] == [] and body["total"] == 25


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=1.5", "page"),
    ],
)
def test_bad_paging_values_are_validation_errors(alice_client, query, field):
    body = assert_error(alice_client.get(f"/api/v1/api-keys?{query}"), 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == field


def test_limit_of_one_hundred_is_allowed(alice_client, many_keys):
    assert alice_client.get("/api/v1/api-keys?mode=test&limit=100").json()["limit"] == 100
