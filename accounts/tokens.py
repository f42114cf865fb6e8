"""Dashboard JWTs: which merchant (and role) or partner profile a token acts as, and when
a token stops being honoured.

Every token carries two claims of its own besides the merchant, role and partner:

- `gen`, the user's token generation when the session began. A password reset or change
  and a (de)activation move the generation (accounts.services), so every access and
  refresh token issued before is refused at once, in every process: the check compares
  the claim with the user row that authentication reads anyway (no extra query).
- `sid`, the session: one login and the refresh tokens rotated from it. Logging out puts
  the session in the shared cache's denylist until its last access token has expired.

Refresh tokens are single use: a refresh blacklists the token it was given (simplejwt's
token_blacklist tables, by token id) and answers a new one with the same claims. Only the
token id and its expiry are recorded, never the token: a copy of the database must not
be enough to mint access tokens.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.models import Membership, User
from selgeo.api.errors import Forbidden, Unauthorized

logger = logging.getLogger("selgeo.tokens")

GENERATION_CLAIM = "gen"
SESSION_CLAIM = "sid"
# Claims a rotated refresh token keeps from the one it replaces.
SESSION_CLAIMS = ("user_id", "merchant_id", "role", "partner_id", GENERATION_CLAIM, SESSION_CLAIM)


def issue_tokens(*, user: User, merchant_id: str | None = None) -> dict[str, Any]:
    memberships = Membership.objects.filter(user=user).order_by("created_at")
    membership = None
    if merchant_id:
        membership = memberships.filter(merchant_id=merchant_id).first()
        if membership is None:
            raise Forbidden("This account is not a member of that merchant")
    else:
        membership = memberships.first()
    claims: dict[str, Any] = {
        api_settings.USER_ID_CLAIM: str(user.pk),
        GENERATION_CLAIM: user.token_generation,
        SESSION_CLAIM: uuid.uuid4().hex,
    }
    if membership is not None:
        claims["merchant_id"] = str(membership.merchant_id)
        claims["role"] = membership.role
    partner = getattr(user, "partner", None)
    if partner is not None:
        claims["partner_id"] = str(partner.pk)
    refresh = _new_refresh(user_id=user.pk, claims=claims)
    return {
        "access": str(refresh.access_token),
        "refresh": str(refresh),
        "token_type": "Bearer",
        "merchant_id": str(membership.merchant_id) if membership else None,
        "partner_id": str(partner.pk) if partner else None,
    }


def _new_refresh(*, user_id: int, claims: dict[str, Any]) -> RefreshToken:
    refresh = RefreshToken()
    for name, value in claims.items():
        refresh[name] = value
    OutstandingToken.objects.create(
        user_id=user_id,
        jti=refresh[api_settings.JTI_CLAIM],
        token="",
        created_at=refresh.current_time,
        expires_at=datetime_from_epoch(refresh["exp"]),
    )
    return refresh


def _parse_refresh(raw: str) -> RefreshToken:
    try:
        # Verifies signature, type and expiry, and that the token is not blacklisted.
        return RefreshToken(raw)  # type: ignore[arg-type]
    except TokenError as exc:
        raise Unauthorized("The refresh token is invalid, expired or already used") from exc


def _spend(refresh: RefreshToken, user_id: int | None) -> None:
    """Blacklist `refresh`, or refuse it when another request spent it first.

    The blacklist row is unique per token: of two concurrent uses exactly one creates it.
    """
    jti = refresh[api_settings.JTI_CLAIM]
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=jti,
        defaults={
            "user_id": user_id,
            "token": "",
            "expires_at": datetime_from_epoch(refresh["exp"]),
        },
    )
    _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    if not created:
        raise Unauthorized("The refresh token is invalid, expired or already used")


def is_current(*, user: User, token: Token) -> bool:
    """Whether `token` (access or refresh) belongs to the user's current generation."""
    return user.is_active and token.get(GENERATION_CLAIM, 0) == user.token_generation


@transaction.atomic
def refresh_rotate(*, raw: str) -> dict[str, Any]:
    """A new access and refresh token for a refresh token, which is used up."""
    refresh = _parse_refresh(raw)
    user = User.objects.filter(pk=refresh.get(api_settings.USER_ID_CLAIM)).first()
    if user is None or not is_current(user=user, token=refresh):
        raise Unauthorized("The session has ended: log in again")
    _spend(refresh, user.pk)
    claims = {name: refresh[name] for name in SESSION_CLAIMS if name in refresh}
    # A token issued before sessions were named starts one now.
    claims.setdefault(SESSION_CLAIM, uuid.uuid4().hex)
    rotated = _new_refresh(user_id=user.pk, claims=claims)
    return {"access": str(rotated.access_token), "refresh": str(rotated), "token_type": "Bearer"}


def _logout_key(session: str) -> str:
    return f"selgeo.jwt-logout.{session}"


@transaction.atomic
def session_logout(*, raw: str) -> None:
    """End the session of a refresh token: the token is used up and the session's access
    tokens are refused until they expire."""
    refresh = _parse_refresh(raw)
    _spend(refresh, None)
    session = refresh.get(SESSION_CLAIM)
    if session:
        lifetime: timedelta = api_settings.ACCESS_TOKEN_LIFETIME
        cache.set(_logout_key(session), 1, timeout=int(lifetime.total_seconds()) + 1)


def session_ended(token: Token) -> bool:
    """Whether the token's session was logged out (one cache read).

    A cache that cannot answer lets the token through: an access token lives for minutes
    and its session's refresh token is blacklisted in the database regardless.
    """
    session = token.get(SESSION_CLAIM)
    if not session:
        return False
    try:
        return cache.get(_logout_key(session)) is not None
    except Exception as exc:  # the cache client raises its own connection errors
        logger.warning("cannot read the logout denylist: %s", exc)
        return False
