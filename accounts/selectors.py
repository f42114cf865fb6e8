"""Reads for accounts."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ApiKey, Membership, Merchant, User


def api_keys_for(*, merchant: Merchant, mode: str) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(merchant=merchant, mode=mode).order_by("-created_at")


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.select_related("merchant").filter(user=user).order_by("created_at")


def members_of(*, merchant: Merchant) -> QuerySet[Membership]:
    return (
        Membership.objects.select_related("user").filter(merchant=merchant).order_by("created_at")
    )


def merchant_by_slug(*, slug: str) -> Merchant | None:
    """The merchant a public URL names (tracking links `/r/<slug>/<code>`)."""
    return Merchant.objects.filter(slug=slug).first()
