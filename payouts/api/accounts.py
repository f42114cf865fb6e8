"""Partner side: the partner's own payout account and tax details (partner JWT).

`/api/v1/partner/payout-account` and `/api/v1/partner/tax-profile` read and replace the
partner's own rows only: there is no id in these routes, so no other partner's can be
named. Secrets are answered masked.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from payouts import selectors, services
from payouts.api.serializers import (
    PayoutAccountIn,
    PayoutAccountOut,
    TaxDocumentOut,
    TaxProfileIn,
    TaxProfileOut,
)
from selgeo.api.context import request_partner
from selgeo.api.errors import NotFound
from selgeo.api.permissions import IsPartnerUser
from selgeo.api.views import APIView


@extend_schema(tags=["partner"])
class PayoutAccountView(APIView):
    permission_classes = [IsPartnerUser]

    @extend_schema(responses={200: PayoutAccountOut})
    def get(self, request: Request) -> Response:
        account = selectors.active_payout_account(request_partner(request))
        if account is None:
            raise NotFound("No payout account on file")
        return Response(PayoutAccountOut(account).data)

    @extend_schema(request=PayoutAccountIn, responses={200: PayoutAccountOut})
    def put(self, request: Request) -> Response:
        """Replace the active payout method (the previous one is kept, inactive)."""
        data = PayoutAccountIn(data=request.data)
        data.is_valid(raise_exception=True)
        details = dict(data.validated_data)
        method = details.pop("method")
        account = services.payout_account_replace(
            partner=request_partner(request), method=method, details=details
        )
        return Response(PayoutAccountOut(account).data)


@extend_schema(tags=["partner"])
class TaxProfileView(APIView):
    permission_classes = [IsPartnerUser]

    @extend_schema(responses={200: TaxProfileOut})
    def get(self, request: Request) -> Response:
        profile = selectors.tax_profile_of(request_partner(request))
        if profile is None:
            raise NotFound("No tax details on file")
        return Response(TaxProfileOut(profile).data)

    @extend_schema(request=TaxProfileIn, responses={200: TaxProfileOut})
    def put(self, request: Request) -> Response:
        """Replace the tax details and sign the form anew (dated now)."""
        data = TaxProfileIn(data=request.data)
        data.is_valid(raise_exception=True)
        profile = services.tax_profile_save(partner=request_partner(request), **data.validated_data)
        return Response(TaxProfileOut(profile).data)


@extend_schema(tags=["partner"])
class TaxFormDocumentView(APIView):
    """The signed form, rendered as a document (title and labelled lines, secrets masked)."""

    permission_classes = [IsPartnerUser]

    @extend_schema(responses={200: TaxDocumentOut})
    def get(self, request: Request) -> Response:
        profile = selectors.tax_profile_of(request_partner(request))
        if profile is None or not profile.signature:
            raise NotFound("No tax details on file")
        return Response(selectors.tax_document(profile))
