"""A real Celery worker killed after the node sent the forward and before it was recorded:
another worker reconciles it from the wallet, by its label, and nothing is sent twice.

The worker talks to the node through a JSON-RPC relay of this test's. The relay passes
`sendmany` on to the node, so the node really sends, then holds the answer back; the
test kills the worker's whole process group while it waits for that answer.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from payouts.forwarding.models import ForwardedPayment
from payouts.tasks import forwarding_watch
from tests.webhooks.test_worker_kill import Workers, workers  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


class HoldingRelay:
    """Relays JSON-RPC to the node; holds back the answer to every `sendmany`."""

    def __init__(self, node_port: int) -> None:
        self.sends: list[dict[str, Any]] = []
        self.sent = threading.Event()
        self.release = threading.Event()
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = urllib.request.Request(
                    f"http://127.0.0.1:{node_port}{self.path}",
                    data=body,
                    headers={
                        "Content-Type": "application/json",
                        "Authorization": self.headers.get("Authorization", ""),
                    },
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status, answer = response.status, response.read()
                except urllib.error.HTTPError as exc:
                    status, answer = exc.code, exc.read()
                if json.loads(body).get("method") == "sendmany":
                    relay.sends.append(json.loads(answer))
                    relay.sent.set()
                    relay.release.wait(60)
                    self.close_connection = True
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def relay(forwarding) -> Iterator[HoldingRelay]:
    server = HoldingRelay(forwarding.node.rpc_port)
    yield server
    server.stop()


def test_a_worker_killed_between_send_and_record_forwards_once(
    forwarding,
    relay,
    receiver,
    sk_test,
    workers,  # noqa: F811
):
    forward = sk_test.post(
        "/api/v1/payment-forwards",
        {"address": forwarding.node.customer_address(), "webhook_url": receiver.url},
        format="json",
    ).json()
    wallet_url = forwarding.node.url(forwarding.wallet)
    workers.env.update(
        SELGEO_BITCOIN_TEST_RPC_URL=wallet_url.replace(
            f":{forwarding.node.rpc_port}/", f":{relay.port}/"
        ),
        SELGEO_BITCOIN_TEST_NETWORK="regtest",
        SELGEO_BITCOIN_NETWORK="regtest",
        SELGEO_FORWARDING_LEASE_SECONDS="2",
    )
    forwarding.node.pay(forward["payment_address"], "0.5")
    forwarding.node.mine(1)

    first = workers.start("first")
    forwarding_watch.delay()
    assert relay.sent.wait(timeout=30), "the worker never asked the node to send"
    workers.kill(first)
    payment = ForwardedPayment.objects.get()
    assert (payment.status, payment.forward_txid) == ("sending", "")
    (sent,) = relay.sends
    txid = sent["result"]

    workers.start("second")
    deadline = time.monotonic() + 40
    while ForwardedPayment.objects.filter(pk=payment.pk, status="sending").exists():
        assert time.monotonic() < deadline, "the lost forward was never reconciled"
        forwarding_watch.delay()
        time.sleep(0.5)

    payment.refresh_from_db()
    assert (payment.status, payment.forward_txid) == ("sent", txid)
    assert payment.forward_to_sats == 50_000_000 - payment.miner_fee_sats
    assert len(relay.sends) == 1
    listed = forwarding.rpc("listsinceblock", "", 1)["transactions"]
    labelled = {
        e["txid"] for e in listed if e["category"] == "send" and e.get("comment") == payment.label
    }
    assert labelled == {txid}
