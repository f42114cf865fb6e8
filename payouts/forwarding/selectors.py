"""Reads for payment forwarding, always scoped to one merchant and one mode."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from accounts.models import Merchant, Partner
from payouts.forwarding.models import ForwardedPayment, PaymentForward


def forwards_for(*, merchant: Merchant, mode: str) -> QuerySet[PaymentForward]:
    return (
        PaymentForward.objects.filter(merchant=merchant, mode=mode)
        .prefetch_related(
            Prefetch("payments", queryset=ForwardedPayment.objects.order_by("first_seen_at"))
        )
        .order_by("-created_at", "-id")
    )


def forwards_filtered(
    *,
    merchant: Merchant,
    mode: str,
    address: str | None = None,
    payment_address: str | None = None,
    partner_id: uuid.UUID | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> QuerySet[PaymentForward]:
    forwards = forwards_for(merchant=merchant, mode=mode)
    if address:
        forwards = forwards.filter(address=address)
    if payment_address:
        forwards = forwards.filter(payment_address=payment_address)
    if partner_id:
        forwards = forwards.filter(partner_id=partner_id)
    if created_after:
        forwards = forwards.filter(created_at__gte=created_after)
    if created_before:
        forwards = forwards.filter(created_at__lt=created_before)
    return forwards


def forward_get(*, merchant: Merchant, mode: str, forward_id: str) -> PaymentForward | None:
    try:
        pk = uuid.UUID(str(forward_id))
    except ValueError:
        return None
    return forwards_for(merchant=merchant, mode=mode).filter(pk=pk).first()


def fees_forwarded_to(
    *, partner: Partner, mode: str, merchant: Merchant | None = None
) -> QuerySet[ForwardedPayment]:
    """Processing fees a partner received with forwarded payments (already paid), from
    every merchant or from one."""
    fees = ForwardedPayment.objects.filter(
        forward__partner=partner, forward__mode=mode, status="sent", processing_fee_sats__gt=0
    )
    if merchant is not None:
        fees = fees.filter(forward__merchant=merchant)
    return fees.select_related("forward__merchant").order_by("-forwarded_at")
