"""`/api/v1/payment-forwards`: create, list and read payment forwards (secret keys).

Every request counts in the `payment_forwards` zone of its key, whatever it answers
(the commerce reference's rule); a request whose key does not validate counts in the
general IP zone, as everywhere. A mode without a node answers 503
PAYMENT_FORWARDING_UNAVAILABLE once the request itself is valid.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from conversions.api import parse, parse_query
from payouts.forwarding import docs, selectors, services
from payouts.forwarding.errors import PaymentForwardingUnavailable
from payouts.forwarding.node import config_for
from payouts.forwarding.representations import forward_data
from payouts.forwarding.serializers import (
    PaymentForwardDetailOut,
    PaymentForwardFiltersIn,
    PaymentForwardIn,
    PaymentForwardOut,
)
from selgeo.api.authentication import SecretKeyAuthentication
from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import InvalidApiKey, NotFound
from selgeo.api.permissions import HasSecretKey
from selgeo.api.views import GenericViewSet


def _require_node(mode: str) -> None:
    if config_for(mode) is None:
        raise PaymentForwardingUnavailable()


def _detail(forward: Any) -> dict[str, Any]:
    return {**forward_data(forward), "webhook_secret": forward.webhook_endpoint.secret}


@extend_schema(tags=["payment forwarding"])
class PaymentForwardViewSet(GenericViewSet):
    authentication_classes = [SecretKeyAuthentication]
    permission_classes = [HasSecretKey]
    missing_credentials_error = InvalidApiKey
    rate_zone = "payment_forwards"
    serializer_class = PaymentForwardOut
    lookup_value_regex = "[^/]+"

    def _scope(self) -> dict[str, Any]:
        return {"merchant": request_merchant(self.request), "mode": request_mode(self.request)}

    @extend_schema(
        summary="Create a Bitcoin payment forward",
        description=docs.CREATE,
        request=PaymentForwardIn,
        examples=[docs.CREATE_REQUEST],
        responses={
            201: OpenApiResponse(PaymentForwardDetailOut, "The forward", examples=[docs.CREATED]),
            **docs.errors("invalid", "webhook_private", "unavailable"),
        },
    )
    def create(self, request: Request) -> Response:
        scope = self._scope()
        data = parse(PaymentForwardIn, request.data)
        # The service reads the raw values again: it reports every rule at once.
        body = request.data
        assert isinstance(body, dict)  # parse() refused anything but an object
        raw = {name: body.get(name) for name in data}
        forward = services.payment_forward_create(**scope, data=raw)
        forward = (
            selectors.forwards_for(**scope).select_related("webhook_endpoint").get(pk=forward.pk)
        )
        return Response(_detail(forward), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="List payment forwards",
        description=docs.LIST,
        parameters=[
            OpenApiParameter("address", str, description="The forward-to address"),
            OpenApiParameter("payment_address", str, description="The address the customer pays"),
            OpenApiParameter("partner_id", OpenApiTypes.UUID),
            OpenApiParameter("created_after", OpenApiTypes.DATETIME, description="Inclusive"),
            OpenApiParameter("created_before", OpenApiTypes.DATETIME, description="Exclusive"),
        ],
        responses={
            200: OpenApiResponse(
                PaymentForwardOut(many=True), "A page of forwards", examples=[docs.LISTED]
            ),
            **docs.errors("unavailable"),
        },
    )
    def list(self, request: Request) -> Response:
        filters = parse_query(PaymentForwardFiltersIn, request)
        _require_node(request_mode(request))
        page = self.paginate_queryset(selectors.forwards_filtered(**self._scope(), **filters))
        assert page is not None  # Selgeo's paginator pages every list
        return self.get_paginated_response([forward_data(f) for f in page])

    @extend_schema(
        summary="Read one payment forward",
        description=docs.DETAIL,
        responses={
            200: OpenApiResponse(PaymentForwardDetailOut, "The forward", examples=[docs.FORWARDED]),
            **docs.errors("not_found", "unavailable"),
        },
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        _require_node(request_mode(request))
        forward = selectors.forward_get(**self._scope(), forward_id=pk)
        if forward is None:
            raise NotFound("Payment forward not found")
        return Response(_detail(forward))
