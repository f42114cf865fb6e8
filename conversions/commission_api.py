"""Commissions for the merchant dashboard (JWT) and for partners (partner JWT)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from conversions import selectors
from conversions.api import UUID_PATTERN, _uuid_or_404, parse_query
from conversions.models import Commission
from conversions.representations import commission_data, partner_commission_data
from conversions.serializers import (
    CommissionFiltersIn,
    CommissionOut,
    PartnerCommissionFiltersIn,
    PartnerCommissionOut,
)
from selgeo.api.context import request_merchant, request_mode, request_partner
from selgeo.api.errors import NotFound
from selgeo.api.permissions import IsMerchantUser, IsPartnerUser
from selgeo.api.views import GenericViewSet

_STATUS = OpenApiParameter("status", str, enum=["pending", "approved", "paid", "reversed"])
_MODE = OpenApiParameter("mode", str, enum=["test", "live"], description="Default live")
_PROGRAM = OpenApiParameter("program", str, description="Program id or code")


def _one(qs: QuerySet[Commission], pk: str) -> Commission:
    commission = qs.filter(pk=_uuid_or_404(pk)).first()
    if commission is None:
        raise NotFound("Commission not found")
    return commission


class CommissionViewSet(GenericViewSet):
    """The merchant's commissions in one mode (`?mode=test|live`, default live)."""

    permission_classes = [IsMerchantUser]
    serializer_class = CommissionOut
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> QuerySet[Commission]:
        return selectors.commissions_for(
            merchant=request_merchant(self.request), mode=request_mode(self.request)
        )

    @extend_schema(
        summary="List commissions",
        parameters=[_STATUS, OpenApiParameter("partner", uuid.UUID), _PROGRAM, _MODE],
    )
    def list(self, request: Request) -> Response:
        v = parse_query(CommissionFiltersIn, request)
        qs = selectors.commissions_filtered(
            self.get_queryset(),
            status=v.get("status"),
            partner=v.get("partner"),
            program=v.get("program"),
        )
        page = self.paginate_queryset(qs)
        assert page is not None  # Selgeo's paginator pages every list
        return self.get_paginated_response([commission_data(c) for c in page])

    @extend_schema(summary="Read one commission", parameters=[_MODE])
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(commission_data(_one(self.get_queryset(), pk)))


class PartnerCommissionViewSet(GenericViewSet):
    """The signed-in partner's own commissions, across merchants, in one mode."""

    permission_classes = [IsPartnerUser]
    serializer_class = PartnerCommissionOut
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> QuerySet[Commission]:
        return selectors.commissions_of_partner(
            partner=request_partner(self.request), mode=request_mode(self.request)
        )

    @extend_schema(
        summary="List my commissions",
        parameters=[_STATUS, OpenApiParameter("merchant", uuid.UUID), _PROGRAM, _MODE],
    )
    def list(self, request: Request) -> Response:
        v = parse_query(PartnerCommissionFiltersIn, request)
        qs = selectors.commissions_filtered(
            self.get_queryset(),
            status=v.get("status"),
            merchant=v.get("merchant"),
            program=v.get("program"),
        )
        page = self.paginate_queryset(qs)
        assert page is not None  # Selgeo's paginator pages every list
        return self.get_paginated_response([partner_commission_data(c) for c in page])

    @extend_schema(summary="Read one of my commissions", parameters=[_MODE])
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(partner_commission_data(_one(self.get_queryset(), pk)))
