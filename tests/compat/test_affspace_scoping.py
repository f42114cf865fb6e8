"""Every dialect route that names an object answers NOT_FOUND for another merchant's or
the other mode's object, and the lists never show them."""

from __future__ import annotations

import pytest

from conversions import sandbox
from tests.compat.conftest import BASE, assert_dialect_error, report, vendor
from tests.conversions.factories import ApplicationFactory, ClickFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_objects(live, keys, merchant, offer, offer_click, partner):
    """Acme's live conversion and offer, and a test-mode session (its token)."""
    conversion_id = report(
        live, offer_code="MYOFFER123", click_id=str(offer_click.pk), txid="o1", amount="10"
    ).json()["data"]["conversionId"]
    test_offer = ProgramFactory(merchant=merchant, mode="test", code="SANDBOX")
    ApplicationFactory(program=test_offer, partner=partner)
    _session, token = sandbox.test_session_create(
        merchant=merchant, mode="test", program_code="SANDBOX"
    )
    return {"conversion": conversion_id, "offer": "MYOFFER123", "token": token}


ROUTES = [
    "api/v1/conversions/{conversion}",
    "api/v1/offers/{offer}",
    "api/v1/test-sessions/{token}",
]


@pytest.mark.parametrize("route", ROUTES)
def test_another_merchants_key_gets_not_found(acme_objects, other_keys, route):
    for raw in (other_keys.sk_live, other_keys.sk_test):
        response = vendor(raw).get(f"{BASE}/{route.format(**acme_objects)}")
        assert_dialect_error(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("route", "other_mode"),
    [
        ("api/v1/conversions/{conversion}", "sk_test"),
        ("api/v1/offers/{offer}", "sk_test"),
        ("api/v1/test-sessions/{token}", "sk_live"),
    ],
)
def test_the_other_modes_key_gets_not_found(acme_objects, keys, route, other_mode):
    response = vendor(getattr(keys, other_mode)).get(f"{BASE}/{route.format(**acme_objects)}")
    assert_dialect_error(response, 404, "NOT_FOUND")


def test_own_objects_are_found_by_their_own_key(acme_objects, keys):
    for route, raw in zip(ROUTES, (keys.sk_live, keys.sk_live, keys.sk_test), strict=True):
        assert vendor(raw).get(f"{BASE}/{route.format(**acme_objects)}").status_code == 200


def test_lists_and_stats_show_only_the_keys_merchant_and_mode(acme_objects, keys, other_keys):
    for raw in (other_keys.sk_live, keys.sk_test):
        client = vendor(raw)
        assert client.get(f"{BASE}/api/v1/conversions").json()["data"] == []
        offers = client.get(f"{BASE}/api/v1/offers").json()["data"]
        assert "MYOFFER123" not in [o["code"] for o in offers]
        stats = client.get(f"{BASE}/api/v1/stats").json()["data"]
        assert stats["summary"]["totalConversions"] == 0
        assert "MYOFFER123" not in [o["offerCode"] for o in stats["byOffer"]]


def test_another_merchants_offer_and_click_cannot_be_reported(
    acme_objects, other_keys, other_merchant, offer, partner
):
    click = ClickFactory(program=offer, partner=partner)
    own_offer = ProgramFactory(merchant=other_merchant, mode="live", code="THEIRS")
    other = vendor(other_keys.sk_live)

    acme_offer = report(other, offer_code="MYOFFER123", click_id=str(click.pk), amount="10")
    acme_click = report(other, offer_code=own_offer.code, click_id=str(click.pk), amount="10")

    assert_dialect_error(acme_offer, 400, "VALIDATION_ERROR", "Offer not found")
    assert_dialect_error(acme_click, 400, "VALIDATION_ERROR", "Click not found")
