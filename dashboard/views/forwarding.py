"""Developers: payment forwards of the mode, with their payments, confirmations and
transaction links, and how to configure the mode's Bitcoin node."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render

from accounts.models import Mode
from dashboard.access import MerchantRequest, merchant_view
from dashboard.paging import paginate
from payouts.forwarding import node as nodes
from payouts.forwarding import selectors
from payouts.forwarding.representations import forward_status

# Public block explorers per network; regtest has none (the txid is shown as text).
EXPLORERS = {
    "mainnet": "https://mempool.space/tx/",
    "testnet": "https://mempool.space/testnet/tx/",
    "signet": "https://mempool.space/signet/tx/",
}


def tx_url(network: str, txid: str) -> str:
    base = EXPLORERS.get(network)
    return f"{base}{txid}" if base and txid else ""


def _node_context(mode: str) -> dict[str, Any]:
    config = nodes.config_for(mode)
    live = mode == Mode.LIVE
    return {
        "node_configured": config is not None,
        "node_network": config.network
        if config
        else (settings.SELGEO_BITCOIN_NETWORK if live else settings.SELGEO_BITCOIN_TEST_NETWORK),
        "node_setting": "SELGEO_BITCOIN_RPC_URL" if live else "SELGEO_BITCOIN_TEST_RPC_URL",
        "network_setting": "SELGEO_BITCOIN_NETWORK" if live else "SELGEO_BITCOIN_TEST_NETWORK",
    }


@merchant_view()
def forward_list(request: MerchantRequest) -> HttpResponse:
    forwards = selectors.forwards_for(merchant=request.merchant, mode=request.mode)
    context = paginate(request, forwards)
    rows = []
    for forward in context["page_obj"]:
        payments = list(forward.payments.all())
        rows.append(
            {
                "forward": forward,
                "status": forward_status(forward, payments),
                "received_sats": sum(p.amount_sats for p in payments),
                "confirmations": max((p.confirmations for p in payments), default=None),
            }
        )
    return render(
        request,
        "dashboard/forwards.html",
        {"section": "developers", "rows": rows, **context, **_node_context(request.mode)},
    )


@merchant_view()
def forward_detail(request: MerchantRequest, forward_id: str) -> HttpResponse:
    forward = selectors.forward_get(
        merchant=request.merchant, mode=request.mode, forward_id=forward_id
    )
    if forward is None:
        raise Http404("No such payment forward")
    payments = list(forward.payments.all())
    return render(
        request,
        "dashboard/forward_detail.html",
        {
            "section": "developers",
            "forward": forward,
            "status": forward_status(forward, payments),
            "payments": [
                {
                    "payment": p,
                    "payment_url": tx_url(forward.network, p.txid),
                    "forward_url": tx_url(forward.network, p.forward_txid),
                }
                for p in payments
            ],
        },
    )
