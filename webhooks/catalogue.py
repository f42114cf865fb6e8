"""The webhook event catalogue: every type Selgeo sends, with an example of its data.

`emit()` refuses a type that is not listed here, so a typo in another app fails in its
tests instead of sending events no endpoint can subscribe to. The commerce document's
webhook types map onto these: "order paid" is `conversion.created`, "order chargeback"
is `conversion.reversed`; Selgeo keeps no stock, so the stock types have no counterpart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

API_VERSION = "v1"

_CONVERSION = {
    "id": "6f1c2a7e-3b9d-4c51-9a0e-2f7d8b6c1a23",
    "program_id": "0b7e4d1c-2a3f-4e5d-8c9b-1a2b3c4d5e6f",
    "partner_id": "9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a",
    "click_id": "550e8400-e29b-41d4-a716-446655440000",
    "promo_code": None,
    "event_type": "purchase",
    "external_transaction_id": "order_456",
    "customer_ref": "cust_789",
    "amount_cents": 4900,
    "currency": "EUR",
    "status": "approved",
    "attributed": True,
    "created_at": "2026-03-01T12:00:00.000000Z",
}
_COMMISSION = {
    "id": "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a99",
    "conversion_id": _CONVERSION["id"],
    "partner_id": _CONVERSION["partner_id"],
    "program_id": _CONVERSION["program_id"],
    "amount_cents": 490,
    "currency": "EUR",
    "status": "pending",
    "approve_after": "2026-03-31T12:00:00.000000Z",
    "created_at": "2026-03-01T12:00:00.000000Z",
}
_APPLICATION = {
    "id": "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d",
    "program_id": _CONVERSION["program_id"],
    "partner": {
        "id": _CONVERSION["partner_id"],
        "display_name": "Deal Blog",
        "website": "https://blog.example.org",
        "country": "DE",
    },
    "status": "pending",
    "created_at": "2026-02-20T09:30:00.000000Z",
}
_PAYOUT = {
    "id": "5e4d3c2b-1a09-4f8e-9d7c-6b5a4e3d2c1b",
    "run_id": "4d3c2b1a-0f9e-4d8c-9b7a-6f5e4d3c2b1a",
    "partner_id": _CONVERSION["partner_id"],
    "amount_cents": 12500,
    "commissions_cents": 13000,
    "adjustments_cents": -500,
    "currency": "EUR",
    "rail": "sepa",
    "status": "pending",
    "reference": "",
    "failure_reason": "",
    "created_at": "2026-04-01T08:00:00.000000Z",
    "processing_at": None,
    "paid_at": None,
    "failed_at": None,
}


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    example_data: dict[str, Any]
    # Opt-in types go only to endpoints that list them: they are too many to send to
    # endpoints subscribed to "everything".
    opt_in: bool = False


EVENT_TYPES: dict[str, EventType] = {
    t.name: t
    for t in [
        EventType(
            "click.created",
            "A visitor followed a partner's link or the snippet recorded a click. "
            "High volume: sent only to endpoints that subscribe to it by name.",
            {
                "id": _CONVERSION["click_id"],
                "program_id": _CONVERSION["program_id"],
                "partner_id": _CONVERSION["partner_id"],
                "referral_code": "DEALBLOG",
                "source": "link",
                "landing_url": "https://shop.example.com/p/1",
                "country": "DE",
                "is_bot": False,
                "created_at": "2026-03-01T11:58:00.000000Z",
                "expires_at": "2026-03-31T11:58:00.000000Z",
            },
            opt_in=True,
        ),
        EventType(
            "conversion.created",
            "A conversion was reported (the commerce API's 'order paid').",
            _CONVERSION,
        ),
        EventType(
            "conversion.reversed",
            "A conversion was refunded or charged back (the commerce API's 'order chargeback').",
            {**_CONVERSION, "status": "reversed", "reversal_reason": "chargeback"},
        ),
        EventType("commission.created", "A commission was computed for a partner.", _COMMISSION),
        EventType(
            "commission.approved",
            "A commission's hold period ended; it will be paid in the next payout.",
            {**_COMMISSION, "status": "approved"},
        ),
        EventType(
            "commission.reversed",
            "A commission was cancelled because its conversion was reversed.",
            {**_COMMISSION, "status": "reversed"},
        ),
        EventType("partner.applied", "A partner applied to one of your programs.", _APPLICATION),
        EventType(
            "application.approved",
            "A partner's application was approved.",
            {**_APPLICATION, "status": "approved"},
        ),
        EventType(
            "application.rejected",
            "A partner's application was rejected.",
            {**_APPLICATION, "status": "rejected"},
        ),
        EventType(
            "partner.erased",
            "A partner's personal data was erased (GDPR); their records stay, anonymised.",
            {"id": _CONVERSION["partner_id"], "erased_at": "2026-05-01T10:00:00.000000Z"},
        ),
        EventType("payout.created", "A payout to a partner was created.", _PAYOUT),
        EventType(
            "payout.paid",
            "A payout was paid.",
            {
                **_PAYOUT,
                "status": "paid",
                "reference": "SELGEO-2026-03-0001",
                "paid_at": "2026-04-02T08:00:00.000000Z",
            },
        ),
        EventType(
            "payout.failed",
            "A payout could not be paid.",
            {
                **_PAYOUT,
                "status": "failed",
                "failure_reason": "The IBAN was refused by the bank",
                "failed_at": "2026-04-02T08:00:00.000000Z",
            },
        ),
        EventType(
            "endpoint.test",
            "A test event, sent to one endpoint when you ask for it.",
            {
                "endpoint_id": "2d1c0b9a-8e7f-4a6b-9c5d-3e2f1a0b9c8d",
                "message": "This is a test event from Selgeo.",
            },
        ),
    ]
}

# Sent by Selgeo itself, never through emit().
INTERNAL_TYPES = frozenset({"endpoint.test"})


def is_known(name: str) -> bool:
    return name in EVENT_TYPES


def subscribes(event_types: list[str], name: str) -> bool:
    """Whether an endpoint with this subscription list receives events of this type."""
    if event_types:
        return name in event_types
    return not EVENT_TYPES[name].opt_in and name not in INTERNAL_TYPES


def build_payload(
    *, public_id: str, name: str, created: int, mode: str, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": public_id,
        "type": name,
        "api_version": API_VERSION,
        "created": created,
        "mode": mode,
        "data": data,
    }


def example_payload(name: str, *, mode: str = "test") -> dict[str, Any]:
    return build_payload(
        public_id="evt_0190a1b2c3d47e8f9a0b1c2d3e4f5a6b",
        name=name,
        created=1772366400,
        mode=mode,
        data=EVENT_TYPES[name].example_data,
    )
