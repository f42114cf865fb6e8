"""Who may call what: merchant members (by role), partners, and key kinds."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import KeyKind, Role
from selgeo.api.authentication import KeyPrincipal
from selgeo.api.context import request_membership
from selgeo.api.errors import Forbidden


class IsMerchantUser(BasePermission):
    """A dashboard token of a user who is a member of a merchant."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return False
        if isinstance(user, KeyPrincipal):
            raise Forbidden("API keys cannot call dashboard endpoints; log in for a token")
        if request_membership(request) is None:
            raise Forbidden("This account is not a member of a merchant")
        return True


class IsMerchantAdmin(IsMerchantUser):
    """Owners and admins: API keys, webhooks, team and other settings."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        membership = request_membership(request)
        if membership is None or membership.role not in (Role.OWNER, Role.ADMIN):
            raise Forbidden("This action needs the owner or admin role")
        return True


class IsPartnerUser(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return False
        if isinstance(user, KeyPrincipal) or getattr(user, "partner", None) is None:
            raise Forbidden("This endpoint is for partner accounts")
        return True


class HasSecretKey(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not isinstance(user, KeyPrincipal):
            return False
        return user.api_key.kind == KeyKind.SECRET


class HasPublicKey(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not isinstance(user, KeyPrincipal):
            return False
        return user.api_key.kind == KeyKind.PUBLIC


class SecretKeyOrMerchantUser(BasePermission):
    """Read endpoints open to both the merchant's servers (sk) and its dashboard users."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if isinstance(user, KeyPrincipal):
            return user.api_key.kind == KeyKind.SECRET
        return IsMerchantUser().has_permission(request, view)
