"""GET /api/v1/stats and /api/v1/partner/stats: the answer, every parameter's error, the
zone, and isolation between merchants, modes and partners."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from accounts.models import Merchant, Partner
from fx import services as fx_services
from fx.adapters import ParsedRates
from tests.conftest import Keys, api_client, assert_error, jwt_for
from tests.conversions.factories import ApplicationFactory, ProgramFactory
from tests.factories import PartnerFactory
from tests.stats.data import clicks, sale

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
DAY = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def shop(merchant: Merchant, partner: Partner) -> dict[str, Any]:
    """Acme's live program SHOES with a week of traffic, a test-mode program, and another
    partner's traffic in SHOES."""
    shoes = ProgramFactory(merchant=merchant, mode="live", code="SHOES", name="Shoes")
    sandbox = ProgramFactory(merchant=merchant, mode="test", code="SANDBOX")
    other = PartnerFactory()
    ApplicationFactory(program=shoes, partner=partner)
    ApplicationFactory(program=shoes, partner=other)
    clicks(shoes, partner, DAY, 40)
    clicks(shoes, partner, DAY, 10, bot=True)
    clicks(shoes, other, DAY + timedelta(days=1), 10)
    sale(shoes, partner, DAY, 10000)
    sale(shoes, partner, DAY, 5000, status="approved")
    sale(shoes, other, DAY + timedelta(days=1), 2000, currency="USD")
    sale(None, None, DAY, 100, merchant=merchant, mode="live")
    clicks(sandbox, partner, DAY, 7)
    sale(sandbox, partner, DAY, 999)
    return {"shoes": shoes, "sandbox": sandbox, "other": other}


def test_stats_answers_summary_offers_and_series(keys: Keys, shop):
    response = api_client(keys.sk_live).get(
        "/api/v1/stats", {"start_date": "2026-04-14", "end_date": "2026-04-15"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["summary"] == {
        "totalClicks": 60,
        "botClicks": 10,
        "totalConversions": 3,
        "approvedConversions": 1,
        "receivedConversions": 4,
        "reversedConversions": 0,
        # 10000 and 5000 EUR recorded as 11000 and 5500 USD, plus 2000 USD.
        "totalRevenueCents": 18500,
        "conversionRate": "6.00",
        "commissionCents": 1850,
        "pendingCommissionCents": 1300,
        "approvedCommissionCents": 550,
        "paidCommissionCents": 0,
        "reversedCommissionCents": 0,
    }
    assert body["byOffer"] == [
        {
            "offerCode": "SHOES",
            "offerName": "Shoes",
            "programCurrency": "EUR",
            "currency": "USD",
            "clicks": 60,
            "conversions": 3,
            "approvedConversions": 1,
            "revenueCents": 18500,
            "commissionCents": 1850,
        }
    ]
    assert body["timeSeries"] == [
        {
            "date": "2026-04-14",
            "clicks": 50,
            "conversions": 2,
            "revenueCents": 16500,
            "commissionCents": 1650,
        },
        {
            "date": "2026-04-15",
            "clicks": 10,
            "conversions": 1,
            "revenueCents": 2000,
            "commissionCents": 200,
        },
    ]
    assert (body["startDate"], body["endDate"], body["groupBy"], body["currency"]) == (
        "2026-04-14",
        "2026-04-15",
        "day",
        "USD",
    )
    assert body["unconvertedAmounts"] == 0


def test_default_range_is_the_last_30_days_and_ms_timestamps_are_days(keys: Keys, shop):
    client = api_client(keys.sk_live)
    body = client.get("/api/v1/stats").json()
    assert (body["startDate"], body["endDate"]) == ("2026-03-22", "2026-04-20")
    assert len(body["timeSeries"]) == 30
    assert body["summary"]["totalClicks"] == 60
    start_ms = int(DAY.timestamp() * 1000)
    body = client.get(
        "/api/v1/stats",
        {"start_date": str(start_ms), "end_date": str(start_ms), "group_by": "month"},
    ).json()
    assert (body["startDate"], body["endDate"]) == ("2026-04-14", "2026-04-14")
    assert body["timeSeries"] == [
        {
            "date": "2026-04-01",
            "clicks": 50,
            "conversions": 2,
            "revenueCents": 16500,
            "commissionCents": 1650,
        }
    ]


def test_group_by_week_starts_on_monday(keys: Keys, shop):
    body = (
        api_client(keys.sk_live)
        .get(
            "/api/v1/stats",
            {"start_date": "2026-04-01", "end_date": "2026-04-20", "group_by": "week"},
        )
        .json()
    )
    assert [p["date"] for p in body["timeSeries"]] == [
        "2026-03-30",
        "2026-04-06",
        "2026-04-13",
        "2026-04-20",
    ]
    assert [p["clicks"] for p in body["timeSeries"]] == [0, 0, 60, 0]


def test_offer_and_partner_filters(keys: Keys, shop, partner: Partner):
    client = api_client(keys.sk_live)
    body = client.get("/api/v1/stats", {"offer_code": "SHOES", "partner": str(partner.pk)}).json()
    assert body["summary"]["totalClicks"] == 50
    assert body["summary"]["totalConversions"] == 2
    assert body["summary"]["totalRevenueCents"] == 16500


def test_dashboard_token_reads_the_mode_it_asks_for(alice_client, shop):
    live = alice_client.get("/api/v1/stats").json()["summary"]
    test = alice_client.get("/api/v1/stats", {"mode": "test"}).json()["summary"]
    assert (live["totalClicks"], live["totalConversions"]) == (60, 3)
    assert (test["totalClicks"], test["totalConversions"]) == (7, 1)


def test_secret_key_reads_its_own_mode_only(keys: Keys, shop):
    body = api_client(keys.sk_test).get("/api/v1/stats", {"mode": "live"}).json()
    assert (body["summary"]["totalClicks"], body["byOffer"][0]["offerCode"]) == (7, "SANDBOX")


def test_another_merchant_sees_nothing_of_acme(other_keys: Keys, charlie_client, shop):
    for client in (api_client(other_keys.sk_live), charlie_client):
        body = client.get("/api/v1/stats").json()
        assert body["summary"]["totalClicks"] == 0
        assert body["byOffer"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"offer_code": "SHOES"},
        {"offer_code": "NOPE"},
    ],
)
def test_another_merchants_offer_is_not_found(other_keys: Keys, shop, params):
    response = api_client(other_keys.sk_live).get("/api/v1/stats", params)
    assert_error(response, 404, "NOT_FOUND")


def test_another_modes_offer_and_a_stranger_partner_are_not_found(keys: Keys, shop):
    client = api_client(keys.sk_live)
    assert_error(client.get("/api/v1/stats", {"offer_code": "SANDBOX"}), 404, "NOT_FOUND")
    stranger = PartnerFactory()
    assert_error(client.get("/api/v1/stats", {"partner": str(stranger.pk)}), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-01"}, "end_date"),
        ({"start_date": "2026-04-01T00:00:00"}, "start_date"),
        ({"end_date": "99999999999999999999"}, "end_date"),
        ({"start_date": "2026-04-10", "end_date": "2026-04-01"}, "start_date"),
        ({"start_date": "2000-01-01", "end_date": "2026-04-01"}, "end_date"),
        ({"group_by": "year"}, "group_by"),
        ({"currency": "usd"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"partner": "not-a-uuid"}, "partner"),
        ({"offer_code": "x" * 101}, "offer_code"),
        ({"mode": "staging"}, "mode"),
    ],
)
def test_every_parameter_error_is_a_400_naming_its_field(alice_client, shop, params, field):
    body = assert_error(alice_client.get("/api/v1/stats", params), 400, "VALIDATION_ERROR")
    assert [d["field"] for d in body["details"]] == [field]


def test_all_parameter_errors_are_reported_at_once(keys: Keys):
    response = api_client(keys.sk_live).get(
        "/api/v1/stats", {"start_date": "x", "group_by": "year", "currency": "eur"}
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert [d["field"] for d in body["details"]] == ["start_date", "group_by", "currency"]


def test_21st_request_in_a_minute_is_429_and_other_keys_are_unaffected(keys: Keys, alice_client):
    client = api_client(keys.sk_live)
    for _ in range(20):
        assert client.get("/api/v1/stats").status_code == 200
    response = client.get("/api/v1/stats")
    assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert api_client(keys.sk_test).get("/api/v1/stats").status_code == 200
    assert alice_client.get("/api/v1/stats").status_code == 200


def test_dashboard_users_are_counted_per_user(alice_client, bob_client):
    for _ in range(20):
        assert alice_client.get("/api/v1/stats").status_code == 200
    assert_error(alice_client.get("/api/v1/stats"), 429, "RATE_LIMIT_EXCEEDED")
    assert bob_client.get("/api/v1/stats").status_code == 200


def test_public_keys_partners_and_strangers_are_refused(keys: Keys, partner_client, anon_client):
    assert api_client(keys.pk_live).get("/api/v1/stats").status_code in (401, 403)
    assert_error(partner_client.get("/api/v1/stats"), 403, "FORBIDDEN")
    assert anon_client.get("/api/v1/stats").status_code == 401


def test_currency_override_converts_at_the_stored_rate_of_each_day(keys: Keys, shop, time_machine):
    # Stored two days before the sales, in effect a minute later.
    time_machine.move_to(DAY - timedelta(days=2), tick=False)
    fx_services.rate_set_record(
        parsed=ParsedRates(
            source="admin",
            base="USD",
            rates={"USD": Decimal(1), "EUR": Decimal("0.5"), "GBP": Decimal("0.25")},
            published_at=None,
        ),
        fetched_at=DAY - timedelta(days=2),
        source="admin",
    )
    time_machine.move_to(NOW, tick=False)
    body = (
        api_client(keys.sk_live)
        .get(
            "/api/v1/stats",
            {"start_date": "2026-04-14", "end_date": "2026-04-15", "currency": "EUR"},
        )
        .json()
    )
    # 15000 EUR as sent, and 2000 USD at 0.5 EUR per USD.
    assert body["currency"] == "EUR"
    assert body["summary"]["totalRevenueCents"] == 16000
    assert body["summary"]["commissionCents"] == 1600
    assert body["byOffer"][0]["currency"] == "EUR"


def test_amounts_no_stored_rate_converts_are_left_out_and_counted(
    keys: Keys, partner: Partner, shop
):
    # A sale in a currency no stored set has: no reporting amount, nothing to convert it.
    sale(shop["shoes"], partner, DAY, 700, currency="XAF", reporting=False)
    body = (
        api_client(keys.sk_live)
        .get("/api/v1/stats", {"start_date": "2026-04-14", "end_date": "2026-04-14"})
        .json()
    )
    assert body["summary"]["totalConversions"] == 3
    assert body["summary"]["totalRevenueCents"] == 16500
    # The sale and its commission.
    assert body["unconvertedAmounts"] == 2


def test_partner_sees_its_own_traffic_only(partner: Partner, partner_client, shop):
    body = partner_client.get("/api/v1/partner/stats", {"start_date": "2026-04-14"}).json()
    assert body["summary"]["totalClicks"] == 50
    assert body["summary"]["totalConversions"] == 2
    assert body["summary"]["totalRevenueCents"] == 16500
    assert body["byOffer"][0]["offerCode"] == "SHOES"
    other = api_client(jwt_for(shop["other"].user))
    body = other.get("/api/v1/partner/stats", {"start_date": "2026-04-14"}).json()
    assert (body["summary"]["totalClicks"], body["summary"]["totalConversions"]) == (10, 1)
    test = partner_client.get("/api/v1/partner/stats", {"mode": "test"}).json()
    assert test["summary"]["totalClicks"] == 7


def test_partner_offer_code_must_be_one_of_its_programs(partner_client, shop):
    assert partner_client.get("/api/v1/partner/stats", {"offer_code": "SHOES"}).status_code == 200
    assert_error(
        partner_client.get("/api/v1/partner/stats", {"offer_code": "SANDBOX"}), 404, "NOT_FOUND"
    )


def test_merchants_and_keys_cannot_read_partner_stats(alice_client, keys: Keys):
    assert_error(alice_client.get("/api/v1/partner/stats"), 403, "FORBIDDEN")
    assert api_client(keys.sk_live).get("/api/v1/partner/stats").status_code in (401, 403)
