"""Who a request acts for: its merchant (or partner) and its mode."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from accounts.models import Membership, Merchant, Mode, Partner
from selgeo.api.authentication import KeyPrincipal
from selgeo.api.errors import Forbidden, ValidationFailed


def request_membership(request: Request) -> Membership | None:
    if hasattr(request, "_selgeo_membership"):
        cached: Membership | None = request._selgeo_membership
        return cached
    membership = None
    user = request.user
    token: Any = request.auth
    if getattr(user, "is_authenticated", False) and not isinstance(user, KeyPrincipal):
        merchant_id = token.get("merchant_id") if token is not None else None
        memberships = Membership.objects.select_related("merchant").filter(
            user_id=getattr(user, "pk", None) or 0
        )
        if merchant_id:
            memberships = memberships.filter(merchant_id=merchant_id)
        membership = memberships.order_by("created_at").first()
    request._selgeo_membership = membership  # type: ignore[attr-defined]
    return membership


def request_merchant(request: Request) -> Merchant:
    user = request.user
    if isinstance(user, KeyPrincipal):
        return user.merchant
    membership = request_membership(request)
    if membership is None:
        raise Forbidden("This account is not a member of a merchant")
    return membership.merchant


def request_partner(request: Request) -> Partner:
    user = request.user
    partner = getattr(user, "partner", None) if getattr(user, "is_authenticated", False) else None
    if partner is None or isinstance(user, KeyPrincipal):
        raise Forbidden("This account is not a partner")
    return partner


def request_mode(request: Request) -> str:
    """The key's mode, or `?mode=test|live` (default live) for dashboard tokens.

    A key's own mode wins over `?mode=`, but a value that is no mode at all is refused
    whoever sends it, as the document's enum says.
    """
    raw = request.query_params.get("mode", Mode.LIVE)
    if raw not in Mode.values:
        raise ValidationFailed.field("mode", "mode must be 'test' or 'live'")
    user = request.user
    if isinstance(user, KeyPrincipal):
        return user.mode
    return raw
