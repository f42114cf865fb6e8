"""Dashboard JWTs: which merchant (and role) or partner profile a token acts as."""

from __future__ import annotations

from typing import Any

from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Membership, User
from selgeo.api.errors import Forbidden


def issue_tokens(*, user: User, merchant_id: str | None = None) -> dict[str, Any]:
    memberships = Membership.objects.filter(user=user).order_by("created_at")
    membership = None
    if merchant_id:
        membership = memberships.filter(merchant_id=merchant_id).first()
        if membership is None:
            raise Forbidden("This account is not a member of that merchant")
    else:
        membership = memberships.first()
    refresh = RefreshToken.for_user(user)
    if membership is not None:
        refresh["merchant_id"] = str(membership.merchant_id)
        refresh["role"] = membership.role
    partner = getattr(user, "partner", None)
    if partner is not None:
        refresh["partner_id"] = str(partner.pk)
    return {
        "access": str(refresh.access_token),
        "refresh": str(refresh),
        "token_type": "Bearer",
        "merchant_id": str(membership.merchant_id) if membership else None,
        "partner_id": str(partner.pk) if partner else None,
    }
