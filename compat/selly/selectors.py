"""Reads for the commerce dialect: who the auth headers name, products and orders."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from accounts.models import KeyKind, Membership, Merchant
from compat.selly.models import InboundDelivery, InboundEndpoint, OrderDetail
from conversions.models import Conversion, EventType
from selgeo.api.authentication import resolve_key_recent


def merchant_for_credentials(*, email: str, key: str) -> tuple[Merchant, str] | None:
    """The merchant and mode of a secret key, provided the email is a member of that
    merchant; None for anything else (unknown, revoked or public key, stranger's email)."""
    email, key = email.strip(), key.strip()
    if not email or not key.startswith("sk_"):
        return None
    api_key = resolve_key_recent(key)
    if api_key is None or api_key.kind != KeyKind.SECRET:
        return None
    member = Membership.objects.filter(
        merchant_id=api_key.merchant_id, user__email__iexact=email, user__is_active=True
    ).exists()
    return (api_key.merchant, api_key.mode) if member else None


def orders_for(*, merchant: Merchant, mode: str) -> QuerySet[Conversion]:
    """Purchases are the shop's orders; leads and signups are not."""
    return (
        Conversion.objects.filter(merchant=merchant, mode=mode, event_type=EventType.PURCHASE)
        .select_related("click__referral_code", "promo_code")
        .order_by("-occurred_at", "-id")
    )


def order_get(*, merchant: Merchant, mode: str, order_id: str) -> Conversion | None:
    return orders_for(merchant=merchant, mode=mode).filter(external_transaction_id=order_id).first()


def order_details(*, conversion_ids: list[uuid.UUID]) -> dict[uuid.UUID, OrderDetail]:
    return {
        d.conversion_id: d for d in OrderDetail.objects.filter(conversion_id__in=conversion_ids)
    }


def inbound_endpoint_by_token(*, token: str) -> InboundEndpoint | None:
    if not token or len(token) > 64:
        return None
    return InboundEndpoint.objects.select_related("merchant").filter(token=token).first()


def inbound_endpoint_of(*, merchant: Merchant, mode: str) -> InboundEndpoint | None:
    return InboundEndpoint.objects.filter(merchant=merchant, mode=mode).first()


def inbound_deliveries_for(*, merchant: Merchant, mode: str) -> QuerySet[InboundDelivery]:
    return InboundDelivery.objects.filter(merchant=merchant, mode=mode).order_by(
        "-received_at", "-id"
    )
