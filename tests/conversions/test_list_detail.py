"""GET /api/v1/conversions and /<id>: sk keys and dashboard tokens, filters, isolation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Merchant, Partner
from conversions.models import Conversion
from partners.models import Program
from tests.conftest import Keys, api_client, assert_error
from tests.conversions.conftest import body, post
from tests.conversions.factories import ClickFactory, ProgramFactory
from tests.factories import PartnerFactory
from tracking.models import Click

pytestmark = pytest.mark.django_db


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["data"]]


@pytest.fixture
def three(sk_live: Any, program: Program, click: Click, merchant: Merchant) -> list[str]:
    """An attributed purchase, an unattributed lead and a signup in another program."""
    other = ProgramFactory(merchant=merchant, code="OTHER")
    other_partner = PartnerFactory()
    other_click = ClickFactory(program=other, partner=other_partner)
    created = [
        post(sk_live, body(click_id=str(click.pk), external_transaction_id="a")),
        post(sk_live, body(promo_code="NOPE", external_transaction_id="b", event_type="lead")),
        post(
            sk_live,
            body(click_id=str(other_click.pk), external_transaction_id="c", event_type="signup"),
        ),
    ]
    assert [r.status_code for r in created] == [201, 201, 201]
    return [r.json()["id"] for r in created]


def test_list_is_newest_first_and_paginated(sk_live: Any, three: list[str]) -> None:
    response = sk_live.get("/api/v1/conversions?limit=2")

    assert ids(response) == [three[2], three[1]]
    assert {k: v for k, v in response.json().items() if k != "data"} == {
        "total": 3,
        "page": 1,
        "limit": 2,
    }
    assert ids(sk_live.get("/api/v1/conversions?limit=2&page=2")) == [three[0]]


def test_list_items_are_the_full_representation(sk_live: Any, three: list[str]) -> None:
    detail = sk_live.get(f"/api/v1/conversions/{three[0]}").json()

    listed = sk_live.get("/api/v1/conversions").json()["data"][-1]

    assert listed == detail


@pytest.fixture(params=["sk_live", "alice_client"])
def reader(request: pytest.FixtureRequest) -> Any:
    """The merchant's servers (a secret key) and the dashboard (a member's token, live by
    default): the list filters the same for both."""
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("program=SUMMER", [0]),
        ("program=summer", [0]),
        ("status=approved", [1]),
        ("status=pending", [2, 0]),
        ("event_type=lead", [1]),
        ("event_type=signup", [2]),
        ("attributed=false", [1]),
        ("attributed=true", [2, 0]),
        ("external_transaction_id=b", [1]),
    ],
)
def test_list_filters(reader: Any, three: list[str], query: str, expected: list[int]) -> None:
    assert ids(reader.get(f"/api/v1/conversions?{query}")) == [three[i] for i in expected]


def test_list_filters_by_program_id_and_partner(
    reader: Any, three: list[str], program: Program, partner: Partner
) -> None:
    assert ids(reader.get(f"/api/v1/conversions?program={program.pk}")) == [three[0]]
    assert ids(reader.get(f"/api/v1/conversions?partner={partner.pk}")) == [three[0]]


def test_list_filters_by_creation_range(reader: Any, three: list[str]) -> None:
    Conversion.objects.filter(pk=three[0]).update(created_at=timezone.now() - timedelta(days=10))
    cutoff = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")

    assert ids(reader.get(f"/api/v1/conversions?created_before={cutoff}")) == [three[0]]
    assert ids(reader.get(f"/api/v1/conversions?created_after={cutoff}")) == [three[2], three[1]]


@pytest.mark.parametrize(
    "query",
    [
        "status=lost",
        "event_type=refund",
        "partner=nope",
        "created_after=yesterday",
        "attributed=maybe",
        "limit=101",
        "page=0",
    ],
)
def test_bad_filters_are_400(sk_live: Any, query: str) -> None:
    assert_error(sk_live.get(f"/api/v1/conversions?{query}"), 400, "VALIDATION_ERROR")


def test_dashboard_members_read_live_by_default_and_test_on_request(
    alice_client: Any, bob_client: Any, keys: Keys, three: list[str], test_click: Click
) -> None:
    test_id = post(api_client(keys.sk_test), body(click_id=str(test_click.pk))).json()["id"]

    assert ids(alice_client.get("/api/v1/conversions")) == three[::-1]
    assert ids(bob_client.get("/api/v1/conversions?mode=test")) == [test_id]
    assert bob_client.get(f"/api/v1/conversions/{three[0]}").json()["id"] == three[0]
    assert_error(alice_client.get(f"/api/v1/conversions/{test_id}"), 404, "NOT_FOUND")
    assert alice_client.get(f"/api/v1/conversions/{test_id}?mode=test").status_code == 200


def test_test_key_never_sees_live_conversions_and_vice_versa(
    keys: Keys, three: list[str], test_click: Click
) -> None:
    sk_test = api_client(keys.sk_test)
    test_id = post(sk_test, body(click_id=str(test_click.pk))).json()["id"]

    assert ids(sk_test.get("/api/v1/conversions")) == [test_id]
    assert ids(sk_test.get("/api/v1/conversions?mode=live")) == [test_id]
    assert_error(sk_test.get(f"/api/v1/conversions/{three[0]}"), 404, "NOT_FOUND")
    assert_error(api_client(keys.sk_live).get(f"/api/v1/conversions/{test_id}"), 404, "NOT_FOUND")


def test_charlie_sees_nothing_of_acme(
    charlie_client: Any, other_keys: Keys, three: list[str]
) -> None:
    for client in (charlie_client, api_client(other_keys.sk_live)):
        assert ids(client.get("/api/v1/conversions")) == []
        assert_error(client.get(f"/api/v1/conversions/{three[0]}"), 404, "NOT_FOUND")


def test_unknown_and_malformed_ids_are_404(sk_live: Any) -> None:
    assert_error(
        sk_live.get("/api/v1/conversions/550e8400-e29b-41d4-a716-446655440000"), 404, "NOT_FOUND"
    )
    assert_error(sk_live.get("/api/v1/conversions/not-an-id"), 404, "NOT_FOUND")


def test_reading_needs_credentials(anon_client: Any, keys: Keys) -> None:
    assert_error(anon_client.get("/api/v1/conversions"), 401, "INVALID_API_KEY")
    assert_error(api_client(keys.pk_live).get("/api/v1/conversions"), 403, "FORBIDDEN")
    assert_error(api_client("not-a-jwt").get("/api/v1/conversions"), 401, "UNAUTHORIZED")


def test_a_partner_token_cannot_read_merchant_conversions(partner_client: Any) -> None:
    assert_error(partner_client.get("/api/v1/conversions"), 403, "FORBIDDEN")
