"""Writes for the commerce dialect: the inbound URL (create, rotate) and the shop's order
webhooks, translated into Selgeo's own conversion services.

- 1, order paid: a conversion whose `external_transaction_id` is the order's id,
  attributed by the order's `referral`. A promo code is sent as the promo code; a
  referral code stands for the partner's link the customer followed, so a click is
  recorded for it (with the order's visitor, at the order's time) and the conversion
  names that click: the same attribution steps as a tracking link's sale. `Direct`
  orders credit nobody and are acknowledged only. A retry of a recorded order is
  acknowledged as a duplicate, with no second click or conversion.
- 2, chargeback: the order's conversion is reversed with reason `chargeback`
  (idempotent: a retry finds it reversed).
- 3-5 are recorded in the log and acknowledged.
Every body, accepted or not, is kept in the merchant's log (`InboundDelivery`).
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Merchant
from compat.selly import inbound, selectors
from compat.selly.models import InboundDelivery, InboundEndpoint, InboundOutcome, OrderDetail
from conversions import services as conversion_services
from conversions.errors import ConversionDuplicate
from conversions.models import Conversion, ConversionStatus
from conversions.selectors import conversion_exists
from partners.selectors import promo_code_resolve, referral_code_resolve
from products.lines import LineItemInput
from products.selectors import product_get
from selgeo.api.errors import ApiError
from tracking.models import ClickSource
from tracking.services import click_record
from tracking.visitors import Visitor, ip_hash

logger = logging.getLogger("selgeo.selly")

BODY_KEPT = 10_000
# An order object is a few kilobytes; anything much larger is not one.
BODY_MAX = 64 * 1024
TOKEN_PREFIX = "selly_"  # noqa: S105 (a prefix, not a secret)
# An order dated ahead of Selgeo's clock is taken as happening now.
FUTURE_SKEW = timedelta(minutes=5)


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def inbound_endpoint_ensure(*, merchant: Merchant, mode: str) -> InboundEndpoint:
    """The merchant's inbound URL for `mode`, made on first use."""
    endpoint, _ = InboundEndpoint.objects.get_or_create(
        merchant=merchant, mode=mode, defaults={"token": _new_token()}
    )
    return endpoint


@transaction.atomic
def inbound_endpoint_rotate(*, merchant: Merchant, mode: str) -> InboundEndpoint:
    """A new secret URL; the old one stops accepting webhooks at once."""
    endpoint = inbound_endpoint_ensure(merchant=merchant, mode=mode)
    InboundEndpoint.objects.filter(pk=endpoint.pk).update(
        token=_new_token(), rotated_at=timezone.now()
    )
    endpoint.refresh_from_db()
    return endpoint


@dataclass(frozen=True)
class Received:
    delivery: InboundDelivery

    @property
    def accepted(self) -> bool:
        return self.delivery.outcome != InboundOutcome.REJECTED


def order_webhook_refuse_size(*, endpoint: InboundEndpoint, size: int) -> Received:
    """Log a body too large to read (it is not read, nor kept)."""
    return _log(
        endpoint.merchant,
        endpoint.mode,
        "",
        InboundOutcome.REJECTED,
        [f"The body is {size} bytes; an order webhook is at most {BODY_MAX} bytes"],
        webhook_type=None,
        order_id="",
    )


def order_webhook_receive(*, endpoint: InboundEndpoint, body: bytes) -> Received:
    """Handle one webhook body and log it for the merchant; never raises for bad input."""
    merchant, mode = endpoint.merchant, endpoint.mode
    kept = body[:BODY_KEPT].decode("utf-8", errors="replace")
    try:
        webhook = inbound.parse(body)
    except inbound.Malformed as exc:
        logger.info("order webhook refused for merchant %s: %s", merchant.pk, exc)
        return _log(
            merchant,
            mode,
            kept,
            InboundOutcome.REJECTED,
            exc.messages,
            webhook_type=exc.webhook_type,
            order_id=exc.order_id,
        )
    try:
        if webhook.webhook_type == inbound.ORDER_PAID:
            outcome, messages, conversion_id = _order_paid(merchant, mode, webhook)
        elif webhook.webhook_type == inbound.CHARGEBACK:
            outcome, messages, conversion_id = _chargeback(merchant, mode, webhook)
        else:
            outcome, conversion_id = InboundOutcome.ACKNOWLEDGED, None
            messages = [
                f"Recorded: {inbound.TYPES[webhook.webhook_type]}. Selgeo has nothing to do "
                "for this type."
            ]
    except ApiError as exc:
        # The order itself cannot become a conversion (a currency without a rate, a mode
        # mismatch): the shop's request is refused and the reason kept for the merchant.
        details = [d.get("message", "") for d in exc.details or []]
        return _log(
            merchant,
            mode,
            kept,
            InboundOutcome.REJECTED,
            [exc.message, *details],
            webhook_type=webhook.webhook_type,
            order_id=webhook.order_id,
        )
    return _log(
        merchant,
        mode,
        kept,
        outcome,
        messages,
        webhook_type=webhook.webhook_type,
        order_id=webhook.order_id,
        conversion_id=conversion_id,
    )


def _log(
    merchant: Merchant,
    mode: str,
    body: str,
    outcome: str,
    messages: list[str],
    *,
    webhook_type: int | None,
    order_id: str,
    conversion_id: uuid.UUID | None = None,
) -> Received:
    delivery = InboundDelivery.objects.create(
        merchant=merchant,
        mode=mode,
        webhook_type=webhook_type,
        order_id=order_id,
        outcome=outcome,
        messages=messages,
        body=body,
        conversion_id=conversion_id,
    )
    return Received(delivery)


def _signal(
    merchant: Merchant, mode: str, webhook: inbound.OrderWebhook
) -> tuple[uuid.UUID | None, str | None]:
    """(click id, promo code) for the order's referral: see the module's docstring."""
    code = webhook.referral
    promo = promo_code_resolve(merchant=merchant, code=code)
    if promo is not None and promo.mode == mode:
        return None, code
    referral = referral_code_resolve(merchant=merchant, code=code)
    if (
        referral is not None
        and referral.mode == mode
        and referral.disabled_at is None
        and not referral.partner.is_erased
    ):
        text = webhook.text
        visitor = Visitor(
            ip_hash=ip_hash(text.get("ip_address", "")),
            user_agent=text.get("user_agent", "")[:500],
            country=text.get("country_code", "").upper()[:2],
            # The shop was paid: whoever placed the order was no crawler.
            is_bot=False,
        )
        click = click_record(
            referral_code=referral,
            visitor=visitor,
            source=ClickSource.API,
            now=webhook.created_at or timezone.now(),
        )
        return click.pk, None
    # Unknown here: attribution records the conversion and explains the unknown code.
    return None, code


@transaction.atomic
def _order_paid(
    merchant: Merchant, mode: str, webhook: inbound.OrderWebhook
) -> tuple[str, list[str], uuid.UUID | None]:
    if conversion_exists(merchant=merchant, mode=mode, external_transaction_id=webhook.order_id):
        return InboundOutcome.DUPLICATE, ["This order is already recorded (a retry)."], None
    if not webhook.referral or webhook.referral.lower() == "direct":
        return (
            InboundOutcome.ACKNOWLEDGED,
            ["A direct order: no partner referred it, so there is no conversion to record."],
            None,
        )
    now = timezone.now()
    occurred_at = webhook.created_at
    if occurred_at is None or occurred_at > now + FUTURE_SKEW:
        occurred_at = now
    webhook = replace(webhook, created_at=occurred_at)
    click_id, promo_code = _signal(merchant, mode, webhook)
    product = (
        product_get(merchant=merchant, mode=mode, product_id=webhook.product_id)
        if webhook.product_id
        else None
    )
    lines = (
        (LineItemInput(product.code, webhook.quantity, webhook.amount_cents or 0),)
        if product is not None
        else ()
    )
    try:
        reported = conversion_services.conversion_create(
            merchant=merchant,
            mode=mode,
            data=conversion_services.ConversionInput(
                external_transaction_id=webhook.order_id,
                event_type="purchase",
                click_id=click_id,
                promo_code=promo_code,
                amount_cents=webhook.amount_cents,
                currency=webhook.currency,
                customer_id=webhook.text.get("email", "").strip().lower() or None,
                occurred_at=occurred_at,
                line_items=lines,
            ),
        )
    except ConversionDuplicate:
        # A concurrent retry won the race; the click this one recorded goes with it.
        transaction.set_rollback(True)
        return InboundOutcome.DUPLICATE, ["This order is already recorded (a retry)."], None
    conversion = reported.conversion
    OrderDetail.objects.create(
        conversion=conversion,
        product_id=webhook.product_id[:64],
        status=webhook.status,
        risk_level=webhook.risk_level,
        custom=webhook.custom,
        updated_at=webhook.updated_at or now,
        **webhook.text,
    )
    explanation = conversion.attribution_explanation.get("message", "")
    if conversion.attributed:
        message = f"Conversion recorded and attributed: {explanation}"
    else:
        message = f"Conversion recorded, not attributed: {explanation}"
    return InboundOutcome.RECORDED, [message], conversion.pk


def _chargeback(
    merchant: Merchant, mode: str, webhook: inbound.OrderWebhook
) -> tuple[str, list[str], uuid.UUID | None]:
    conversion = selectors.order_get(merchant=merchant, mode=mode, order_id=webhook.order_id)
    if conversion is None:
        return (
            InboundOutcome.ACKNOWLEDGED,
            ["No conversion was recorded for this order: nothing to reverse."],
            None,
        )
    if conversion.status == ConversionStatus.REVERSED:
        return InboundOutcome.DUPLICATE, ["The conversion is already reversed."], conversion.pk
    with transaction.atomic():
        reversed_: Conversion = conversion_services.conversion_reverse(
            merchant=merchant, mode=mode, conversion_id=conversion.pk, reason="chargeback"
        )
        OrderDetail.objects.filter(conversion_id=conversion.pk).update(
            status=webhook.status, updated_at=webhook.updated_at or timezone.now()
        )
    return (
        InboundOutcome.REVERSED,
        ["The conversion and its commission are reversed (chargeback)."],
        reversed_.pk,
    )
