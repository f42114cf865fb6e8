"""Payments on the regtest node: several to one address, a partner's fee, a payment too
small for its miner fee."""

from __future__ import annotations

import json

import pytest
from standardwebhooks import Webhook

from payouts import services as payout_services
from payouts.forwarding.models import ForwardedPayment
from payouts.tasks import forwarding_watch
from tests.webhooks.test_event_examples import assert_same_shape
from webhooks import catalogue

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/api/v1/payment-forwards"


def _create(client, receiver, forwarding, **extra):
    body = {
        "address": forwarding.node.customer_address(),
        "webhook_url": receiver.url,
        **extra,
    }
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _sends_labelled(forwarding, label: str) -> list[str]:
    listed = forwarding.rpc("listsinceblock", "", 1)["transactions"]
    return sorted(
        {e["txid"] for e in listed if e["category"] == "send" and e.get("comment") == label}
    )


def test_two_payments_to_one_address_are_each_forwarded_once(forwarding, receiver, sk_test):
    forward = _create(sk_test, receiver, forwarding)
    first = forwarding.node.pay(forward["payment_address"], "0.1")
    second = forwarding.node.pay(forward["payment_address"], "0.3")
    forwarding.node.mine(1)
    forwarding_watch()
    forwarding_watch()  # a second look changes nothing
    payments = {p.txid: p for p in ForwardedPayment.objects.all()}
    assert set(payments) == {first, second}
    assert {p.status for p in payments.values()} == {"sent"}
    forwards = {p.forward_txid for p in payments.values()}
    assert len(forwards) == 2
    for payment in payments.values():
        assert _sends_labelled(forwarding, payment.label) == [payment.forward_txid]
        raw = forwarding.rpc("getrawtransaction", payment.forward_txid, 1)
        (out,) = raw["vout"]
        assert out["scriptPubKey"]["addresses"] == [forward["address"]]
        assert payment.forward_to_sats == payment.amount_sats - payment.miner_fee_sats
        assert round(out["value"] * 100_000_000) == payment.forward_to_sats
    # Confirmations 0 and 1 of each payment (seen first at 1: both announced).
    calls = [json.loads(r.body)["data"] for r in receiver.requests]
    assert sorted((c["txid"], c["confirmation"]) for c in calls) == sorted(
        [(first, 0), (first, 1), (second, 0), (second, 1)]
    )
    detail = sk_test.get(f"{URL}/{forward['id']}").json()
    assert detail["received_sats"] == 40_000_000
    assert detail["status"] == "forwarded"


def test_a_partners_fee_goes_to_its_bitcoin_payout_address(
    forwarding, receiver, sk_test, test_program, partner
):
    from partners.models import ApplicationStatus
    from tests.partners.factories import ApplicationFactory

    ApplicationFactory(program=test_program, partner=partner, status=ApplicationStatus.APPROVED)
    partner_address = forwarding.node.customer_address()
    payout_services.payout_account_replace(
        partner=partner, method="bitcoin", details={"address": partner_address}
    )
    forward = _create(
        sk_test, receiver, forwarding, processing_fee_percent="33.33", partner_id=str(partner.pk)
    )
    assert forward["processing_fee_address"] == partner_address
    forwarding.node.pay(forward["payment_address"], "0.00123457")
    forwarding.node.mine(1)
    forwarding_watch()
    payment = ForwardedPayment.objects.get()
    # 33.33% of 123457 sats is 41148.2181: rounded down to the satoshi.
    assert payment.processing_fee_sats == 41148
    raw = forwarding.rpc("getrawtransaction", payment.forward_txid, 1)
    outputs = {
        o["scriptPubKey"]["addresses"][0]: round(o["value"] * 100_000_000) for o in raw["vout"]
    }
    assert outputs == {
        forward["address"]: 123457 - 41148 - payment.miner_fee_sats,
        partner_address: 41148,
    }


def test_a_payment_smaller_than_its_miner_fee_fails_and_is_reported(forwarding, receiver, sk_test):
    forward = _create(
        sk_test,
        receiver,
        forwarding,
        processing_fee_percent=50,
        processing_fee_address=forwarding.node.customer_address(),
    )
    forwarding.node.pay(forward["payment_address"], "0.00000600")
    forwarding.node.mine(1)
    forwarding_watch()
    forwarding_watch()
    payment = ForwardedPayment.objects.get()
    assert payment.status == "failed"
    assert payment.failure_reason.startswith("The miner fee exceeds the forward-to output")
    assert (payment.forward_txid, payment.label) == ("", f"selgeo-forward:{payment.pk}")
    assert _sends_labelled(forwarding, payment.label) == []
    failed = [
        r for r in receiver.requests if json.loads(r.body)["type"] == "payment_forward.failed"
    ]
    assert len(failed) == 1
    Webhook(forward["webhook_secret"]).verify(failed[0].body, failed[0].headers)
    assert json.loads(failed[0].body)["data"]["reason"] == payment.failure_reason
    example = catalogue.example_payload("payment_forward.failed", mode="test")
    assert_same_shape(example["data"], json.loads(failed[0].body)["data"])
    assert sk_test.get(f"{URL}/{forward['id']}").json()["status"] == "failed"
