"""Merchant side: programs (`/api/v1/programs`), their status actions and invitations."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from partners import selectors, services
from partners.api import filters
from partners.api.common import ScopedViewSet
from partners.models import CommissionType, Program, ProgramStatus
from partners.serializers import InvitationOut, InviteIn, ProgramIn, ProgramOut, ProgramUpdateIn
from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import ValidationFailed
from selgeo.api.serializers import CURRENCY_SCHEMA

MODE_PARAM = OpenApiParameter("mode", str, enum=["test", "live"], description="Default live")


@extend_schema(tags=["programs"], parameters=[MODE_PARAM])
class ProgramViewSet(ScopedViewSet):
    """The merchant's programs in one mode. Status changes only through the actions."""

    model = Program
    serializer_class = ProgramOut
    not_found_message = "Program not found"

    def scoped(self) -> Any:
        return selectors.programs_for(
            merchant=request_merchant(self.request), mode=request_mode(self.request)
        ).order_by("-created_at")

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ProgramStatus.values),
            OpenApiParameter("commission_type", str, enum=CommissionType.values),
            OpenApiParameter("is_public", bool),
            OpenApiParameter("currency", CURRENCY_SCHEMA),
            OpenApiParameter("q", str, description="Search in name and code"),
        ]
    )
    def list(self, request: Request) -> Response:
        queryset = self.get_queryset()
        value = filters.choice(request, "status", ProgramStatus.values)
        if value:
            queryset = queryset.filter(status=value)
        value = filters.choice(request, "commission_type", CommissionType.values)
        if value:
            queryset = queryset.filter(commission_type=value)
        public = filters.boolean(request, "is_public")
        if public is not None:
            queryset = queryset.filter(is_public=public)
        currency = filters.currency(request)
        if currency:
            queryset = queryset.filter(currency=currency)
        queryset = filters.search(request, queryset, "name", "code")
        return self.paginated(queryset, ProgramOut)

    @extend_schema(request=ProgramIn, responses={201: ProgramOut})
    def create(self, request: Request) -> Response:
        data = ProgramIn(data=request.data)
        data.is_valid(raise_exception=True)
        program = services.program_create(
            merchant=request_merchant(request), mode=request_mode(request), **data.validated_data
        )
        return Response(ProgramOut(program).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ProgramOut(self.get_scoped_object()).data)

    @extend_schema(request=ProgramUpdateIn, responses={200: ProgramOut})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        program = self.get_scoped_object()
        data = ProgramUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data:
            raise ValidationFailed.field("body", "Send at least one field to change")
        program = services.program_update(
            program=program,
            changes=data.validated_data,
            changed_by=request.user if isinstance(request.user, User) else None,
        )
        return Response(ProgramOut(program).data)

    @extend_schema(request=None, responses={200: ProgramOut})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """draft → published, or paused → published."""
        program = services.program_publish(program=self.get_scoped_object())
        return Response(ProgramOut(program).data)

    @extend_schema(request=None, responses={200: ProgramOut})
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str | None = None) -> Response:
        program = services.program_pause(program=self.get_scoped_object())
        return Response(ProgramOut(program).data)

    @extend_schema(request=None, responses={200: ProgramOut})
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        """Archived is final: the program's code stays reserved."""
        program = services.program_archive(program=self.get_scoped_object())
        return Response(ProgramOut(program).data)

    @extend_schema(request=InviteIn, responses={201: InvitationOut, 200: InvitationOut})
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str | None = None) -> Response:
        """Offer the program to an email address; the partner accepts or declines.

        The answer is the same whether the address has a Selgeo account or not. An open
        invitation of the same address to this program is answered again (200, no mail).
        """
        program = self.get_scoped_object()
        data = InviteIn(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, created = services.invitation_create(
            program=program,
            email=data.validated_data["email"],
            message=data.validated_data["message"],
        )
        return Response(
            InvitationOut(invitation).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
