"""The payment-forwarding API: validation with field details, scoping by merchant and
mode, its own rate-limit zone, and 503 without a node."""

from __future__ import annotations

import pytest

from payouts.forwarding.models import PaymentForward
from tests.conftest import api_client, assert_error
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db
URL = "/api/v1/payment-forwards"
HOOK = "http://127.0.0.1:9/hooks"


def _details(response) -> dict[str, str]:
    body = assert_error(response, 400, "VALIDATION_ERROR")
    return {d["field"]: d["message"] for d in body["details"]}


def _create(client, node_addresses, **extra):
    body = {"address": node_addresses.node.customer_address(), "webhook_url": HOOK, **extra}
    return client.post(URL, body, format="json")


@pytest.fixture
def loopback(settings):
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True


def test_create_answers_the_forward_with_a_fresh_node_address(node_addresses, sk_test, loopback):
    response = _create(sk_test, node_addresses)
    assert response.status_code == 201, response.content
    body = response.json()
    info = node_addresses.rpc("validateaddress", body["payment_address"])
    assert info["ismine"] is True
    assert (body["status"], body["mode"], body["network"]) == (
        "awaiting_payment",
        "test",
        "regtest",
    )
    assert body["webhook_secret"].startswith("whsec_")
    assert (body["received_sats"], body["transactions"]) == (0, [])
    forward = PaymentForward.objects.get()
    # The forward's webhook URL is a hidden endpoint: not among the merchant's endpoints.
    assert forward.webhook_endpoint.kind == "payment_forward"
    assert sk_test.get(URL).json()["total"] == 1


def test_a_fee_over_50_percent_and_malformed_addresses_are_refused_with_field_details(
    node_addresses, sk_test, loopback
):
    over = _create(
        sk_test, node_addresses, processing_fee_percent=50.01, processing_fee_address="x"
    )
    assert set(_details(over)) == {"processing_fee_percent"}
    response = sk_test.post(
        URL,
        {
            "address": "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            "webhook_url": HOOK,
            "processing_fee_percent": "50.5",
            "processing_fee_address": "not-an-address",
        },
        format="json",
    )
    assert "processing_fee_percent" in _details(response)
    malformed = sk_test.post(
        URL,
        {
            "address": "bcrt1qnotavalidaddress",
            "webhook_url": HOOK,
            "processing_fee_percent": 10,
            "processing_fee_address": "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        },
        format="json",
    )
    assert _details(malformed) == {
        "address": "Not a valid Bitcoin address",
        "processing_fee_address": "This is a mainnet address; forwards are sent on regtest",
    }
    three_decimals = _create(
        sk_test, node_addresses, processing_fee_percent="2.555", processing_fee_address="x"
    )
    assert "processing_fee_percent" in _details(three_decimals)
    assert PaymentForward.objects.count() == 0
    assert WebhookEndpoint.objects.count() == 0


def test_a_forward_cannot_forward_to_a_payment_address(node_addresses, sk_test, loopback):
    first = _create(sk_test, node_addresses).json()
    response = sk_test.post(
        URL, {"address": first["payment_address"], "webhook_url": HOOK}, format="json"
    )
    assert _details(response) == {"address": "This is a payment forward's own address"}
    assert PaymentForward.objects.count() == 1


def test_fee_destination_rules(node_addresses, sk_test, loopback, partner):
    no_destination = _create(sk_test, node_addresses, processing_fee_percent=5)
    assert _details(no_destination) == {
        "processing_fee_percent": "A processing fee needs processing_fee_address or partner_id"
    }
    stranger = _create(
        sk_test, node_addresses, processing_fee_percent=5, partner_id=str(partner.pk)
    )
    assert _details(stranger) == {"partner_id": "No approved partner of yours has this id"}
    assert PaymentForward.objects.count() == 0


def test_a_private_webhook_url_is_refused(node_addresses, sk_test, settings):
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = False
    assert_error(_create(sk_test, node_addresses), 422, "WEBHOOK_URL_PRIVATE_IP")
    assert PaymentForward.objects.count() == 0


def test_live_webhook_url_must_be_https(node_addresses, sk_live, loopback):
    assert_error(_create(sk_live, node_addresses), 422, "WEBHOOK_URL_NOT_HTTPS")


def test_other_merchants_and_the_other_mode_get_404_on_every_route(
    node_addresses, keys, other_keys, loopback
):
    forward = _create(api_client(keys.sk_test), node_addresses).json()
    detail = f"{URL}/{forward['id']}"
    for client in (api_client(other_keys.sk_test), api_client(keys.sk_live)):
        assert_error(client.get(detail), 404, "NOT_FOUND")
        assert client.get(URL).json()["total"] == 0
    assert_error(api_client(keys.sk_test).get(f"{URL}/not-a-uuid"), 404, "NOT_FOUND")
    assert api_client(keys.sk_test).get(detail).status_code == 200


def test_keys_other_than_secret_ones_are_refused(node_addresses, keys, alice_client):
    assert_error(api_client(keys.pk_test).get(URL), 403, "FORBIDDEN")
    assert_error(alice_client.get(URL), 401, "INVALID_API_KEY")
    assert_error(api_client("sk_test_garbage").get(URL), 401, "INVALID_API_KEY")


def test_every_request_counts_in_its_own_zone(node_addresses, keys, other_keys, settings, loopback):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "payment_forwards": "3/m"}
    client = api_client(keys.sk_test)
    assert client.post(URL, {}, format="json").status_code == 400
    assert client.get(f"{URL}/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get(URL).status_code == 200
    refused = client.get(URL)
    assert_error(refused, 429, "RATE_LIMIT_EXCEEDED")
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another key has its own count; the key's other endpoints are not limited by it.
    assert api_client(other_keys.sk_test).get(URL).status_code == 200
    assert api_client(keys.sk_test).get("/api/v1/conversions").status_code == 200


def test_without_a_node_every_route_answers_payment_forwarding_unavailable(keys, settings):
    settings.SELGEO_BITCOIN_RPC_URL = ""
    settings.SELGEO_BITCOIN_TEST_RPC_URL = ""
    client = api_client(keys.sk_test)
    body = {"address": "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "webhook_url": HOOK}
    for response in (
        client.post(URL, body, format="json"),
        client.get(URL),
        client.get(f"{URL}/00000000-0000-0000-0000-000000000000"),
    ):
        assert_error(response, 503, "PAYMENT_FORWARDING_UNAVAILABLE")
    assert PaymentForward.objects.count() == 0


def test_an_unreachable_node_is_unavailable_not_an_error(keys, settings, loopback):
    settings.SELGEO_BITCOIN_TEST_RPC_URL = "http://u:p@127.0.0.1:9/wallet/none"
    settings.SELGEO_BITCOIN_TEST_NETWORK = "regtest"
    body = {"address": "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "webhook_url": HOOK}
    response = api_client(keys.sk_test).post(URL, body, format="json")
    assert_error(response, 503, "PAYMENT_FORWARDING_UNAVAILABLE")
    assert PaymentForward.objects.count() == 0
