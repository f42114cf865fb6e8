"""POST /v1/clicks: record a click with a public key, from a browser or a server;
GET /v1/clicks/<id>: read one back (the snippet learns a tracking link's window from it).

Authentication is the `pk_*` key as `Authorization: Bearer` (the snippet reads it from
its `data-merchant` attribute and sends it that way; the key is not accepted in the
body, so there is one place to look for it). A secret key is 403 FORBIDDEN. The key's
mode decides the click's: a code of the other mode is 422 MODE_MISMATCH.

Answers 201 with the click id and when its attribution window closes. Unknown codes,
another merchant's codes and inactive ones (disabled, program not published) are 404
NOT_FOUND, an erased partner's are 409 PARTICIPANT_ERASED; neither records anything.
Bots are recorded, flagged, and answered `"attributable": false`. CORS headers come
from `tracking.middleware`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import orjson
from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.keys import parse_key
from accounts.models import ApiKey
from selgeo.api.authentication import PublicKeyAuthentication, bearer_token
from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import InvalidPublicKey, NotFound
from selgeo.api.permissions import HasPublicKey
from selgeo.api.serializers import moment_text
from selgeo.api.views import APIView
from selgeo.db import supports_prepared
from tracking import selectors, services, visitors
from tracking.models import ClickSource
from tracking.selectors import CodeSignal, PartnerSignal, ReferralSignal
from tracking.serializers import ClickIn, ClickOut, click_input_fast

DESCRIPTION = """Record a click. Send the public key as `Authorization: Bearer pk_…`.

Name the partner with `referral_code`, or with `program` (code or id) and `partner` (id).
From a browser (a request with an `Origin` header) the visitor is the request itself;
from a server, the `ip`, `user_agent` and `country` hints describe the visitor your
server saw (forward the visitor's User-Agent: HTTP libraries count as bots). IP
addresses are kept only as a keyed hash.

Errors: 401 INVALID_PUBLIC_KEY, 403 FORBIDDEN (a secret key), 404 NOT_FOUND (unknown,
another merchant's, disabled code or unpublished program: nothing is recorded), 409
PARTICIPANT_ERASED (the code's partner was erased: nothing is recorded), 422
MODE_MISMATCH (a code of the key's other mode), 429 RATE_LIMIT_EXCEEDED (1,000 per
minute per key). Bots are recorded with `"attributable": false`."""


def _visitor(request: Request, hints: Mapping[str, Any]) -> tuple[visitors.Visitor, str]:
    """Who clicked, and how the click came: a browser is the request itself, a server
    call describes its visitor with hints."""
    if visitors.is_browser_request(request):
        return visitors.visitor_from_request(request), ClickSource.BROWSER
    return visitors.visitor_from_hints(request, hints), ClickSource.API


class RecentPublicKeyAuthentication(PublicKeyAuthentication):
    def resolve(self, token: str) -> ApiKey | None:
        return services.public_key_recent(token)


class _PublicKeyView(APIView):
    """The tracking endpoints' credential: a public key, counted in the tracking zone."""

    authentication_classes = [RecentPublicKeyAuthentication]
    permission_classes = [HasPublicKey]
    missing_credentials_error = InvalidPublicKey
    rate_zone = "tracking"


class ClickCreateView(_PublicKeyView):
    """Clicks take a fast path when they can: a plainly valid body naming a referral code,
    on PostgreSQL, checked and recorded by one statement. Everything else (and every
    refusal) goes through the general path, which authenticates first as every view does.
    With rate limits on, the key is resolved before anything else to count the request
    in its per-key zone, and the fast path follows.
    """

    def perform_authentication(self, request: Request) -> None:
        if settings.SELGEO_RATELIMITS_ENABLED:
            super().perform_authentication(request)

    def check_permissions(self, request: Request) -> None:
        if settings.SELGEO_RATELIMITS_ENABLED:
            super().check_permissions(request)

    @extend_schema(
        operation_id="clicks_create",
        request=ClickIn,
        responses={
            201: ClickOut,
            409: OpenApiResponse(
                response={"$ref": "#/components/schemas/Error"},
                description="PARTICIPANT_ERASED: the code's partner was erased",
            ),
            422: OpenApiResponse(
                response={"$ref": "#/components/schemas/Error"},
                description="MODE_MISMATCH: a code or program of the key's other mode",
            ),
        },
        summary="Record a click (public key)",
        description=DESCRIPTION,
        tags=["tracking"],
    )
    def post(self, request: Request) -> Response:
        fast = self._record_fast(request)
        if fast is not None:
            return fast
        if not settings.SELGEO_RATELIMITS_ENABLED:
            super().perform_authentication(request)
            super().check_permissions(request)
        data = ClickIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        signal: ReferralSignal = (
            CodeSignal(values["referral_code"])
            if "referral_code" in values
            else PartnerSignal(program=values["program"], partner_id=values["partner"])
        )
        visitor, source = _visitor(request, values)
        click = services.click_track(
            merchant=request_merchant(request),
            mode=request_mode(request),
            signal=signal,
            visitor=visitor,
            source=source,
            landing_url=values["landing_url"],
            referrer=values["referrer"],
        )
        return Response(ClickOut(click).data, status=201, headers={"Cache-Control": "no-store"})

    def _record_fast(self, request: Request) -> Response | None:
        key = parse_key(bearer_token(request))
        if key is None or key.kind != "public" or not supports_prepared():
            return None
        # The body is read here rather than through request.data, so that a body the
        # general path must refuse is still refused after authentication, as elsewhere.
        charset = (request.content_params or {}).get("charset", "utf-8").lower()
        if request.content_type != "application/json" or charset not in {"utf-8", "utf8"}:
            return None
        try:
            body = orjson.loads(request.body)
        except ValueError:
            return None
        values = click_input_fast(body)
        if values is None:
            return None
        visitor, source = _visitor(request, values)
        click = services.click_track_fast(
            key=key,
            referral_code=values["referral_code"],
            visitor=visitor,
            source=source,
            landing_url=values["landing_url"],
            referrer=values["referrer"],
        )
        if click is None:
            return None
        data = {
            "click_id": str(click.id),
            "expires_at": moment_text(click.expires_at),
            "program": click.program_code,
            "partner": str(click.partner_id),
            "attributable": not click.is_bot,
        }
        return Response(data, status=201, headers={"Cache-Control": "no-store"})


class ClickDetailView(_PublicKeyView):
    """A click of the key's merchant and mode, as `POST /v1/clicks` answered it.

    The snippet asks for the click a tracking link (`/r/<code>`) added to the landing
    page's URL: the redirect cannot set a cookie on the merchant's site, and only the
    click knows when its program's window closes. Another merchant's or mode's click is
    404, as an unknown one is.
    """

    @extend_schema(
        operation_id="clicks_retrieve",
        responses={200: ClickOut},
        summary="Read a click (public key)",
        description="The click's id, when its attribution window closes, its program and "
        "partner, and whether it can be attributed. Errors: 401 INVALID_PUBLIC_KEY, "
        "403 FORBIDDEN (a secret key), 404 NOT_FOUND (unknown, another merchant's or the "
        "other mode's click), 429 RATE_LIMIT_EXCEEDED (the tracking zone).",
        tags=["tracking"],
    )
    def get(self, request: Request, click_id: uuid.UUID) -> Response:
        click = selectors.click_of_key(
            merchant=request_merchant(request), mode=request_mode(request), click_id=click_id
        )
        if click is None:
            raise NotFound("Click not found")
        return Response(ClickOut(click).data, headers={"Cache-Control": "no-store"})
