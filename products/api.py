"""The products API: list, create, read and update the merchant's products in one mode.

Open to the merchant's servers (secret key: the key's mode) and to its dashboard users
(JWT: `?mode=`, default live), like the conversion reads.
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from products import selectors, services
from products.models import Product
from products.serializers import ProductIn, ProductOut, ProductUpdateIn
from selgeo.api.authentication import MerchantJWTAuthentication, SecretKeyAuthentication
from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import InvalidApiKey, NotFound, ValidationFailed, envelope
from selgeo.api.errors import flatten_validation_errors as flatten
from selgeo.api.permissions import SecretKeyOrMerchantUser
from selgeo.api.views import GenericViewSet

MODE_PARAM = OpenApiParameter(
    "mode", str, enum=["test", "live"], description="Dashboard tokens only (default live)"
)
PRODUCT_ID = "0193b1c2-3d4e-7f50-8a61-b2c3d4e5f607"
ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}

EXAMPLE_PRODUCT = {
    "id": PRODUCT_ID,
    "mode": "live",
    "code": "7b84a62b",
    "title": "My awesome product",
    "description": "This is the description",
    "price_cents": 399,
    "currency": "USD",
    "product_type": 2,
    "stock": 0,
    "private": False,
    "unlisted": False,
    "seller_note": "",
    "minimum_quantity": 1,
    "maximum_quantity": None,
    "custom": {"0": {"type": "2", "name": "Username", "required": True}},
    "commission_rule": "cps",
    "commission_percent_bps": 1500,
    "commission_cpa_amount_cents": None,
    "created_at": "2026-03-14T23:27:54Z",
    "updated_at": "2026-03-20T16:48:20Z",
}
EXAMPLE_CREATE = {
    "code": "7b84a62b",
    "title": "My awesome product",
    "description": "This is the description",
    "price_cents": 399,
    "currency": "USD",
    "product_type": 2,
    "stock": 0,
    "custom": {"0": {"type": "2", "name": "Username", "required": True}},
    "commission_rule": "cps",
    "commission_percent_bps": 1500,
}


def _error(status_code: int, code: str, message: str, *cases: tuple[str, Any]) -> OpenApiResponse:
    return OpenApiResponse(
        response=ERROR_SCHEMA,
        description=code,
        examples=[
            OpenApiExample(name, value=value, status_codes=[str(status_code)])
            for name, value in cases
        ]
        or [
            OpenApiExample(
                code.lower(),
                value=envelope(status_code, code, message),
                status_codes=[str(status_code)],
            )
        ],
    )


UNAUTHORIZED = _error(401, "INVALID_API_KEY", "Invalid or missing API key")
NOT_FOUND = _error(404, "NOT_FOUND", "Product not found")
INVALID = _error(
    400,
    "VALIDATION_ERROR",
    "Validation failed",
    (
        "figure_missing",
        envelope(
            400,
            "VALIDATION_ERROR",
            "Validation failed",
            [
                {
                    "field": "commission_percent_bps",
                    "message": "Required when commission_rule is cps",
                }
            ],
        ),
    ),
    (
        "code_taken",
        envelope(
            400,
            "VALIDATION_ERROR",
            "A product with this code already exists in this mode",
            [{"field": "code", "message": "A product with this code already exists in this mode"}],
        ),
    ),
)


def _parse(serializer_class: type[ProductIn], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise ValidationFailed(details=flatten(serializer.errors))
    validated: dict[str, Any] = serializer.validated_data
    return validated


@extend_schema(tags=["products"], parameters=[MODE_PARAM])
class ProductViewSet(GenericViewSet):
    """The products the merchant sells, with their commission rules."""

    authentication_classes = [SecretKeyAuthentication, MerchantJWTAuthentication]
    permission_classes = [SecretKeyOrMerchantUser]
    missing_credentials_error = InvalidApiKey
    serializer_class = ProductOut
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Product.objects.none()
        return selectors.products_for(
            merchant=request_merchant(self.request), mode=request_mode(self.request)
        ).order_by("-created_at", "-id")

    def _get(self, pk: str) -> Product:
        try:
            product_id = uuid.UUID(pk)
        except ValueError as exc:
            raise NotFound("Product not found") from exc
        product: Product | None = self.get_queryset().filter(pk=product_id).first()
        if product is None:
            raise NotFound("Product not found")
        return product

    @extend_schema(
        summary="List products",
        description="The merchant's products in the key's mode (or `?mode=`), newest first, "
        "20 per page by default.",
        responses={
            200: ProductOut(many=True),
            401: UNAUTHORIZED,
        },
        examples=[
            OpenApiExample(
                "products",
                value=EXAMPLE_PRODUCT,
                response_only=True,
            )
        ],
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # Selgeo's paginator pages every list
        return self.get_paginated_response(ProductOut(page, many=True).data)

    @extend_schema(
        summary="Create a product",
        description=(
            "A product and its commission rule: `program` (the program's terms, the default), "
            "`cps` (its own percentage of each line's amount, `commission_percent_bps`), `cpa` "
            "(a fixed `commission_cpa_amount_cents` per unit, in the product's currency) or "
            "`excluded` (no commission). Conversions name products in their `line_items` "
            "by id or by `code`. Only `product_type` 2 keeps a stock count."
        ),
        request=ProductIn,
        responses={201: ProductOut, 400: INVALID, 401: UNAUTHORIZED},
        examples=[
            OpenApiExample("create", value=EXAMPLE_CREATE, request_only=True),
            OpenApiExample(
                "created", value=EXAMPLE_PRODUCT, response_only=True, status_codes=["201"]
            ),
        ],
    )
    def create(self, request: Request) -> Response:
        values = _parse(ProductIn, request.data)
        product = services.product_create(
            merchant=request_merchant(request), mode=request_mode(request), values=values
        )
        return Response(ProductOut(product).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Read one product",
        description="A product of the merchant in this mode; any other id is 404.",
        responses={200: ProductOut, 401: UNAUTHORIZED, 404: NOT_FOUND},
        examples=[OpenApiExample("product", value=EXAMPLE_PRODUCT, response_only=True)],
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ProductOut(self._get(pk)).data)

    @extend_schema(
        summary="Update a product",
        description=(
            "Changes the fields sent. Changing `commission_rule` clears the figure the new "
            "rule does not use unless the same request sets it; the new rule applies to "
            "conversions recorded from then on, never to recorded ones."
        ),
        request=ProductUpdateIn,
        responses={200: ProductOut, 400: INVALID, 401: UNAUTHORIZED, 404: NOT_FOUND},
        examples=[
            OpenApiExample(
                "exclude",
                value={"commission_rule": "excluded"},
                request_only=True,
            ),
            OpenApiExample(
                "updated",
                value={
                    **EXAMPLE_PRODUCT,
                    "commission_rule": "excluded",
                    "commission_percent_bps": None,
                },
                response_only=True,
            ),
        ],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        product = self._get(pk)
        changes = _parse(ProductUpdateIn, request.data)
        updated = services.product_update(product=product, changes=changes)
        return Response(ProductOut(updated).data)
