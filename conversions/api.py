"""The Conversion API: report (sk), list and read (sk or dashboard JWT), reverse (sk)."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from conversions import sandbox, selectors, services
from conversions.models import Conversion
from conversions.representations import conversion_data
from conversions.serializers import (
    ConversionFiltersIn,
    ConversionIn,
    ConversionOut,
    ReverseIn,
    conversion_values_fast,
)
from products.lines import LineItemInput
from selgeo.api.authentication import MerchantJWTAuthentication, SecretKeyAuthentication
from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import (
    Forbidden,
    InvalidApiKey,
    NotFound,
    ValidationFailed,
    flatten_validation_errors,
)
from selgeo.api.permissions import HasSecretKey, SecretKeyOrMerchantUser
from selgeo.api.views import GenericViewSet

UUID_PATTERN = "[0-9a-fA-F-]{32,36}"


def parse(serializer_class: type[Serializer], data: Any) -> dict[str, Any]:
    """Validate input or raise VALIDATION_ERROR with the per-field details."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise ValidationFailed(details=flatten_validation_errors(serializer.errors))
    validated: dict[str, Any] = serializer.validated_data
    return validated


def parse_query(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    names = serializer_class().fields.keys()
    data = {name: request.query_params[name] for name in names if name in request.query_params}
    return parse(serializer_class, data)


def _uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise NotFound() from exc


def conversion_input(v: dict[str, Any]) -> services.ConversionInput:
    return services.ConversionInput(
        external_transaction_id=v["external_transaction_id"],
        event_type=v["event_type"],
        click_id=v.get("click_id"),
        promo_code=v.get("promo_code"),
        amount_cents=v.get("amount_cents"),
        currency=v.get("currency"),
        customer_id=v.get("customer_id"),
        occurred_at=v.get("occurred_at"),
        metadata=v.get("metadata") or {},
        line_items=tuple(
            LineItemInput(item["product_id"], item["quantity"], item["amount_cents"])
            for item in v.get("line_items") or ()
        ),
    )


class SecretKeyOnly(HasSecretKey):
    """Dashboard tokens may read conversions but only the merchant's servers write them."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if getattr(request.user, "is_authenticated", False) and not super().has_permission(
            request, view
        ):
            raise Forbidden("This endpoint needs a secret (sk_*) key")
        return super().has_permission(request, view)


class ConversionViewSet(GenericViewSet):
    """Conversions of the key's mode, or of `?mode=` (default live) for dashboard tokens."""

    authentication_classes = [SecretKeyAuthentication, MerchantJWTAuthentication]
    missing_credentials_error = InvalidApiKey
    serializer_class = ConversionOut
    lookup_value_regex = UUID_PATTERN

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Only reporting conversions counts in the per-key conversions zone; reading
        # and reversing count in the general zone like every other endpoint.
        self.rate_zone = "conversions" if self.action == "create" else "general"
        super().initial(request, *args, **kwargs)

    def get_permissions(self) -> list[BasePermission]:
        if self.action in ("create", "reverse"):
            return [SecretKeyOnly()]
        return [SecretKeyOrMerchantUser()]

    def _scope(self) -> dict[str, Any]:
        return {"merchant": request_merchant(self.request), "mode": request_mode(self.request)}

    def _get(self, pk: str) -> Conversion:
        conversion = selectors.conversion_get(**self._scope(), conversion_id=_uuid_or_404(pk))
        if conversion is None:
            raise NotFound("Conversion not found")
        return conversion

    @extend_schema(
        summary="List conversions",
        parameters=[
            OpenApiParameter("program", str, description="Program id or code"),
            OpenApiParameter("partner", uuid.UUID),
            OpenApiParameter("status", str, enum=["pending", "approved", "reversed"]),
            OpenApiParameter("event_type", str, enum=["purchase", "lead", "signup"]),
            OpenApiParameter("attributed", str, enum=["true", "false"]),
            OpenApiParameter("external_transaction_id", str),
            OpenApiParameter(
                "created_after", OpenApiTypes.DATETIME, description="ISO 8601, inclusive"
            ),
            OpenApiParameter(
                "created_before", OpenApiTypes.DATETIME, description="ISO 8601, exclusive"
            ),
            OpenApiParameter("mode", str, enum=["test", "live"], description="JWT only"),
        ],
    )
    def list(self, request: Request) -> Response:
        v = parse_query(ConversionFiltersIn, request)
        attributed = v.get("attributed")
        filters = selectors.ConversionFilters(
            program=v.get("program"),
            partner=v.get("partner"),
            status=v.get("status"),
            event_type=v.get("event_type"),
            attributed=None if attributed is None else attributed == "true",
            external_transaction_id=v.get("external_transaction_id"),
            created_after=v.get("created_after"),
            created_before=v.get("created_before"),
        )
        qs = selectors.conversions_filtered(**self._scope(), filters=filters)
        page = self.paginate_queryset(qs)
        assert page is not None  # Selgeo's paginator pages every list
        return self.get_paginated_response([conversion_data(c) for c in page])

    @extend_schema(summary="Read one conversion")
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(conversion_data(self._get(pk)))

    @extend_schema(
        summary="Report a conversion",
        request=ConversionIn,
        responses={
            201: ConversionOut,
            409: OpenApiResponse(description="CONVERSION_DUPLICATE"),
            422: OpenApiResponse(description="NO_ATTRIBUTION_SIGNAL or MODE_MISMATCH"),
        },
    )
    def create(self, request: Request) -> Response:
        merchant, mode = request_merchant(request), request_mode(request)
        try:
            values = conversion_values_fast(request.data)
            if values is None:
                values = parse(ConversionIn, request.data)
            data = conversion_input(values)
            reported = services.conversion_create(merchant=merchant, mode=mode, data=data)
        except ValidationFailed as exc:
            sandbox.test_session_record_rejection(
                merchant=merchant, mode=mode, body=request.data, details=exc.details or []
            )
            raise
        return Response(reported.representation, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Reverse a conversion (refund, chargeback, fraud)", request=ReverseIn)
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str) -> Response:
        v = parse(ReverseIn, request.data)
        conversion = services.conversion_reverse(
            **self._scope(), conversion_id=_uuid_or_404(pk), reason=v["reason"]
        )
        return Response(conversion_data(conversion))
