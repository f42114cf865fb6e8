"""The dialect's reads against the reference's example responses, field by field:
conversions (list, filters, cursors, get), offers, profile, stats and health."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversions.models import Conversion
from tests.compat.conftest import BASE, assert_dialect_error, report, shape
from tests.conversions.factories import ClickFactory

pytestmark = pytest.mark.django_db

REFERENCE_CONVERSION = {
    "id": "conv_x7k9m2p4",
    "offerCode": "MYOFFER123",
    "vendorTxId": "ORDER-98765",
    "currency": "USD",
    "saleAmountCents": 14999,
    "advertiserPayoutCents": 3000,
    "status": "approved",
    "createdAt": 1706234567890,
}
REFERENCE_LIST = {
    "success": True,
    "data": [REFERENCE_CONVERSION],
    "meta": {"pagination": {"hasMore": True, "nextCursor": "..."}},
}
REFERENCE_STATS = {
    "success": True,
    "data": {
        "summary": {
            "totalClicks": 12500,
            "totalConversions": 487,
            "approvedConversions": 412,
            "totalRevenueCents": 1236000,
            "conversionRate": "3.90",
        },
        "byOffer": [
            {
                "offerCode": "MYOFFER123",
                "offerName": "My Product Offer",
                "currency": "USD",
                "clicks": 5000,
                "conversions": 200,
                "revenueCents": 600000,
            }
        ],
        "timeSeries": [{"date": "2024-01-25", "clicks": 450, "conversions": 18}],
    },
}


def _report(live, offer, partner, txid: str, amount: str = "149.99") -> Conversion:
    click = ClickFactory(program=offer, partner=partner)
    response = report(live, offer_code=offer.code, click_id=str(click.pk), txid=txid, amount=amount)
    assert response.json()["data"]["tracked"] is True
    return Conversion.objects.get(external_transaction_id=txid)


def test_list_and_get_answer_the_reference_shapes(live, offer, partner):
    conversion = _report(live, offer, partner, "ORDER-98765")
    _report(live, offer, partner, "ORDER-2")

    page = live.get(f"{BASE}/api/v1/conversions", {"limit": 1})
    one = live.get(f"{BASE}/api/v1/conversions/{conversion.pk}")

    assert page.status_code == 200 and one.status_code == 200
    assert shape(page.json()) == shape(REFERENCE_LIST)
    expected = {
        "id": str(conversion.pk),
        "offerCode": "MYOFFER123",
        "vendorTxId": "ORDER-98765",
        "currency": "USD",
        "saleAmountCents": 14999,
        "advertiserPayoutCents": 1500,
        "status": "pending",
        "createdAt": int(conversion.created_at.timestamp() * 1000),
    }
    assert one.json() == {"success": True, "data": expected}
    assert shape(one.json()["data"]) == shape(REFERENCE_CONVERSION)


def test_the_cursor_walks_every_conversion_once_newest_first(live, offer, partner):
    txids = [f"O-{n}" for n in range(5)]
    for txid in txids:
        _report(live, offer, partner, txid)

    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = live.get(f"{BASE}/api/v1/conversions", params).json()
        seen += [row["vendorTxId"] for row in body["data"]]
        pagination = body["meta"]["pagination"]
        if not pagination["hasMore"]:
            assert pagination["nextCursor"] is None
            break
        cursor = pagination["nextCursor"]

    assert seen == list(reversed(txids))


def test_conversions_filter_by_offer_status_and_dates(live, offer, cpa_offer, partner):
    first = _report(live, offer, partner, "A")
    Conversion.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=3))
    _report(live, offer, partner, "B")
    cpa_click = ClickFactory(program=cpa_offer, partner=partner)
    report(live, offer_code="SIGNUP30", click_id=str(cpa_click.pk), customer_id="c", txid="C")
    report(live, offer_code="SIGNUP30", click_id=str(cpa_click.pk), customer_id="d", txid="D")
    first.refresh_from_db()

    def txids(**params):
        response = live.get(f"{BASE}/api/v1/conversions", params)
        assert response.status_code == 200, response.content
        return sorted(row["vendorTxId"] for row in response.json()["data"])

    assert txids(offer_code="MYOFFER123") == ["A", "B"]
    assert txids(status="rejected") == ["D"]
    assert txids(status="pending") == ["A", "B", "C"]
    assert txids(status="approved") == []
    created = int(first.created_at.timestamp() * 1000)
    assert txids(end_date=created) == ["A"]
    assert txids(start_date=created + 1) == ["B", "C", "D"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 501}, "limit must be an integer from 1 to 500"),
        ({"limit": "ten"}, "limit must be an integer from 1 to 500"),
        ({"status": "paid"}, "status must be one of: pending, approved, rejected, reversed"),
        ({"start_date": "2024-01-01"}, None),
        ({"cursor": "not-a-cursor"}, "Invalid cursor"),
    ],
)
def test_bad_list_parameters_are_validation_errors(live, params, message):
    response = live.get(f"{BASE}/api/v1/conversions", params)
    assert_dialect_error(response, 400, "VALIDATION_ERROR", message)


def test_offers_list_and_get_answer_the_reference_shapes(live, offer, cpa_offer):
    listed = live.get(f"{BASE}/api/v1/offers").json()
    one = live.get(f"{BASE}/api/v1/offers/SIGNUP30").json()

    assert listed["data"] == [
        {
            "code": "MYOFFER123",
            "name": "My Product Offer",
            "status": "published",
            "currency": "USD",
            "commissionType": "cps",
            "payoutTerms": {"advertiserPayoutPercent": "10.00"},
        },
        {
            "code": "SIGNUP30",
            "name": "Signups",
            "status": "published",
            "currency": "USD",
            "commissionType": "cpa",
            "payoutTerms": {"advertiserPayoutCents": 3000},
        },
    ]
    assert listed["meta"] == {"pagination": {"hasMore": False, "nextCursor": None}}
    assert one == {
        "success": True,
        "data": {
            "code": "SIGNUP30",
            "name": "Signups",
            "status": "published",
            "currency": "USD",
            "commissionType": "cpa",
            "primaryUrl": "https://shop.example.com/landing",
            "payoutTerms": {"advertiserPayoutCents": 3000},
        },
    }
    assert live.get(f"{BASE}/api/v1/offers", {"status": "paused"}).json()["data"] == []
    second = live.get(f"{BASE}/api/v1/offers", {"limit": 1}).json()
    assert [o["code"] for o in second["data"]] == ["MYOFFER123"]
    after = live.get(
        f"{BASE}/api/v1/offers", {"cursor": second["meta"]["pagination"]["nextCursor"]}
    )
    assert [o["code"] for o in after.json()["data"]] == ["SIGNUP30"]
    assert_dialect_error(
        live.get(f"{BASE}/api/v1/offers", {"limit": 101}),
        400,
        "VALIDATION_ERROR",
        "limit must be an integer from 1 to 100",
    )


def test_profile_answers_the_reference_shape(live, alice, merchant):
    response = live.get(f"{BASE}/api/v1/profile")

    assert response.json() == {
        "success": True,
        "data": {
            "companyName": "Acme",
            "contactEmail": alice.email,
            "status": "approved",
            "hasApiKey": True,
        },
    }


def test_health_needs_no_key_and_answers_the_reference_shape(anon_client):
    response = anon_client.get(f"{BASE}/health")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "timestamp"} and body["status"] == "ok"
    assert abs(body["timestamp"] - timezone.now().timestamp() * 1000) < 60_000


def test_stats_answer_the_reference_shape_with_selgeos_figures(live, offer, partner):
    for _ in range(3):
        ClickFactory(program=offer, partner=partner)
    _report(live, offer, partner, "S1", amount="100.00")
    _report(live, offer, partner, "S2", amount="50.00")

    response = live.get(f"{BASE}/api/v1/stats")

    assert response.status_code == 200
    body = response.json()
    assert shape(body["data"]["byOffer"]) == shape(REFERENCE_STATS["data"]["byOffer"])
    assert shape(body["data"]["timeSeries"]) == shape(REFERENCE_STATS["data"]["timeSeries"])
    summary = body["data"]["summary"]
    assert set(summary) == set(REFERENCE_STATS["data"]["summary"]) | {"currency"}
    today = timezone.now().date().isoformat()
    assert body["data"]["byOffer"] == [
        {
            "offerCode": "MYOFFER123",
            "offerName": "My Product Offer",
            "currency": "USD",
            "clicks": 5,
            "conversions": 2,
            "revenueCents": 15000,
        }
    ]
    assert body["data"]["timeSeries"] == [{"date": today, "clicks": 5, "conversions": 2}]
    assert summary["totalClicks"] == 5
    assert summary["totalConversions"] == 2
    assert summary["approvedConversions"] == 0
    assert summary["conversionRate"] == "40.00"


def test_stats_group_by_month_and_refuse_a_reversed_range(live, offer, partner):
    _report(live, offer, partner, "M1")
    month = timezone.now().date().replace(day=1).isoformat()

    grouped = live.get(f"{BASE}/api/v1/stats", {"group_by": "month"}).json()
    assert [point["date"] for point in grouped["data"]["timeSeries"]] == [month]
    now = int(timezone.now().timestamp() * 1000)
    assert_dialect_error(
        live.get(f"{BASE}/api/v1/stats", {"start_date": now, "end_date": now - 1}),
        400,
        "VALIDATION_ERROR",
        "start_date must not be after end_date",
    )
    assert_dialect_error(
        live.get(f"{BASE}/api/v1/stats", {"offer_code": "NOPE"}),
        400,
        "VALIDATION_ERROR",
        "Offer not found",
    )


def test_the_latest_dates_and_a_forged_cursor_are_answered_not_crashed(live, offer):
    import base64
    import json

    latest = 253_402_214_399_999
    assert live.get(f"{BASE}/api/v1/conversions", {"end_date": latest}).status_code == 200
    assert live.get(f"{BASE}/api/v1/stats", {"end_date": latest}).status_code == 200
    assert_dialect_error(
        live.get(f"{BASE}/api/v1/stats", {"end_date": latest + 1}),
        400,
        "VALIDATION_ERROR",
        f"end_date must be an integer from 0 to {latest}",
    )
    naive = base64.urlsafe_b64encode(
        json.dumps(["2024-01-01T00:00:00", "6f1c2d3e-4b5a-4c6d-8e7f-901234567890"]).encode()
    ).decode()
    assert_dialect_error(
        live.get(f"{BASE}/api/v1/conversions", {"cursor": naive}),
        400,
        "VALIDATION_ERROR",
        "Invalid cursor",
    )
