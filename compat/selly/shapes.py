"""The commerce reference's shapes: amounts as decimal strings, times with milliseconds
and a `Z`, stock as a number or "∞", orders with their referral and US dollar value."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from conversions.models import Conversion, ConversionStatus
from fx.currencies import exponent
from fx.rates import API_DIGITS, RateUnavailable, convert_minor, cross_rate, plain
from fx.selectors import RateSet, rate_set_at, rate_set_get
from products.models import Product

UNLIMITED = "∞"
DIRECT = "Direct"
# The reference's order statuses: 100 is a completed (paid) order, 0 one without payment.
STATUS_COMPLETE = 100
STATUS_UNPAID = 0


def timestamp(moment: datetime) -> str:
    """`2017-03-14T23:27:54.000Z`, as the reference writes every time."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def decimal_text(amount_minor: int, currency: str) -> str:
    """Minor units as the currency's decimal string: 399 USD is "3.99", 500 JPY "500"."""
    digits = exponent(currency) or 0
    value = Decimal(amount_minor).scaleb(-digits)
    return f"{value:.{digits}f}"


def product_shape(product: Product) -> dict[str, Any]:
    return {
        "id": product.code,
        "title": product.title,
        "description": product.description,
        "stock": product.stock if product.counts_stock else UNLIMITED,
        "price": decimal_text(product.price_cents, product.currency),
        "currency": product.currency,
        "product_type": product.product_type,
        "private": product.private,
        "unlisted": product.unlisted,
        "seller_note": product.seller_note,
        "maximum_quantity": product.maximum_quantity,
        "minimum_quantity": product.minimum_quantity,
        "custom": product.custom,
        "created_at": timestamp(product.created_at),
        "updated_at": timestamp(product.updated_at),
    }


def referral_of(conversion: Conversion) -> str:
    """The code that brought the order: the click's referral code or the promo code of an
    attributed conversion; `Direct` for every other order."""
    if not conversion.attributed:
        return DIRECT
    click = conversion.click
    if click is not None and click.referral_code is not None:
        return click.referral_code.code
    if conversion.promo_code is not None:
        return conversion.promo_code.code
    return DIRECT


def _rate_text(rate: Decimal) -> str:
    text = plain(rate)
    return text if "." in text else f"{text}.0"


def usd_value(conversion: Conversion) -> tuple[str | None, str | None]:
    """(`usd_value`, `exchange_rate`): the order's value in US dollars and the units of its
    currency per dollar, at the rate set the conversion recorded (else the one in effect at
    its `occurred_at`). Both null when no stored set has a rate for the currency."""
    currency = conversion.currency
    if not currency:
        return None, None
    rate_set: RateSet = (
        rate_set_get(conversion.fx_rate_set_id)
        if conversion.fx_rate_set_id is not None
        else rate_set_at(conversion.occurred_at)
    )
    try:
        per_dollar = cross_rate(
            rate_set.rates, base=rate_set.base, source="USD", target=currency, digits=API_DIGITS
        )
        value = convert_minor(
            conversion.amount_cents or 0,
            source=currency,
            target="USD",
            rate=rate_set.rate(source=currency, target="USD"),
        )
    except RateUnavailable:
        return None, None
    return decimal_text(value, "USD"), _rate_text(per_dollar)


def order_shape(
    conversion: Conversion, *, detail: Any | None, first_product: str | None
) -> dict[str, Any]:
    """A conversion as the shop's order. `detail` is what the shop's own webhook carried
    (`OrderDetail`), absent for conversions reported through Selgeo's API."""
    usd, rate = usd_value(conversion)
    reversed_ = conversion.status == ConversionStatus.REVERSED
    status = STATUS_COMPLETE
    if reversed_:
        shop_status = detail.status if detail is not None else None
        status = shop_status if shop_status not in (None, STATUS_COMPLETE) else STATUS_UNPAID
    updated = (
        detail.updated_at if detail is not None else conversion.reversed_at or conversion.created_at
    )

    def text(name: str) -> str | None:
        return (getattr(detail, name) or None) if detail is not None else None

    return {
        "id": conversion.external_transaction_id,
        "product_id": text("product_id") or first_product,
        "email": text("email"),
        "ip_address": text("ip_address"),
        "country_code": text("country_code"),
        "user_agent": text("user_agent"),
        "value": decimal_text(conversion.amount_cents or 0, conversion.currency)
        if conversion.currency
        else "0",
        "currency": conversion.currency or None,
        "gateway": text("gateway"),
        "risk_level": detail.risk_level if detail is not None else None,
        "status": status,
        "delivered": detail.delivered if detail is not None else "",
        "crypto_value": text("crypto_value"),
        "crypto_address": text("crypto_address"),
        "referral": referral_of(conversion),
        "usd_value": usd,
        "exchange_rate": rate,
        "custom": detail.custom if detail is not None else {},
        "created_at": timestamp(conversion.occurred_at),
        "updated_at": timestamp(updated),
    }
