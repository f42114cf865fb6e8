"""Parsing the shop's order webhooks: every problem of a body found at once, in sentences.

The reference's order object (the `/orders/<id>` shape) plus `webhook_type`: 1 order
paid, 2 chargeback, 3 dynamic product, 4 out of stock, 5 warning stock. Numbers are read
as exact decimals, never floats: `"value": "3.99"` and `"value": 3.99` are both 399 cents
of USD, while `"3.999"` is refused rather than rounded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime

from fx.currencies import exponent
from selgeo.currencies import CURRENCIES

ORDER_PAID = 1
CHARGEBACK = 2
TYPES = {
    1: "order paid",
    2: "order chargeback",
    3: "dynamic product",
    4: "product out of stock",
    5: "product reached warning stock",
}
MAX_AMOUNT_MINOR = 10**15


class Malformed(Exception):
    def __init__(self, messages: list[str], *, webhook_type: int | None, order_id: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages
        self.webhook_type = webhook_type
        self.order_id = order_id


@dataclass(frozen=True)
class OrderWebhook:
    webhook_type: int
    order_id: str
    amount_cents: int | None = None
    currency: str | None = None
    referral: str = ""
    created_at: datetime | None = None
    # The shop's last change of the order, shown as the order's `updated_at`.
    updated_at: datetime | None = None
    product_id: str = ""
    quantity: int = 1
    status: int | None = None
    text: dict[str, str] = field(default_factory=dict)
    risk_level: int | None = None
    custom: dict[str, Any] = field(default_factory=dict)


_TEXT_FIELDS = {
    "email": 254,
    "ip_address": 45,
    "country_code": 2,
    "user_agent": 500,
    "gateway": 40,
    "delivered": 5000,
    "crypto_value": 40,
    "crypto_address": 120,
}


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return None


def amount_minor(value: Any, currency: str) -> int | None:
    """`value` (a decimal string or number) in minor units of `currency`, exactly; None
    when it is not an amount, has more decimals than the currency, or is negative."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        return None
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        return None
    digits = exponent(currency)
    if digits is None or not number.is_finite() or number < 0:
        return None
    scaled = number.scaleb(digits)
    if scaled != scaled.to_integral_value() or scaled > MAX_AMOUNT_MINOR:
        return None
    return int(scaled)


def parse(body: bytes) -> OrderWebhook:
    """The webhook in `body`, or Malformed with every reason."""
    try:
        data = json.loads(body, parse_float=Decimal, parse_constant=lambda _: None)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed(
            ["The body is not JSON: send the order object with its webhook_type"],
            webhook_type=None,
            order_id="",
        ) from exc
    if not isinstance(data, dict):
        raise Malformed(
            ["The body must be a JSON object (the order with its webhook_type)"],
            webhook_type=None,
            order_id="",
        )
    errors: list[str] = []
    webhook_type = _integer(data.get("webhook_type"))
    if webhook_type not in TYPES:
        webhook_type = None
        errors.append(
            "webhook_type must be 1 (order paid), 2 (order chargeback), 3 (dynamic product), "
            "4 (product out of stock) or 5 (product reached warning stock)"
        )
    raw_id = data.get("id")
    order_id = raw_id.strip() if isinstance(raw_id, str) else ""
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        order_id = str(raw_id)
    if webhook_type in (ORDER_PAID, CHARGEBACK) and not 0 < len(order_id) <= 255:
        errors.append("id (the order's id) is required: a string of at most 255 characters")
    if webhook_type != ORDER_PAID:
        if errors:
            raise Malformed(errors, webhook_type=webhook_type, order_id=order_id[:255])
        assert webhook_type is not None
        return OrderWebhook(
            webhook_type,
            order_id[:255],
            status=_integer(data.get("status")),
            updated_at=_moment(data.get("updated_at")),
        )
    currency = data.get("currency")
    amount = None
    if not isinstance(currency, str) or currency not in CURRENCIES:
        errors.append("currency must be an ISO 4217 code in upper case, such as USD")
        currency = None
    elif data.get("value") is None:
        errors.append('value is required: the order\'s amount, such as "3.99"')
    else:
        amount = amount_minor(data.get("value"), currency)
        if amount is None:
            errors.append(
                f"value must be a non-negative amount in {currency} with at most "
                f'{exponent(currency)} decimals, such as "3.99" (got {data.get("value")!r})'
            )
    referral = data.get("referral")
    if referral is not None and (not isinstance(referral, str) or len(referral) > 100):
        errors.append('referral must be the partner\'s code or "Direct"')
        referral = ""
    created_at = None
    if data.get("created_at") is not None:
        created_at = _moment(data.get("created_at"))
        if created_at is None:
            errors.append("created_at must be an ISO 8601 time, such as 2017-03-14T23:27:54.000Z")
    product_id = data.get("product_id")
    if product_id is not None and not isinstance(product_id, str):
        errors.append("product_id must be a string")
        product_id = ""
    quantity = 1
    if data.get("quantity") is not None:
        parsed_quantity = _integer(data.get("quantity"))
        if parsed_quantity is None or not 1 <= parsed_quantity <= 1_000_000:
            errors.append("quantity must be a whole number from 1")
        else:
            quantity = parsed_quantity
    text: dict[str, str] = {}
    for name, limit in _TEXT_FIELDS.items():
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or "\x00" in value:
            errors.append(f"{name} must be a string")
        else:
            text[name] = value[:limit]
    custom = data.get("custom")
    if custom is None:
        custom = {}
    elif not isinstance(custom, dict) or len(json.dumps(custom, default=str)) > 4096:
        errors.append("custom must be a JSON object of at most 4096 bytes")
        custom = {}
    if errors:
        raise Malformed(errors, webhook_type=webhook_type, order_id=order_id[:255])
    return OrderWebhook(
        ORDER_PAID,
        order_id,
        amount_cents=amount,
        currency=currency,
        referral=(referral or "").strip(),
        created_at=created_at,
        updated_at=_moment(data.get("updated_at")),
        product_id=(product_id or "").strip(),
        quantity=quantity,
        status=_integer(data.get("status")),
        text=text,
        risk_level=_integer(data.get("risk_level")),
        custom=json.loads(json.dumps(custom, default=str)),
    )


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value.strip())
    except (ValueError, OverflowError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
