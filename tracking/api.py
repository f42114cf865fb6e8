"""POST /v1/clicks: record a click with a public key, from a browser or a server.

Authentication is the `pk_*` key as `Authorization: Bearer` (the snippet reads it from
its `data-merchant` attribute and sends it that way; the key is not accepted in the
body, so there is one place to look for it). A secret key is 403 FORBIDDEN. The key's
mode decides the click's: a code of the other mode is 422 MODE_MISMATCH.

Answers 201 with the click id and when its attribution window closes. Unknown codes,
another merchant's codes and inactive ones (disabled, partner erased, program not
published) are 404 NOT_FOUND and record nothing. Bots are recorded, flagged, and
answered `"attributable": false`. CORS headers come from `tracking.middleware`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from selgeo.api.authentication import PublicKeyAuthentication
from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import InvalidPublicKey
from selgeo.api.permissions import HasPublicKey
from selgeo.api.views import APIView
from tracking import services, visitors
from tracking.models import ClickSource
from tracking.selectors import CodeSignal, PartnerSignal, ReferralSignal
from tracking.serializers import ClickIn, ClickOut

DESCRIPTION = """Record a click. Send the public key as `Authorization: Bearer pk_…`.

Name the partner with `referral_code`, or with `program` (code or id) and `partner` (id).
From a browser (a request with an `Origin` header) the visitor is the request itself;
from a server, the `ip`, `user_agent` and `country` hints describe the visitor your
server saw (forward the visitor's User-Agent: HTTP libraries count as bots). IP
addresses are kept only as a keyed hash.

Errors: 401 INVALID_PUBLIC_KEY, 403 FORBIDDEN (a secret key), 404 NOT_FOUND (unknown,
another merchant's, disabled code, erased partner or unpublished program: nothing is
recorded), 422 MODE_MISMATCH (a code of the key's other mode), 429 RATE_LIMIT_EXCEEDED
(1,000 per minute per key). Bots are recorded with `"attributable": false`."""


class ClickCreateView(APIView):
    authentication_classes = [PublicKeyAuthentication]
    permission_classes = [HasPublicKey]
    missing_credentials_error = InvalidPublicKey
    rate_zone = "tracking"

    @extend_schema(
        operation_id="clicks_create",
        request=ClickIn,
        responses={
            201: ClickOut,
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
        data = ClickIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        signal: ReferralSignal = (
            CodeSignal(values["referral_code"])
            if "referral_code" in values
            else PartnerSignal(program=values["program"], partner_id=values["partner"])
        )
        if visitors.is_browser_request(request):
            visitor = visitors.visitor_from_request(request)
            source = ClickSource.BROWSER
        else:
            visitor = visitors.visitor_from_hints(request, values)
            source = ClickSource.API
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
