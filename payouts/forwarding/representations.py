"""What the API returns and the webhook calls carry for a forward, from its rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from payouts.forwarding.models import ForwardedPayment, PaymentForward, SendStatus


def _moment(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def forward_status(forward: PaymentForward, payments: list[ForwardedPayment]) -> str:
    """`awaiting_payment` or `expired` before a payment; then `received` while one is still
    to be forwarded, `failed` if one could not be, else `forwarded`."""
    if not payments:
        return "expired" if forward.expires_at <= timezone.now() else "awaiting_payment"
    statuses = {p.status for p in payments}
    if statuses & {SendStatus.WAITING, SendStatus.SENDING}:
        return "received"
    if SendStatus.FAILED in statuses:
        return "failed"
    return "forwarded"


def payment_data(payment: ForwardedPayment) -> dict[str, Any]:
    return {
        "txid": payment.txid,
        "vout": payment.vout,
        "amount_sats": payment.amount_sats,
        "confirmations": payment.confirmations,
        "first_seen_at": _moment(payment.first_seen_at),
        "forward": {
            "status": payment.status,
            "txid": payment.forward_txid or None,
            "forward_to_sats": payment.forward_to_sats,
            "processing_fee_sats": payment.processing_fee_sats,
            "miner_fee_sats": payment.miner_fee_sats,
            "failure_reason": payment.failure_reason or None,
            "forwarded_at": _moment(payment.forwarded_at),
        },
    }


def forward_data(
    forward: PaymentForward, payments: Iterable[ForwardedPayment] | None = None
) -> dict[str, Any]:
    rows = sorted(
        forward.payments.all() if payments is None else payments,
        key=lambda p: (p.first_seen_at, p.txid, p.vout),
    )
    return {
        "id": str(forward.pk),
        "mode": forward.mode,
        "status": forward_status(forward, rows),
        "network": forward.network,
        "address": forward.address,
        "payment_address": forward.payment_address,
        "webhook_url": forward.webhook_url,
        "processing_fee_percent": f"{forward.processing_fee_percent:.2f}",
        "processing_fee_address": forward.processing_fee_address or None,
        "partner_id": str(forward.partner_id) if forward.partner_id else None,
        "received_sats": sum(p.amount_sats for p in rows),
        "transactions": [payment_data(p) for p in rows],
        "created_at": _moment(forward.created_at),
        "expires_at": _moment(forward.expires_at),
    }


def confirmation_data(
    forward: PaymentForward, payments: list[ForwardedPayment], payment: ForwardedPayment, n: int
) -> dict[str, Any]:
    """A confirmation call: the forward object, the confirmation number, the payment."""
    return {
        "confirmation": n,
        "txid": payment.txid,
        "vout": payment.vout,
        "amount_sats": payment.amount_sats,
        "forward": forward_data(forward, payments),
    }


def failure_data(
    forward: PaymentForward, payments: list[ForwardedPayment], payment: ForwardedPayment
) -> dict[str, Any]:
    """A `payment_forward.failed` call: why, the payment, the forward object."""
    return {
        "txid": payment.txid,
        "vout": payment.vout,
        "amount_sats": payment.amount_sats,
        "reason": payment.failure_reason,
        "forward": forward_data(forward, payments),
    }
