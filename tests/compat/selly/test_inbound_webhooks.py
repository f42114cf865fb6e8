"""The shop's order webhooks at the merchant's secret inbound URL: paid orders become
conversions, chargebacks reverse them, everything is logged, nothing is a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from standardwebhooks import Webhook

from accounts.models import Merchant, Partner
from compat.selly import services
from compat.selly.models import InboundDelivery, InboundEndpoint
from conversions.models import Commission, Conversion
from partners.models import ReferralCode
from tests.compat.selly.conftest import post_webhook
from tests.compat.selly.reference import ORDER
from tests.conversions.factories import (
    ApplicationFactory,
    ProgramFactory,
    PromoCodeFactory,
    ReferralCodeFactory,
)
from tests.products.conftest import make_product
from tests.webhooks.receiver import Receiver
from tracking.models import Click
from webhooks import services as webhook_services
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def paid(order_id: str = "ord-1", **fields: Any) -> dict[str, Any]:
    """The reference's order object, paid, referred by Anna, 49.00 EUR."""
    return {
        **ORDER,
        "id": order_id,
        "value": "49.00",
        "currency": "EUR",
        "referral": "anna",
        "webhook_type": 1,
        **fields,
    }


def url_of(merchant: Merchant, mode: str) -> str:
    endpoint = services.inbound_endpoint_ensure(merchant=merchant, mode=mode)
    return f"/compat/selly/webhooks/{endpoint.token}"


def chargeback(order_id: str = "ord-1") -> dict[str, Any]:
    return {**ORDER, "id": order_id, "webhook_type": 2, "status": 52}


@pytest.fixture
def receiver(settings: Any) -> Any:
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    server = Receiver().start()
    yield server
    server.stop()


def test_an_order_paid_then_charged_back_ends_reversed_with_selgeos_webhooks_for_both(
    merchant: Merchant,
    partner: Partner,
    receiver: Receiver,
    tasks_inline: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    program = ProgramFactory(merchant=merchant, mode="test", code="SHOP-T")
    ApplicationFactory(program=program, partner=partner)
    ReferralCodeFactory(program=program, partner=partner, code="anna")
    endpoint = webhook_services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    url = url_of(merchant, "test")

    with django_capture_on_commit_callbacks(execute=True):
        first = post_webhook(url, paid())
    with django_capture_on_commit_callbacks(execute=True):
        second = post_webhook(url, chargeback())

    assert first.status_code == 200
    assert first.json()["outcome"] == "recorded"
    assert second.status_code == 200
    assert second.json()["outcome"] == "reversed"
    conversion = Conversion.objects.get()
    assert (conversion.mode, conversion.external_transaction_id) == ("test", "ord-1")
    assert (conversion.amount_cents, conversion.currency, conversion.attributed) == (
        4900,
        "EUR",
        True,
    )
    assert (conversion.status, conversion.reversal_reason) == ("reversed", "chargeback")
    commission = Commission.objects.get()
    assert (commission.partner_id, commission.amount_cents, commission.status) == (
        partner.pk,
        490,
        "reversed",
    )
    assert Click.objects.get().referral_code.code == "anna"
    types = [
        "conversion.created",
        "commission.created",
        "conversion.reversed",
        "commission.reversed",
    ]
    assert sorted(
        Event.objects.filter(merchant=merchant, mode="test").values_list("type", flat=True)
    ) == sorted(types)
    delivered = [Webhook(endpoint.secret).verify(r.body, r.headers) for r in receiver.requests]
    assert sorted((p["type"], p["data"]["id"]) for p in delivered) == sorted(
        [
            ("conversion.created", str(conversion.pk)),
            ("commission.created", str(commission.pk)),
            ("conversion.reversed", str(conversion.pk)),
            ("commission.reversed", str(commission.pk)),
        ]
    )
    reversed_event = next(p for p in delivered if p["type"] == "conversion.reversed")
    assert reversed_event["data"]["reversal_reason"] == "chargeback"


def test_retries_of_the_same_order_record_it_once(
    inbound_url: str, anna_code: ReferralCode
) -> None:
    answers = [post_webhook(inbound_url, paid()) for _ in range(3)]
    reversals = [post_webhook(inbound_url, chargeback()) for _ in range(2)]

    assert [a.json()["outcome"] for a in answers] == ["recorded", "duplicate", "duplicate"]
    assert [r.json()["outcome"] for r in reversals] == ["reversed", "duplicate"]
    assert all(a.status_code == 200 for a in [*answers, *reversals])
    assert Conversion.objects.count() == 1
    assert Click.objects.count() == 1
    assert Commission.objects.get().status == "reversed"
    assert Event.objects.filter(type="conversion.reversed").count() == 1
    assert InboundDelivery.objects.count() == 5


def test_a_direct_order_is_acknowledged_and_credits_nobody(inbound_url: str) -> None:
    response = post_webhook(inbound_url, paid(referral="Direct"))

    assert response.status_code == 200
    assert response.json()["outcome"] == "acknowledged"
    assert not Conversion.objects.exists()
    assert InboundDelivery.objects.get().messages == [
        "A direct order: no partner referred it, so there is no conversion to record."
    ]


def test_a_promo_code_referral_attributes_through_the_promo_code(
    inbound_url: str, program: Any, partner: Partner
) -> None:
    ApplicationFactory(program=program, partner=partner)
    PromoCodeFactory(program=program, partner=partner, code="ANNA10")

    response = post_webhook(inbound_url, paid(referral="ANNA10"))

    assert response.json()["outcome"] == "recorded"
    conversion = Conversion.objects.get()
    assert conversion.attributed and conversion.promo_code.code == "ANNA10"
    assert not Click.objects.exists()


def test_an_unknown_referral_is_recorded_unattributed_with_its_reason(inbound_url: str) -> None:
    response = post_webhook(inbound_url, paid(referral="nobody"))

    assert response.json()["outcome"] == "recorded"
    conversion = Conversion.objects.get()
    assert not conversion.attributed
    assert conversion.attribution_explanation["code"] == "promo_code_unknown"
    assert not Commission.objects.exists()


def test_a_product_of_the_order_applies_its_commission_rule(
    inbound_url: str, anna_code: ReferralCode, merchant: Merchant
) -> None:
    make_product(merchant, code="upgrade", commission_rule="cpa", commission_cpa_amount_cents=300)

    post_webhook(inbound_url, paid(product_id="upgrade", quantity=2))

    assert Commission.objects.get().amount_cents == 600


@pytest.mark.parametrize(
    ("body", "messages"),
    [
        ("not json", ["The body is not JSON: send the order object with its webhook_type"]),
        ("[1, 2]", ["The body must be a JSON object (the order with its webhook_type)"]),
        (
            {"id": "x"},
            [
                "webhook_type must be 1 (order paid), 2 (order chargeback), 3 (dynamic product), "
                "4 (product out of stock) or 5 (product reached warning stock)"
            ],
        ),
        (
            {"webhook_type": 1, "value": "1.00", "currency": "USD"},
            ["id (the order's id) is required: a string of at most 255 characters"],
        ),
        (
            {"webhook_type": 1, "id": "o", "value": "3.999", "currency": "USD"},
            [
                "value must be a non-negative amount in USD with at most 2 decimals, such as "
                "\"3.99\" (got '3.999')"
            ],
        ),
        (
            {"webhook_type": 1, "id": "o", "value": "-1", "currency": "USD"},
            [
                "value must be a non-negative amount in USD with at most 2 decimals, such as "
                "\"3.99\" (got '-1')"
            ],
        ),
        (
            {"webhook_type": 1, "id": "o", "value": "1", "currency": "usd", "created_at": "soon"},
            [
                "currency must be an ISO 4217 code in upper case, such as USD",
                "created_at must be an ISO 8601 time, such as 2017-03-14T23:27:54.000Z",
            ],
        ),
        (
            {"webhook_type": 2},
            ["id (the order's id) is required: a string of at most 255 characters"],
        ),
    ],
)
def test_a_malformed_body_is_a_clear_400_logged_for_the_merchant(
    inbound_url: str, anna_code: ReferralCode, body: Any, messages: list[str]
) -> None:
    response = post_webhook(inbound_url, body)

    assert response.status_code == 400
    assert response.json() == {"status": False, "error": messages}
    logged = InboundDelivery.objects.get()
    assert (logged.outcome, logged.messages) == ("rejected", messages)
    assert logged.body == (body if isinstance(body, str) else json.dumps(body))
    assert not Conversion.objects.exists()
    assert not Click.objects.exists()


def test_an_exact_number_value_is_taken_to_the_cent(inbound_url: str, anna_code: Any) -> None:
    post_webhook(
        inbound_url,
        '{"webhook_type": 1, "id": "n1", "value": 0.1, "currency": "EUR", "referral": "anna"}',
    )

    assert Conversion.objects.get().amount_cents == 10


@pytest.mark.parametrize("webhook_type", [3, 4, 5])
def test_the_other_types_are_recorded_and_acknowledged(inbound_url: str, webhook_type: int) -> None:
    response = post_webhook(inbound_url, {"webhook_type": webhook_type, "id": "7b84a62b"})

    assert response.status_code == 200
    assert response.json()["outcome"] == "acknowledged"
    assert InboundDelivery.objects.get().webhook_type == webhook_type
    assert not Conversion.objects.exists()


def test_a_chargeback_of_an_order_never_recorded_is_acknowledged(inbound_url: str) -> None:
    response = post_webhook(inbound_url, chargeback("unknown"))

    assert response.status_code == 200
    assert response.json()["messages"] == [
        "No conversion was recorded for this order: nothing to reverse."
    ]


def test_a_rotated_url_stops_working_and_the_new_one_works(
    merchant: Merchant, inbound: InboundEndpoint, anna_code: Any
) -> None:
    old = f"/compat/selly/webhooks/{inbound.token}"
    rotated = services.inbound_endpoint_rotate(merchant=merchant, mode="live")

    refused = post_webhook(old, paid())
    accepted = post_webhook(f"/compat/selly/webhooks/{rotated.token}", paid())

    assert (refused.status_code, refused.json()) == (
        404,
        {"status": False, "error": ["Unknown webhook URL"]},
    )
    assert accepted.json()["outcome"] == "recorded"
    assert rotated.token != inbound.token


def test_one_modes_url_never_touches_the_other_modes_orders(
    merchant: Merchant, inbound_url: str, anna_code: Any
) -> None:
    test_url = url_of(merchant, "test")
    assert post_webhook(inbound_url, paid()).json()["outcome"] == "recorded"

    # The live order is unknown in test mode, and a live referral code attributes nothing there.
    assert post_webhook(test_url, chargeback()).json()["outcome"] == "acknowledged"
    assert post_webhook(test_url, paid("ord-2")).json()["outcome"] == "recorded"

    live, test = Conversion.objects.get(mode="live"), Conversion.objects.get(mode="test")
    assert (live.status, live.attributed) == ("pending", True)
    assert not test.attributed
    assert Click.objects.count() == 1


def test_another_merchants_url_records_for_that_merchant_only(
    other_merchant: Merchant, inbound_url: str, anna_code: Any
) -> None:
    theirs = services.inbound_endpoint_ensure(merchant=other_merchant, mode="live")

    post_webhook(f"/compat/selly/webhooks/{theirs.token}", paid())

    conversion = Conversion.objects.get()
    assert conversion.merchant_id == other_merchant.pk and not conversion.attributed


def test_the_url_takes_posts_only(inbound_url: str) -> None:
    response = Client().get(inbound_url)

    assert response.status_code == 405
    assert response.json()["status"] is False


def test_a_body_too_large_for_an_order_is_refused_unread_and_logged(inbound_url: str) -> None:
    response = post_webhook(inbound_url, json.dumps({"webhook_type": 1, "pad": "x" * 70_000}))

    assert response.status_code == 400
    [message] = response.json()["error"]
    assert message.endswith("an order webhook is at most 65536 bytes")
    logged = InboundDelivery.objects.get()
    assert (logged.outcome, logged.body) == ("rejected", "")
