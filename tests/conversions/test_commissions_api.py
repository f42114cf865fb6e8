"""Commission endpoints: the merchant dashboard and the partner side."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Merchant, Partner
from conversions.models import Commission
from partners.models import Program
from tests.conftest import Keys, api_client, assert_error, jwt_for
from tests.conversions.conftest import body, post
from tests.conversions.factories import ClickFactory, ProgramFactory
from tests.factories import PartnerFactory
from tracking.models import Click

pytestmark = pytest.mark.django_db


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["data"]]


def commission_of(client: Any, click: Click, txid: str, currency: str = "EUR") -> str:
    response = post(
        client, body(click_id=str(click.pk), external_transaction_id=txid, currency=currency)
    )
    assert response.status_code == 201, response.content
    return str(response.json()["commission"]["id"])


@pytest.fixture
def world(
    keys: Keys,
    other_keys: Keys,
    program: Program,
    click: Click,
    partner: Partner,
    test_click: Click,
    other_merchant: Merchant,
) -> dict[str, Any]:
    """Acme: two live commissions (two partners) and a test one; Other: one for our partner."""
    sk_live = api_client(keys.sk_live)
    stranger = PartnerFactory()
    other_program = ProgramFactory(merchant=other_merchant, code="ELSEWHERE", currency="USD")
    return {
        "mine": commission_of(sk_live, click, "a"),
        "stranger": commission_of(sk_live, ClickFactory(program=program, partner=stranger), "b"),
        "test": commission_of(api_client(keys.sk_test), test_click, "c"),
        "other_merchant": commission_of(
            api_client(other_keys.sk_live),
            ClickFactory(program=other_program, partner=partner),
            "d",
            currency="USD",
        ),
        "stranger_partner": stranger,
    }


def test_merchant_lists_live_commissions_by_default(
    alice_client: Any, world: dict[str, Any]
) -> None:
    response = alice_client.get("/api/v1/commissions")

    assert ids(response) == [world["stranger"], world["mine"]]
    item = response.json()["data"][1]
    commission = Commission.objects.get(pk=world["mine"])
    assert item["conversion_id"] == str(commission.conversion_id)
    assert item["program"]["code"] == "SUMMER"
    assert item["partner"]["id"] == str(commission.partner_id)
    assert (item["amount_cents"], item["currency"], item["status"], item["kind"]) == (
        490,
        "EUR",
        "pending",
        "cps",
    )
    assert item["mode"] == "live"


def test_merchant_reads_test_commissions_with_mode_test(
    bob_client: Any, world: dict[str, Any]
) -> None:
    assert ids(bob_client.get("/api/v1/commissions?mode=test")) == [world["test"]]
    assert bob_client.get(f"/api/v1/commissions/{world['test']}?mode=test").status_code == 200
    assert_error(bob_client.get(f"/api/v1/commissions/{world['test']}"), 404, "NOT_FOUND")


def test_merchant_filters_commissions(
    alice_client: Any, world: dict[str, Any], partner: Partner, program: Program
) -> None:
    Commission.objects.filter(pk=world["mine"]).update(status="approved")

    assert ids(alice_client.get("/api/v1/commissions?status=approved")) == [world["mine"]]
    assert ids(alice_client.get(f"/api/v1/commissions?partner={partner.pk}")) == [world["mine"]]
    assert ids(alice_client.get(f"/api/v1/commissions?program={program.pk}")) == [
        world["stranger"],
        world["mine"],
    ]
    assert_error(alice_client.get("/api/v1/commissions?status=lost"), 400, "VALIDATION_ERROR")


def test_merchant_reads_one_commission(alice_client: Any, world: dict[str, Any]) -> None:
    response = alice_client.get(f"/api/v1/commissions/{world['mine']}")

    assert response.status_code == 200
    assert response.json()["id"] == world["mine"]


def test_charlie_sees_no_acme_commission(charlie_client: Any, world: dict[str, Any]) -> None:
    assert ids(charlie_client.get("/api/v1/commissions")) == [world["other_merchant"]]
    for key in ("mine", "stranger"):
        assert_error(charlie_client.get(f"/api/v1/commissions/{world[key]}"), 404, "NOT_FOUND")


def test_commission_endpoints_are_for_dashboard_tokens(keys: Keys, anon_client: Any) -> None:
    assert_error(api_client(keys.sk_live).get("/api/v1/commissions"), 403, "FORBIDDEN")
    assert_error(anon_client.get("/api/v1/commissions"), 401, "UNAUTHORIZED")


def test_partner_sees_own_live_commissions_across_merchants(
    partner_client: Any, world: dict[str, Any], other_merchant: Merchant
) -> None:
    response = partner_client.get("/api/v1/partner/commissions")

    assert ids(response) == [world["other_merchant"], world["mine"]]
    item = response.json()["data"][0]
    assert item["merchant"] == {"id": str(other_merchant.pk), "name": other_merchant.name}
    assert item["program"]["code"] == "ELSEWHERE"
    assert (item["amount_cents"], item["currency"], item["event_type"]) == (490, "USD", "purchase")
    assert "customer_id" not in item and "conversion_id" not in item and "partner" not in item


def test_partner_filters_by_merchant_status_and_mode(
    partner_client: Any, world: dict[str, Any], merchant: Merchant
) -> None:
    assert ids(partner_client.get(f"/api/v1/partner/commissions?merchant={merchant.pk}")) == [
        world["mine"]
    ]
    assert ids(partner_client.get("/api/v1/partner/commissions?mode=test")) == [world["test"]]
    assert ids(partner_client.get("/api/v1/partner/commissions?status=paid")) == []
    assert_error(
        partner_client.get("/api/v1/partner/commissions?merchant=x"), 400, "VALIDATION_ERROR"
    )


def test_partner_reads_own_commission_but_not_others(
    partner_client: Any, world: dict[str, Any]
) -> None:
    assert partner_client.get(f"/api/v1/partner/commissions/{world['mine']}").status_code == 200
    assert_error(
        partner_client.get(f"/api/v1/partner/commissions/{world['stranger']}"), 404, "NOT_FOUND"
    )


def test_another_partner_sees_only_their_own(world: dict[str, Any]) -> None:
    stranger = world["stranger_partner"]
    client = api_client(jwt_for(stranger.user))

    assert ids(client.get("/api/v1/partner/commissions")) == [world["stranger"]]
    assert_error(client.get(f"/api/v1/partner/commissions/{world['mine']}"), 404, "NOT_FOUND")


def test_partner_endpoints_refuse_merchants_and_keys(
    alice_client: Any, keys: Keys, anon_client: Any
) -> None:
    assert_error(alice_client.get("/api/v1/partner/commissions"), 403, "FORBIDDEN")
    assert_error(api_client(keys.sk_live).get("/api/v1/partner/commissions"), 403, "FORBIDDEN")
    assert_error(anon_client.get("/api/v1/partner/commissions"), 401, "UNAUTHORIZED")


def test_partner_side_shows_a_paid_reversal_adjustment(
    partner_client: Any, world: dict[str, Any], keys: Keys
) -> None:
    commission = Commission.objects.get(pk=world["mine"])
    Commission.objects.filter(pk=commission.pk).update(status="paid")
    api_client(keys.sk_live).post(
        f"/api/v1/conversions/{commission.conversion_id}/reverse",
        {"reason": "refund"},
        format="json",
    )

    item = partner_client.get(f"/api/v1/partner/commissions/{world['mine']}").json()

    assert item["status"] == "paid"
    assert item["adjustment"]["amount_cents"] == -490
    assert item["adjustment"]["status"] == "open"
