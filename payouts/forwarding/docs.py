"""What the OpenAPI document says of the payment-forwarding endpoints: descriptions, the
errors each raises in the envelope, and realistic examples of requests and answers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse

from selgeo.api.errors import envelope

ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}

CREATE = (
    "A fresh address of the node's wallet (`payment_address`) receives the customer's "
    "payment. Each incoming transaction is announced to `webhook_url` seven times, at "
    "confirmations 0 through 6 (Standard Webhooks signatures with `webhook_secret`), and "
    "forwarded, as soon as the wallet can spend it (at its first confirmation), in one "
    "transaction: `address` receives the payment minus the processing fee and minus the "
    "miner fee; the processing fee (`processing_fee_percent`, more than 0 and at most 50, "
    "two decimals, rounded down to the satoshi) goes to `processing_fee_address` or to the "
    "Bitcoin payout address of an approved partner (`partner_id`), untouched by the miner "
    "fee. A payment whose miner fee would exceed the forward-to output is marked failed "
    "and reported by a `payment_forward.failed` call. Addresses must be of the mode's "
    "network. Rate limited in its own zone: every request counts."
)
LIST = "The forwards of the key's mode, newest first, with their payments. Paginated."
DETAIL = (
    "A forward, its incoming transactions with their confirmations, and for each the "
    "forwarding transaction id, the forward-to amount, the miner fee and the processing "
    "fee, in integer satoshis."
)

_ERRORS: dict[str, tuple[int, str, str, list[dict[str, str]] | None]] = {
    "no_key": (401, "INVALID_API_KEY", "Missing or invalid secret API key", None),
    "invalid": (
        400,
        "VALIDATION_ERROR",
        "Validation failed",
        [
            {"field": "address", "message": "Not a valid Bitcoin address"},
            {"field": "processing_fee_percent", "message": "Must be more than 0 and at most 50"},
        ],
    ),
    "webhook_private": (
        422,
        "WEBHOOK_URL_PRIVATE_IP",
        "URL resolves to a private/reserved IP address",
        None,
    ),
    "not_found": (404, "NOT_FOUND", "Payment forward not found", None),
    "unavailable": (
        503,
        "PAYMENT_FORWARDING_UNAVAILABLE",
        "Payment forwarding is not available: no Bitcoin node is configured for this mode",
        None,
    ),
}


def errors(*names: str) -> dict[int, OpenApiResponse]:
    by_status: dict[int, list[str]] = {}
    for name in ("no_key", *names):
        by_status.setdefault(_ERRORS[name][0], []).append(name)
    responses = {}
    for status, cases in by_status.items():
        responses[status] = OpenApiResponse(
            response=ERROR_SCHEMA,
            description=" or ".join(sorted({_ERRORS[name][1] for name in cases})),
            examples=[
                OpenApiExample(
                    name,
                    value=envelope(*_ERRORS[name][:3], _ERRORS[name][3]),
                    status_codes=[str(status)],
                )
                for name in cases
            ],
        )
    return responses


FORWARD_ID = "0193b1c2-3d4e-7f50-8a61-b2c3d4e5f607"
PARTNER_ID = "0193a3c5-1b8a-7c21-8f3e-6a7b8c9d0e1f"
TXID = "b215e9cf9fd2035daec6fa6c4197f3eab8788315169662fe0fcffaccdc3313ba"
FORWARD_TXID = "eea491f5ffb25b7f2f25cb511389a6aeac71ae795ccd7ce720b3f46b4b364010"

_FORWARD: dict[str, Any] = {
    "id": FORWARD_ID,
    "mode": "live",
    "status": "awaiting_payment",
    "network": "mainnet",
    "address": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "payment_address": "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l",
    "webhook_url": "https://shop.example.com/hooks/bitcoin?secret=checked-by-you",
    "processing_fee_percent": "10.00",
    "processing_fee_address": "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
    "partner_id": PARTNER_ID,
    "received_sats": 0,
    "transactions": [],
    "created_at": "2026-12-05T09:00:00Z",
    "expires_at": "2026-12-06T09:00:00Z",
}

CREATE_REQUEST = OpenApiExample(
    "create",
    request_only=True,
    value={
        "address": _FORWARD["address"],
        "webhook_url": _FORWARD["webhook_url"],
        "processing_fee_percent": 10,
        "partner_id": PARTNER_ID,
    },
)
CREATED = OpenApiExample(
    "created",
    value={**_FORWARD, "webhook_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
    status_codes=["201"],
)
_FORWARDED_FORWARD = {
    **_FORWARD,
    "status": "forwarded",
    "received_sats": 250000,
    "transactions": [
        {
            "txid": TXID,
            "vout": 1,
            "amount_sats": 250000,
            "confirmations": 3,
            "first_seen_at": "2026-12-05T09:04:12Z",
            "forward": {
                "status": "sent",
                "txid": FORWARD_TXID,
                "forward_to_sats": 219774,
                "processing_fee_sats": 25000,
                "miner_fee_sats": 5226,
                "failure_reason": None,
                "forwarded_at": "2026-12-05T09:14:40Z",
            },
        }
    ],
}
FORWARDED = OpenApiExample(
    "forwarded",
    value={**_FORWARDED_FORWARD, "webhook_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
    status_codes=["200"],
)
# drf-spectacular puts a list example in the page envelope itself.
LISTED = OpenApiExample("listed", value=_FORWARDED_FORWARD, status_codes=["200"])
