"""DRF authentication for pk_/sk_ API keys and the dashboard JWT.

The key's prefix decides its kind and mode. A malformed key is refused before any
database lookup; a well-formed one costs one indexed lookup by prefix and a
constant-time digest comparison. A valid key of the wrong kind is 403 FORBIDDEN.
"""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import Token

from accounts.keys import digests_match, parse_key
from accounts.models import ApiKey, User
from accounts.tokens import is_current, session_ended
from selgeo import changes
from selgeo.api.errors import ApiError, Forbidden, InvalidApiKey, Unauthorized
from selgeo.db import JoinedLoader


class KeyPrincipal:
    """`request.user` for key-authenticated requests: the merchant, acting through a key."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key
        self.merchant = api_key.merchant
        self.mode = api_key.mode
        self.pk = None

    def __str__(self) -> str:
        return f"key {self.api_key.redacted}"


def bearer_token(request: Request) -> str:
    header = get_authorization_header(request).decode("latin-1").strip()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return token.strip()


def looks_like_key(token: str) -> bool:
    return token.startswith(("pk_", "sk_"))


def _view_error(request: Request, attribute: str, default: type[ApiError]) -> type[ApiError]:
    view = (getattr(request, "parser_context", None) or {}).get("view")
    return getattr(view, attribute, default)


_KEY_BY_PREFIX = JoinedLoader(ApiKey, ("merchant",), 't0."prefix" = %s', ("prefix",))


# Keys resolved a moment ago, kept only while this process hears every change to keys
# and merchants (`selgeo.changes`); even then a key is looked up again after a minute.
RECENT_KEYS: changes.Recent[str, ApiKey] = changes.Recent(seconds=lambda: 60.0, listening_only=True)


def resolve_key_recent(raw: str) -> ApiKey | None:
    """`resolve_key`, answered from memory while this process hears every change.
    Expiry is checked on every use."""
    key = RECENT_KEYS.get(raw, lambda: resolve_key(raw))
    return key if key is not None and key.is_active() else None


def resolve_key(raw: str) -> ApiKey | None:
    parsed = parse_key(raw)
    if parsed is None:
        return None
    key: ApiKey | None = _KEY_BY_PREFIX.first([parsed.prefix])
    if key is None or not digests_match(parsed.raw, key.secret_hash):
        return None
    if key.kind != parsed.kind or key.mode != parsed.mode or not key.is_active():
        return None
    return key


class _KeyAuthentication(BaseAuthentication):
    expected_kind = ""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        token = bearer_token(request)
        if not looks_like_key(token):
            return None
        error = _view_error(request, "missing_credentials_error", InvalidApiKey)
        key = self.resolve(token)
        if key is None:
            raise error()
        if key.kind != self.expected_kind:
            wanted = "secret (sk_*)" if self.expected_kind == "secret" else "public (pk_*)"
            raise Forbidden(f"This endpoint needs a {wanted} key")
        return KeyPrincipal(key), key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'

    def resolve(self, token: str) -> ApiKey | None:
        return resolve_key_recent(token)


class SecretKeyAuthentication(_KeyAuthentication):
    expected_kind = "secret"


class PublicKeyAuthentication(_KeyAuthentication):
    expected_kind = "public"


class MerchantJWTAuthentication(JWTAuthentication):
    """The dashboard token. API keys sent here are recognised and refused as FORBIDDEN.

    A token is honoured while its user is active, its `gen` claim is the user's token
    generation (read from the user row this reads anyway: no extra query) and its session
    was not logged out (one read of the shared cache); see accounts.tokens.
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        token = bearer_token(request)
        if looks_like_key(token):
            if resolve_key(token) is None:
                raise Unauthorized("Invalid API key")
            raise Forbidden("API keys cannot call dashboard endpoints; log in for a token")
        try:
            return super().authenticate(request)
        except (InvalidToken, TokenError) as exc:
            raise Unauthorized("The access token is invalid or expired") from exc

    def get_user(self, validated_token: Token) -> Any:
        user = User.objects.filter(pk=validated_token.get(jwt_settings.USER_ID_CLAIM)).first()
        if user is None or not is_current(user=user, token=validated_token):
            raise Unauthorized("The session has ended: log in again")
        if session_ended(validated_token):
            raise Unauthorized("The session was logged out: log in again")
        return user

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
