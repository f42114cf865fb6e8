"""A conversion in the vendor's words: its fields checked as its document says, then
recorded by Selgeo's `conversions.services.conversion_create`, the same service as
`POST /api/v1/conversions` (same row, attribution steps, commission and webhooks).

The vendor's fields map onto Selgeo's: `offer_code` names the program, `click_id` the
click (a Selgeo click id, `test_`-prefixed or not), `txid` is the
`external_transaction_id` (the idempotency key: a repeat is acknowledged, not recorded
twice), `customer_id` the customer, `amount` the sale in currency units. The checks
below are the vendor's documented refusals, made on what Selgeo's selectors read; who
earns what is decided by the engine alone, and a conversion it records but credits to
no partner is "acknowledged but not tracked" with the engine's reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from accounts.models import Merchant, Mode
from compat.affspace.amounts import amount_minor
from compat.affspace.errors import DialectError
from compat.affspace.shapes import vendor_status
from conversions import sandbox, services
from conversions import selectors as conversion_selectors
from conversions.errors import ConversionDuplicate
from conversions.explanations import CPA_CLICK_LIMIT, CPA_CUSTOMER_LIMIT
from conversions.models import EventType
from partners.models import CommissionType, Program, ProgramStatus
from selgeo.api.errors import ModeMismatch, ValidationFailed
from selgeo.currencies import is_currency

FIELDS = ("offer_code", "click_id", "txid", "customer_id", "event_type", "amount", "currency")
TEST_PREFIX = "test_"
TEXT_LIMITS = {"offer_code": 100, "click_id": 100, "txid": 255, "customer_id": 255}

# The reasons of "acknowledged but not tracked" that the vendor document names; any other
# reason is the code of Selgeo's attribution explanation (click_expired, ...).
NOT_TRACKED_MESSAGES = {
    CPA_CUSTOMER_LIMIT: "Conversion received. This customer already converted under this "
    "CPA offer.",
    CPA_CLICK_LIMIT: "Conversion received. This click already converted under this CPA offer.",
    "duplicate_txid": "Conversion received. A conversion with this transaction ID was "
    "already recorded.",
}


@dataclass(frozen=True)
class Postback:
    """The vendor's fields as sent: text, or None when absent or blank."""

    offer_code: str | None
    click_id: str | None
    txid: str | None
    customer_id: str | None
    event_type: str | None
    amount: Any
    currency: str | None


def text_field(name: str, value: Any) -> str | None:
    """A text field of the vendor's: stripped, None when absent or blank."""
    if value is None:
        return None
    # Order and customer ids are often numbers in a JSON body; they are the same id.
    if isinstance(value, int) and not isinstance(value, bool) and name in ("txid", "customer_id"):
        value = str(value)
    if not isinstance(value, str):
        raise DialectError(f"{name} must be a string", field=name)
    value = value.strip()
    if "\x00" in value:
        raise DialectError(f"{name} must not contain null characters", field=name)
    limit = TEXT_LIMITS.get(name)
    if limit is not None and len(value) > limit:
        raise DialectError(f"{name} must be at most {limit} characters", field=name)
    return value or None


def postback_from(data: Any) -> Postback:
    """The fields of a query string, a form or a JSON object."""
    if isinstance(data, QueryDict):
        values: Mapping[str, Any] = {name: data.get(name) for name in FIELDS if name in data}
    elif isinstance(data, Mapping):
        values = data
    else:
        raise DialectError("The request body must be a JSON object or a form")
    amount = values.get("amount")
    if isinstance(amount, str) and not amount.strip():
        amount = None
    return Postback(
        offer_code=text_field("offer_code", values.get("offer_code")),
        click_id=text_field("click_id", values.get("click_id")),
        txid=text_field("txid", values.get("txid")),
        customer_id=text_field("customer_id", values.get("customer_id")),
        event_type=text_field("event_type", values.get("event_type")),
        amount=amount,
        currency=text_field("currency", values.get("currency")),
    )


def _click_uuid(raw: str | None) -> uuid.UUID | None:
    if raw is None:
        return None
    text = raw[len(TEST_PREFIX) :] if raw.startswith(TEST_PREFIX) else raw
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _currency(postback: Postback, program: Program) -> str:
    if postback.currency is None:
        return program.currency
    currency = postback.currency.upper()
    if not is_currency(currency):
        raise DialectError("currency must be an ISO 4217 code such as USD", field="currency")
    if currency != program.currency:
        raise DialectError(
            f"currency must match the offer currency ({program.currency})", field="currency"
        )
    return currency


def _checked_click(
    *, merchant: Merchant, mode: str, program: Program, raw: str | None
) -> uuid.UUID:
    click_id = _click_uuid(raw)
    if raw is None:
        raise DialectError("Missing click_id", field="click_id")
    click = (
        conversion_selectors.click_for_attribution(merchant=merchant, click_id=click_id)
        if click_id is not None
        else None
    )
    if click is None or click_id is None:
        raise DialectError("Click not found", field="click_id")
    if click.mode != mode:
        wanted = "sk_test_*" if click.mode == Mode.TEST else "sk_live_*"
        raise DialectError(
            f"Click not found: click_id is a {click.mode}-mode click; report it with a "
            f"{click.mode}-mode key ({wanted})",
            field="click_id",
        )
    if click.program_id != program.pk:
        raise DialectError("Click does not belong to this offer", field="click_id")
    return click_id


def _checked_input(
    *, merchant: Merchant, mode: str, postback: Postback
) -> services.ConversionInput:
    if postback.offer_code is None:
        raise DialectError("Missing offer_code", field="offer_code")
    event_type = postback.event_type or EventType.PURCHASE
    if event_type not in EventType.values:
        raise DialectError('event_type must be "purchase" or "lead"', field="event_type")
    program = conversion_selectors.program_by_code(
        merchant=merchant, mode=mode, code=postback.offer_code
    )
    if program is None:
        raise DialectError("Offer not found", field="offer_code")
    if program.status != ProgramStatus.PUBLISHED:
        raise DialectError("Offer not active", field="offer_code")
    currency = _currency(postback, program)
    click_id = _checked_click(merchant=merchant, mode=mode, program=program, raw=postback.click_id)
    if program.commission_type == CommissionType.CPA and postback.customer_id is None:
        raise DialectError("customer_id required for CPA offers", field="customer_id")
    if program.commission_type != CommissionType.CPA and postback.amount is None:
        raise DialectError("amount required for CPS/RevShare/percentage offers", field="amount")
    amount_cents = (
        amount_minor(postback.amount, currency=currency) if postback.amount is not None else None
    )
    return services.ConversionInput(
        # Without a txid the vendor tracks every call; Selgeo's key is then a fresh one.
        external_transaction_id=postback.txid or f"affspace_{uuid.uuid4().hex}",
        event_type=event_type,
        click_id=click_id,
        amount_cents=amount_cents,
        currency=currency,
        customer_id=postback.customer_id,
    )


def not_tracked(reason: str, message: str) -> dict[str, Any]:
    return {"success": True, "tracked": False, "reason": reason, "message": message}


def conversion_report(*, merchant: Merchant, mode: str, data: Any) -> dict[str, Any]:
    """Check and record one conversion; the dialect's answer body."""
    postback = postback_from(data)
    try:
        conversion_input = _checked_input(merchant=merchant, mode=mode, postback=postback)
        reported = services.conversion_create(merchant=merchant, mode=mode, data=conversion_input)
    except ConversionDuplicate:
        return not_tracked("duplicate_txid", NOT_TRACKED_MESSAGES["duplicate_txid"])
    except ModeMismatch as exc:
        # The click changed hands between the check and the record: not the vendor's case.
        raise DialectError(f"Click not found: {exc.message}", field="click_id") from exc
    except ValidationFailed as exc:
        details = exc.details or [{"field": "body", "message": exc.message}]
        raise DialectError(details[0]["message"], field=details[0]["field"]) from exc
    except DialectError as exc:
        _record_in_test_session(merchant=merchant, mode=mode, postback=postback, error=exc)
        raise
    conversion = reported.conversion
    if conversion.attributed:
        return {
            "success": True,
            "data": {
                "tracked": True,
                "conversionId": str(conversion.pk),
                "status": vendor_status(conversion),
                "currency": conversion.currency,
            },
        }
    explanation = conversion.attribution_explanation
    reason = explanation["code"]
    message = NOT_TRACKED_MESSAGES.get(reason, f"Conversion received. {explanation['message']}")
    return not_tracked(reason, message)


def _record_in_test_session(
    *, merchant: Merchant, mode: str, postback: Postback, error: DialectError
) -> None:
    """A refused conversion whose click id names a live test session is reported on the
    session, as Selgeo's own API does."""
    click_id = _click_uuid(postback.click_id)
    if mode != Mode.TEST or click_id is None:
        return
    sent = {name: getattr(postback, name) for name in FIELDS if getattr(postback, name) is not None}
    sandbox.test_session_record_rejection(
        merchant=merchant,
        mode=mode,
        body={**sent, "click_id": str(click_id)},
        details=[{"field": error.field, "message": error.message}],
    )
