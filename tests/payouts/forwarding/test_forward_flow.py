"""A payment to a forward's address, end to end on a regtest node: seven signed webhook
calls (confirmations 0-6) and one forwarding transaction split as promised."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from standardwebhooks import Webhook

from payouts.forwarding import services
from payouts.forwarding.models import ForwardedPayment
from payouts.tasks import forwarding_watch
from tests.webhooks.test_event_examples import assert_same_shape
from webhooks import catalogue

pytestmark = pytest.mark.django_db(transaction=True)


def _create(client, address: str, url: str, **extra):
    response = client.post(
        "/api/v1/payment-forwards",
        {"address": address, "webhook_url": url, **extra},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _outputs(forwarding, txid: str) -> dict[str, int]:
    raw = forwarding.rpc("getrawtransaction", txid, 1)
    outputs: dict[str, int] = {}
    for out in raw["vout"]:
        (address,) = out["scriptPubKey"]["addresses"]
        outputs[address] = int(Decimal(str(out["value"])) * 100_000_000)
    return outputs


def test_a_payment_gets_seven_signed_calls_and_one_split_forward(forwarding, receiver, sk_test):
    merchant_address = forwarding.node.customer_address()
    fee_address = forwarding.node.customer_address()
    created = _create(
        sk_test,
        merchant_address,
        receiver.url,
        processing_fee_percent="12.5",
        processing_fee_address=fee_address,
    )
    assert created["status"] == "awaiting_payment"
    payment_txid = forwarding.node.pay(created["payment_address"], "0.25")

    forwarding_watch()  # seen, 0 confirmations: announced, not yet spendable
    payment = ForwardedPayment.objects.get()
    assert (payment.txid, payment.amount_sats, payment.status) == (
        payment_txid,
        25_000_000,
        "waiting",
    )
    forwarding.node.mine(1)
    forwarding_watch()  # confirmation 1: announced and forwarded
    payment.refresh_from_db()
    assert payment.status == "sent", payment.failure_reason
    forwarding.node.mine(5)
    forwarding_watch()  # confirmations 2 to 6 at once
    forwarding.node.mine(1)
    forwarding_watch()  # a seventh confirmation is not announced

    secret = created["webhook_secret"]
    bodies = []
    for request in receiver.requests:
        Webhook(secret).verify(request.body, request.headers)
        bodies.append(json.loads(request.body))
    # Exactly one call per confirmation; deliveries to one endpoint go out side by side,
    # so they may arrive in any order (each carries its confirmation number).
    assert sorted(b["data"]["confirmation"] for b in bodies) == [0, 1, 2, 3, 4, 5, 6]
    assert {b["type"] for b in bodies} == {"payment_forward.confirmation"}
    assert {b["data"]["forward"]["id"] for b in bodies} == {created["id"]}
    assert {b["data"]["txid"] for b in bodies} == {payment_txid}
    example = catalogue.example_payload("payment_forward.confirmation", mode="test")
    for body in bodies:
        assert set(body) == set(example)
        assert_same_shape(example["data"], body["data"])

    payment.refresh_from_db()
    fee = 3_125_000
    assert payment.processing_fee_sats == fee
    assert payment.miner_fee_sats > 0
    assert payment.forward_to_sats == 25_000_000 - fee - payment.miner_fee_sats
    assert _outputs(forwarding, payment.forward_txid) == {
        merchant_address: payment.forward_to_sats,
        fee_address: fee,
    }
    detail = sk_test.get(f"/api/v1/payment-forwards/{created['id']}").json()
    assert detail["status"] == "forwarded"
    # Followed up to the last announced confirmation.
    assert detail["transactions"][0]["confirmations"] == 6
    assert detail["transactions"][0]["forward"]["txid"] == payment.forward_txid
    assert services.forwarding_watch() == []
