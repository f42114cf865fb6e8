"""Reporting amounts in the API and in webhook events: every conversion and commission the
merchant reads carries `reporting_currency`, `reporting_rate` and `reporting_amount_cents`
beside the original `amount_cents` and `currency`; the partner's commissions do not."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Merchant
from conversions.models import Commission
from fx.services import reporting_currency_set
from tests.conversions.conftest import body, post
from tests.conversions.test_reporting_amounts import usd_set
from tracking.models import Click
from webhooks.examples import commission_example, conversion_example
from webhooks.models import Event

pytestmark = pytest.mark.django_db

# 49.00 EUR at the snapshot's 1.1476 USD per EUR; the 10% commission 4.90 EUR.
SALE = {
    "amount_cents": 4900,
    "currency": "EUR",
    "reporting_currency": "USD",
    "reporting_rate": "1.1476",
    "reporting_amount_cents": 5623,
}
COMMISSION = {**SALE, "amount_cents": 490, "reporting_amount_cents": 562}
REPORTING = ("reporting_currency", "reporting_rate", "reporting_amount_cents")


def _money(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in ("amount_cents", "currency", *REPORTING)}


def test_the_conversion_api_returns_the_reporting_amounts(
    sk_live: APIClient, alice_client: APIClient, click: Click
) -> None:
    created = post(sk_live, body(click_id=str(click.pk)))

    assert created.status_code == 201, created.content
    data = created.json()
    assert _money(data) == SALE
    assert _money(data["commission"]) == COMMISSION
    # The keys follow the original amount, in this order.
    keys = list(data)
    assert keys[keys.index("currency") + 1 : keys.index("currency") + 4] == list(REPORTING)
    read = sk_live.get(f"/api/v1/conversions/{data['id']}").json()
    assert _money(read) == SALE
    listed = alice_client.get("/api/v1/conversions").json()["data"][0]
    assert _money(listed) == SALE


def test_the_commission_api_returns_them_to_the_merchant_only(
    sk_live: APIClient, alice_client: APIClient, partner_client: APIClient, click: Click
) -> None:
    post(sk_live, body(click_id=str(click.pk)))
    commission = Commission.objects.get()

    merchant_side = alice_client.get(f"/api/v1/commissions/{commission.pk}").json()
    partner_side = partner_client.get(f"/api/v1/partner/commissions/{commission.pk}").json()

    assert _money(merchant_side) == COMMISSION
    assert partner_side["amount_cents"] == 490
    assert not set(REPORTING) & set(partner_side)


def test_webhook_events_carry_the_same_amounts(sk_live: APIClient, click: Click) -> None:
    post(sk_live, body(click_id=str(click.pk)))

    events = {event.type: event.payload["data"] for event in Event.objects.all()}

    assert _money(events["conversion.created"]) == SALE
    assert _money(events["conversion.created"]["commission"]) == COMMISSION
    assert _money(events["commission.created"]) == COMMISSION


def test_the_event_examples_show_what_a_delivery_carries(sk_live: APIClient, click: Click) -> None:
    post(sk_live, body(click_id=str(click.pk)))
    delivered = {event.type: event.payload["data"] for event in Event.objects.all()}

    assert _money(conversion_example(mode="live")) == _money(delivered["conversion.created"])
    assert _money(commission_example(mode="live")) == _money(delivered["commission.created"])


def test_without_a_stored_rate_the_rate_and_amount_are_null(
    sk_live: APIClient, click: Click, merchant: Merchant
) -> None:
    reporting_currency_set(merchant=merchant, currency="AED")

    data = post(sk_live, body(click_id=str(click.pk))).json()

    assert _money(data) == {
        "amount_cents": 4900,
        "currency": "EUR",
        "reporting_currency": "AED",
        "reporting_rate": None,
        "reporting_amount_cents": None,
    }


def test_a_zero_decimal_reporting_currency(
    sk_live: APIClient, click: Click, merchant: Merchant
) -> None:
    reporting_currency_set(merchant=merchant, currency="JPY")

    data = post(sk_live, body(click_id=str(click.pk))).json()

    # 49.00 EUR * 182.85 = 8959.65 yen, half to even on the whole yen; 4.90 EUR = 895.965.
    assert (data["reporting_currency"], data["reporting_rate"]) == ("JPY", "182.85")
    assert data["reporting_amount_cents"] == 8960
    assert data["commission"]["reporting_amount_cents"] == 896


def test_a_three_decimal_reporting_currency(
    sk_live: APIClient, click: Click, merchant: Merchant
) -> None:
    usd_set({"EUR": "0.8", "KWD": "0.30712"})
    reporting_currency_set(merchant=merchant, currency="KWD")

    data = post(sk_live, body(click_id=str(click.pk))).json()

    # 0.30712 / 0.8 = 0.3839 KWD per EUR: 49.00 EUR = 18.8111 KWD = 18811 fils, and
    # 4.90 EUR = 1.88111 KWD = 1881 fils.
    assert (data["reporting_currency"], data["reporting_rate"]) == ("KWD", "0.3839")
    assert data["reporting_amount_cents"] == 18811
    assert data["commission"]["reporting_amount_cents"] == 1881


def test_the_openapi_document_declares_them(alice_client: APIClient) -> None:
    schemas = alice_client.get("/api/v1/openapi.json").json()["components"]["schemas"]

    for name in ("ConversionOut", "CommissionOut", "CommissionBriefOut"):
        properties = schemas[name]["properties"]
        assert properties["reporting_currency"]["nullable"] is True, name
        assert properties["reporting_rate"]["type"] == "string", name
        assert properties["reporting_amount_cents"]["type"] == "integer", name
        assert "never recomputed" in properties["reporting_amount_cents"]["description"]
        assert set(REPORTING) <= set(schemas[name]["required"]), name
    assert not set(REPORTING) & set(schemas["PartnerCommissionOut"]["properties"])
