"""Invitations: the merchant's (`/api/v1/invitations`) and the partner's
(`/api/v1/partner/invitations`), each in one mode (`?mode=`, default live)."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from partners import selectors, services
from partners.api import filters
from partners.api.common import ScopedViewSet
from partners.api.programs import MODE_PARAM
from partners.models import Invitation, InvitationStatus
from partners.serializers import InvitationOut, PartnerInvitationOut
from selgeo.api.context import request_merchant, request_mode, request_partner
from selgeo.api.permissions import IsMerchantUser, IsPartnerUser

LIST_FILTERS = [
    OpenApiParameter("status", str, enum=InvitationStatus.values),
    OpenApiParameter("program", uuid.UUID, description="Program id"),
]


def _filtered(request: Request, queryset: Any) -> Any:
    queryset = filters.by_ids(request, queryset, "program")
    value = filters.choice(request, "status", InvitationStatus.values)
    if value:
        queryset = queryset.filter(status=value)
    return queryset


@extend_schema(tags=["invitations"], parameters=[MODE_PARAM])
class InvitationViewSet(ScopedViewSet):
    """The merchant's invitations: an address, a program and a status, nothing of the partner."""

    permission_classes = [IsMerchantUser]
    model = Invitation
    serializer_class = InvitationOut
    not_found_message = "Invitation not found"

    def scoped(self) -> Any:
        return selectors.invitations_for(
            merchant=request_merchant(self.request), mode=request_mode(self.request)
        ).order_by("-created_at")

    @extend_schema(
        parameters=[*LIST_FILTERS, OpenApiParameter("q", str, description="Search in the email")]
    )
    def list(self, request: Request) -> Response:
        queryset = filters.search(request, _filtered(request, self.get_queryset()), "email")
        return self.paginated(queryset, InvitationOut)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(InvitationOut(self.get_scoped_object()).data)

    @extend_schema(request=None, responses={200: InvitationOut})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """invited → revoked: the emailed link stops working."""
        invitation = services.invitation_revoke(invitation=self.get_scoped_object())
        return Response(InvitationOut(invitation).data)


@extend_schema(tags=["partner"], parameters=[MODE_PARAM])
class PartnerInvitationViewSet(ScopedViewSet):
    """Invitations to the partner's login email: accept to join the program, or decline."""

    permission_classes = [IsPartnerUser]
    model = Invitation
    serializer_class = PartnerInvitationOut
    not_found_message = "Invitation not found"

    def scoped(self) -> Any:
        return selectors.invitations_of(
            partner=request_partner(self.request), mode=request_mode(self.request)
        ).order_by("-created_at")

    @extend_schema(parameters=LIST_FILTERS)
    def list(self, request: Request) -> Response:
        return self.paginated(_filtered(request, self.get_queryset()), PartnerInvitationOut)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(PartnerInvitationOut(self.get_scoped_object()).data)

    @extend_schema(request=None, responses={200: PartnerInvitationOut})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """invited → accepted: the partner is approved in the program, with a referral code."""
        invitation = services.invitation_accept(
            invitation=self.get_scoped_object(), partner=request_partner(request)
        )
        return Response(PartnerInvitationOut(invitation).data)

    @extend_schema(request=None, responses={200: PartnerInvitationOut})
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        invitation = services.invitation_decline(
            invitation=self.get_scoped_object(), partner=request_partner(request)
        )
        return Response(PartnerInvitationOut(invitation).data)
