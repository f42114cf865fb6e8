"""Payment-forwarding pages: the merchant's forwards with confirmations and transaction
links, the node's configuration, and a partner's forwarded fees in the portal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from payouts.forwarding.models import ForwardedPayment, PaymentForward
from tests.dashboard.conftest import browser, page
from webhooks import services as webhook_services

pytestmark = pytest.mark.django_db
PAYMENT_TXID = "b215e9cf9fd2035daec6fa6c4197f3eab8788315169662fe0fcffaccdc3313ba"
FORWARD_TXID = "eea491f5ffb25b7f2f25cb511389a6aeac71ae795ccd7ce720b3f46b4b364010"


@pytest.fixture
def forward(merchant, partner, settings):
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    endpoint = webhook_services.endpoint_create_for_payment_forward(
        merchant=merchant, mode="test", url="http://127.0.0.1/hooks"
    )
    forward = PaymentForward.objects.create(
        merchant=merchant,
        mode="test",
        address="tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
        network="testnet",
        payment_address="mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn",
        webhook_url=endpoint.url,
        webhook_endpoint=endpoint,
        processing_fee_percent=10,
        processing_fee_address="mzBc4XEFSdzCDcTxAgf6EZXgsZWpztRhef",
        partner=partner,
        expires_at=timezone.now() + timedelta(hours=24),
    )
    ForwardedPayment.objects.create(
        forward=forward,
        txid=PAYMENT_TXID,
        vout=1,
        amount_sats=250_000,
        confirmations=4,
        announced_confirmations=4,
        status="sent",
        forward_txid=FORWARD_TXID,
        forward_to_sats=219_774,
        processing_fee_sats=25_000,
        miner_fee_sats=5_226,
        forwarded_at=timezone.now(),
    )
    return forward


def test_the_merchant_sees_forwards_with_confirmations_and_transaction_links(
    alice, merchant, forward
):
    client = browser(alice, merchant, mode="test")
    listed = page(client.get("/dashboard/developers/forwarding/"))
    assert forward.payment_address in listed
    assert "SELGEO_BITCOIN_TEST_RPC_URL" in listed
    detail = page(client.get(f"/dashboard/developers/forwarding/{forward.pk}/"))
    assert f'href="https://mempool.space/testnet/tx/{PAYMENT_TXID}"' in detail
    assert f'href="https://mempool.space/testnet/tx/{FORWARD_TXID}"' in detail
    assert '<td data-label="Confirmations">4</td>' in detail
    assert "219774" in detail and "25000" in detail and "5226" in detail


def test_other_merchants_and_the_other_mode_do_not_see_a_forward(
    alice, merchant, charlie, other_merchant, forward
):
    url = f"/dashboard/developers/forwarding/{forward.pk}/"
    assert browser(charlie, other_merchant, mode="test").get(url).status_code == 404
    assert browser(alice, merchant, mode="live").get(url).status_code == 404
    live_list = page(browser(alice, merchant, mode="live").get("/dashboard/developers/forwarding/"))
    assert forward.payment_address not in live_list


def test_the_node_configuration_says_when_no_node_is_set(alice, merchant, settings):
    settings.SELGEO_BITCOIN_RPC_URL = ""
    listed = page(browser(alice, merchant).get("/dashboard/developers/forwarding/"))
    assert "No Bitcoin node is configured for live mode" in listed
    assert "SELGEO_BITCOIN_RPC_URL=http://USER:PASSWORD@HOST:8332/wallet/WALLET" in listed


def test_the_partner_sees_its_forwarded_fee_as_paid(partner, forward):
    assert partner.user is not None
    earnings = page(browser(partner.user, mode="test").get("/partner/earnings/"))
    assert '<td data-label="Amount" class="num" data-testid="forwarded-fee">25000</td>' in earnings
    assert f'href="https://mempool.space/testnet/tx/{FORWARD_TXID}"' in earnings
    live = page(browser(partner.user, mode="live").get("/partner/earnings/"))
    assert FORWARD_TXID not in live


def test_the_merchant_sees_the_partners_forwarded_fee_as_paid_on_its_page(
    alice, merchant, partner, test_program, forward
):
    from partners.models import ApplicationStatus
    from tests.partners.factories import ApplicationFactory

    ApplicationFactory(program=test_program, partner=partner, status=ApplicationStatus.APPROVED)
    detail = page(browser(alice, merchant, mode="test").get(f"/dashboard/partners/{partner.pk}/"))
    assert 'data-testid="forwarded-fee">25000</td>' in detail
    assert f'href="https://mempool.space/testnet/tx/{FORWARD_TXID}"' in detail
    assert f'href="/dashboard/developers/forwarding/{forward.pk}/"' in detail
