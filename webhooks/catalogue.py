"""The webhook event catalogue: every type Selgeo sends, with an example of its data.

`emit()` refuses a type that is not listed here, so a typo in another app fails in its
tests instead of sending events no endpoint can subscribe to. The commerce document's
webhook types map onto these: "order paid" is `conversion.created`, "order chargeback"
is `conversion.reversed`; Selgeo keeps no stock, so the stock types have no counterpart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from webhooks import examples

API_VERSION = "v1"


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    # Builds the example's `data` for a mode with the code that builds real events' data.
    example: Callable[..., dict[str, Any]]
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
            examples.click_example,
            opt_in=True,
        ),
        EventType(
            "conversion.created",
            "A conversion was reported (the commerce API's 'order paid').",
            examples.conversion_example,
        ),
        EventType(
            "conversion.reversed",
            "A conversion was refunded or charged back (the commerce API's 'order chargeback').",
            partial(examples.conversion_example, reversed_=True),
        ),
        EventType(
            "commission.created",
            "A commission was computed for a partner.",
            examples.commission_example,
        ),
        EventType(
            "commission.approved",
            "A commission's hold period ended; it will be paid in the next payout.",
            partial(examples.commission_example, status="approved"),
        ),
        EventType(
            "commission.reversed",
            "A commission was cancelled because its conversion was reversed.",
            partial(examples.commission_example, status="reversed"),
        ),
        EventType(
            "partner.applied",
            "A partner applied to one of your programs.",
            examples.application_example,
        ),
        EventType(
            "application.approved",
            "A partner's application was approved.",
            partial(examples.application_example, status="approved"),
        ),
        EventType(
            "application.rejected",
            "A partner's application was rejected.",
            partial(examples.application_example, status="rejected"),
        ),
        EventType(
            "partner.erased",
            "A partner's personal data was erased (GDPR); their records stay, anonymised.",
            examples.partner_erased_example,
        ),
        EventType("payout.created", "A payout to a partner was created.", examples.payout_example),
        EventType(
            "payout.paid", "A payout was paid.", partial(examples.payout_example, status="paid")
        ),
        EventType(
            "payout.failed",
            "A payout could not be paid.",
            partial(examples.payout_example, status="failed"),
        ),
        EventType(
            "payment_forward.confirmation",
            "A payment to a payment forward's address reached a confirmation (0 through 6: "
            "seven calls per payment). Sent to the forward's webhook_url only.",
            examples.payment_forward_confirmation_example,
        ),
        EventType(
            "payment_forward.failed",
            "A payment could not be forwarded (its miner fee exceeded the forward-to "
            "output). Sent to the forward's webhook_url only.",
            examples.payment_forward_failed_example,
        ),
        EventType(
            "endpoint.test",
            "A test event, sent to one endpoint when you ask for it.",
            examples.endpoint_test_example,
        ),
    ]
}

# Sent by Selgeo itself, never through emit().
INTERNAL_TYPES = frozenset(
    {"endpoint.test", "payment_forward.confirmation", "payment_forward.failed"}
)


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
        data=EVENT_TYPES[name].example(mode=mode),
    )
