"""Who calls the dialect and how much: its key header, its base view and rate-limit zones.

The vendor document sends the key as `X-API-Key: <key>` or `Authorization: Bearer
<key>`; in Selgeo that key is a secret key (`sk_test_*`, `sk_live_*`) and its prefix
decides the mode, as on Selgeo's own API. Rate limits count per key in the dialect's own
zones (`selgeo.api.ratelimit`): GET endpoints 100/min, POST endpoints 30/min, stats
20/min, reported conversions (`POST .../conversions`, `GET|POST /pb`) 1,000/min. A
request whose key does not validate is counted in Selgeo's general per-IP zone before
it is refused, as on Selgeo's own API.

The dialect lives outside /api/, so the checks Selgeo's middleware makes there (HTTPS,
the body-size cap, NUL in query strings) are made here, answered in the dialect's
envelope.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from rest_framework import views as drf_views
from rest_framework.authentication import BaseAuthentication
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request

from accounts.models import KeyKind, Merchant
from compat.affspace.errors import BadApiKey, DialectError, MissingApiKey, exception_handler
from selgeo.api.authentication import (
    KeyPrincipal,
    bearer_token,
    looks_like_key,
    resolve_key_recent,
)
from selgeo.api.errors import Forbidden, PayloadTooLarge
from selgeo.api.parsers import JSONParser
from selgeo.api.permissions import HasSecretKey
from selgeo.api.renderers import JSONRenderer
from selgeo.api.views import RateLimitedMixin

# The dialect's rate-limit zones (their limits are in settings.SELGEO_RATE_LIMITS).
GET_ZONE = "affspace_get"
POST_ZONE = "affspace_post"
STATS_ZONE = "affspace_stats"
CONVERSIONS_ZONE = "affspace_conversions"


def sent_key(request: Request) -> str | None:
    """The key from `X-API-Key`, else from `Authorization: Bearer`; None when neither.

    An `X-API-Key` header that is sent wins, even blank ("": an invalid key), so that a
    broken key header is never quietly replaced by another credential."""
    if "HTTP_X_API_KEY" in request.META:
        return str(request.META["HTTP_X_API_KEY"]).strip()
    return bearer_token(request) or None


class AffSpaceKeyAuthentication(BaseAuthentication):
    """A secret key in either of the vendor's headers. A public key, a dashboard token or
    anything else that is not a valid secret key is INVALID_API_KEY."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        raw = sent_key(request)
        if raw is None:
            return None
        key = resolve_key_recent(raw) if looks_like_key(raw) else None
        if key is None or key.kind != KeyKind.SECRET:
            raise BadApiKey()
        return KeyPrincipal(key), key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class DialectView(RateLimitedMixin, drf_views.APIView):
    """Base of every keyed dialect view: key auth, the dialect's envelope and zones."""

    authentication_classes: ClassVar[list[type[BaseAuthentication]]] = [  # type: ignore[misc]
        AffSpaceKeyAuthentication
    ]
    permission_classes: ClassVar[list[Any]] = [HasSecretKey]  # type: ignore[misc]
    parser_classes: ClassVar[list[Any]] = [JSONParser, FormParser, MultiPartParser]  # type: ignore[misc]
    renderer_classes: ClassVar[list[Any]] = [JSONRenderer]  # type: ignore[misc]
    missing_credentials_error = MissingApiKey
    # The zone each method counts in; another method (OPTIONS) counts per IP.
    zones: ClassVar[dict[str, str]] = {"GET": GET_ZONE, "HEAD": GET_ZONE, "POST": POST_ZONE}

    def get_exception_handler(self) -> Any:
        return exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        _refuse_plain_http(request)
        _refuse_large_body(request)
        _refuse_nul_in_query(request)
        self.rate_zone = self.zones.get(request.method or "", "general")
        super().initial(request, *args, **kwargs)

    def merchant(self) -> Merchant:
        principal: KeyPrincipal = self.request.user  # type: ignore[assignment]
        return principal.merchant

    def mode(self) -> str:
        principal: KeyPrincipal = self.request.user  # type: ignore[assignment]
        return str(principal.mode)


class PublicDialectView(DialectView):
    """The dialect's unauthenticated endpoint (health), counted per IP."""

    authentication_classes: ClassVar[list[type[BaseAuthentication]]] = []  # type: ignore[misc]
    permission_classes: ClassVar[list[Any]] = []  # type: ignore[misc]
    zones: ClassVar[dict[str, str]] = {}


def _refuse_plain_http(request: Request) -> None:
    # A redirect to HTTPS would have sent the key in the clear already.
    if settings.SELGEO_REQUIRE_HTTPS and not request.is_secure():
        raise Forbidden("HTTPS is required; plain-HTTP requests are rejected")


def _refuse_large_body(request: Request) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.SELGEO_MAX_BODY_BYTES:
        raise PayloadTooLarge(f"Request body is larger than {settings.SELGEO_MAX_BODY_BYTES} bytes")


def _refuse_nul_in_query(request: Request) -> None:
    # PostgreSQL text holds no NUL: a filter carrying one is refused, naming it.
    for name, values in request.query_params.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            clean = name.replace("\x00", "")
            raise DialectError(f"{clean} must not contain null characters", field=clean)
