"""A Bitcoin Core JSON-RPC wallet client, kept to calls Bitcoin Core has.

`getnewaddress`, `listsinceblock`, `gettransaction`, `getbestblockhash` and `sendmany`
(with a comment, which labels the transaction, and `subtractfeefrom`) are all it uses,
with positional parameters that mean the same in Bitcoin Core and in the SV node the
tests run. Amounts travel as decimal strings (both nodes accept them) and are read as
`Decimal`, then kept as integer satoshis: never a float.

The node is the operator's own (a private address, credentials in the URL), so this is
a plain HTTP client, not the hardened one that webhooks use.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings

from accounts.models import Mode

SATS_PER_BTC = 100_000_000

# Bitcoin Core's RPC error codes this client tells apart.
RPC_WALLET_INSUFFICIENT_FUNDS = -6


class NodeUnavailable(Exception):
    """The node did not answer (connection refused, timeout, not JSON-RPC)."""


class NodeError(Exception):
    """The node answered with an error."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def sats_to_btc(sats: int) -> str:
    return str((Decimal(sats) / SATS_PER_BTC).quantize(Decimal("0.00000001")))


def btc_to_sats(amount: Any) -> int:
    value = Decimal(str(amount)) * SATS_PER_BTC
    if value != value.to_integral_value():
        raise ValueError(f"Not a whole number of satoshis: {amount}")
    return int(value)


@dataclass(frozen=True)
class NodeConfig:
    url: str
    network: str


def config_for(mode: str) -> NodeConfig | None:
    """The node of a mode, or None when that mode has none (the embedded default)."""
    if mode == Mode.LIVE:
        url, network = settings.SELGEO_BITCOIN_RPC_URL, settings.SELGEO_BITCOIN_NETWORK
    else:
        url, network = settings.SELGEO_BITCOIN_TEST_RPC_URL, settings.SELGEO_BITCOIN_TEST_NETWORK
    return NodeConfig(url=url, network=network) if url else None


class Node:
    def __init__(self, url: str, *, timeout: float | None = None) -> None:
        parts = urlsplit(url)
        self.auth = (parts.username or "", parts.password or "")
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        # The credentials go in the Authorization header, never in a logged URL.
        self.url = urlunsplit((parts.scheme, netloc, parts.path or "/", "", ""))
        self.timeout = timeout or settings.SELGEO_BITCOIN_RPC_TIMEOUT_SECONDS
        self.session = requests.Session()

    def call(self, method: str, *params: Any) -> Any:
        body = {"jsonrpc": "1.0", "id": uuid.uuid4().hex, "method": method, "params": params}
        try:
            response = self.session.post(
                self.url,
                data=json.dumps(body),
                auth=self.auth,
                headers={"Content-Type": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise NodeUnavailable(f"{method}: {exc.__class__.__name__}") from exc
        try:
            answer = json.loads(response.text, parse_float=Decimal)
        except ValueError as exc:
            raise NodeUnavailable(f"{method}: HTTP {response.status_code}, not JSON-RPC") from exc
        # Bitcoin Core answers errors with HTTP 500 (or 404 for an unknown method) and a
        # JSON-RPC error object; anything else is a broken node or proxy.
        if not isinstance(answer, dict) or "error" not in answer:
            raise NodeUnavailable(f"{method}: HTTP {response.status_code}, not JSON-RPC")
        error = answer.get("error")
        if error:
            raise NodeError(int(error.get("code", 0)), str(error.get("message", "")))
        return answer.get("result")

    def new_address(self) -> str:
        return str(self.call("getnewaddress"))

    def best_block_hash(self) -> str:
        return str(self.call("getbestblockhash"))

    def list_since_block(self, block_hash: str, target_confirmations: int) -> dict[str, Any]:
        result: dict[str, Any] = self.call("listsinceblock", block_hash, target_confirmations)
        return result

    def transaction(self, txid: str) -> dict[str, Any]:
        result: dict[str, Any] = self.call("gettransaction", txid)
        return result

    def send_many(
        self, *, outputs: dict[str, int], comment: str, subtract_fee_from: list[str]
    ) -> str:
        """Send `outputs` (address -> satoshis) in one transaction; its txid.

        Only confirmed coins are spent (minconf 1); the miner fee comes out of the
        outputs named in `subtract_fee_from`.
        """
        amounts = {address: sats_to_btc(sats) for address, sats in outputs.items()}
        return str(self.call("sendmany", "", amounts, 1, comment, subtract_fee_from))


def node_for(mode: str) -> Node | None:
    config = config_for(mode)
    return Node(config.url) if config else None
