"""Partner side (`/api/v1/partner/...`): browse and apply, own applications, codes, profile.

A partner acts for itself across merchants; `?mode=test|live` (default live) picks the
merchants' test or live programs, as on the merchant side.
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Partner
from partners import selectors, services
from partners.api import filters
from partners.api.common import ReferralCodeDetailMixin, ScopedViewSet
from partners.api.programs import MODE_PARAM
from partners.models import (
    Application,
    ApplicationStatus,
    CommissionType,
    Program,
    ProgramStatus,
    PromoCode,
    ReferralCode,
)
from partners.serializers import (
    MessageIn,
    PartnerApplicationOut,
    PartnerOut,
    PartnerProgramOut,
    PartnerReferralCodeCreateIn,
    ProfileOut,
    ProfileUpdateIn,
    PromoCodeOut,
    ReferralCodeOut,
)
from selgeo.api.context import request_mode, request_partner
from selgeo.api.errors import ValidationFailed
from selgeo.api.permissions import IsPartnerUser
from selgeo.api.serializers import CURRENCY_SCHEMA
from selgeo.api.views import APIView


class _PartnerScoped(ScopedViewSet):
    permission_classes = [IsPartnerUser]

    def scope(self) -> dict[str, Any]:
        return {"partner": request_partner(self.request), "mode": request_mode(self.request)}


@extend_schema(tags=["partner"], parameters=[MODE_PARAM])
class PartnerProgramViewSet(_PartnerScoped):
    """Public programs of every merchant, and the invite-only ones the partner is in."""

    model = Program
    serializer_class = PartnerProgramOut
    not_found_message = "Program not found"

    def scoped(self) -> Any:
        return selectors.programs_visible_to(**self.scope()).order_by("-created_at")

    @extend_schema(
        parameters=[
            OpenApiParameter("merchant", str, description="Merchant slug"),
            OpenApiParameter(
                "status",
                str,
                enum=[s for s in ProgramStatus.values if s != ProgramStatus.DRAFT],
                description="Default published",
            ),
            OpenApiParameter("commission_type", str, enum=CommissionType.values),
            OpenApiParameter("currency", CURRENCY_SCHEMA),
            OpenApiParameter("applied", bool, description="Only programs applied to (or not)"),
            OpenApiParameter("q", str, description="Search in name, code and description"),
        ]
    )
    def list(self, request: Request) -> Response:
        queryset = self.get_queryset()
        program_status = filters.choice(
            request, "status", [s for s in ProgramStatus.values if s != ProgramStatus.DRAFT]
        )
        queryset = queryset.filter(status=program_status or ProgramStatus.PUBLISHED)
        merchant = filters.text(request, "merchant")
        if merchant:
            queryset = queryset.filter(merchant__slug=merchant.lower())
        value = filters.choice(request, "commission_type", CommissionType.values)
        if value:
            queryset = queryset.filter(commission_type=value)
        currency = filters.currency(request)
        if currency:
            queryset = queryset.filter(currency=currency)
        applied = filters.boolean(request, "applied")
        if applied is not None:
            queryset = queryset.filter(application_status__isnull=not applied)
        queryset = filters.search(request, queryset, "name", "code", "description")
        return self.paginated(queryset, PartnerProgramOut)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(PartnerProgramOut(self.get_scoped_object()).data)

    @extend_schema(request=MessageIn, responses={201: PartnerApplicationOut})
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str | None = None) -> Response:
        program = self.get_scoped_object()
        data = MessageIn(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_submit(
            partner=request_partner(request),
            program=program,
            message=data.validated_data["message"],
        )
        return Response(PartnerApplicationOut(application).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["partner"], parameters=[MODE_PARAM])
class PartnerApplicationViewSet(_PartnerScoped):
    model = Application
    serializer_class = PartnerApplicationOut
    not_found_message = "Application not found"

    def scoped(self) -> Any:
        return selectors.applications_of(**self.scope()).order_by("-created_at")

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ApplicationStatus.values),
            OpenApiParameter("program", uuid.UUID),
        ]
    )
    def list(self, request: Request) -> Response:
        queryset = filters.by_ids(request, self.get_queryset(), "program")
        value = filters.choice(request, "status", ApplicationStatus.values)
        if value:
            queryset = queryset.filter(status=value)
        return self.paginated(queryset, PartnerApplicationOut)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(PartnerApplicationOut(self.get_scoped_object()).data)


def _code_list_filters(request: Request, queryset: Any) -> Any:
    queryset = filters.by_ids(request, queryset, "program")
    queryset = filters.code_status(request, queryset)
    return filters.search(request, queryset, "code")


CODE_FILTERS = [
    OpenApiParameter("program", uuid.UUID),
    OpenApiParameter("status", str, enum=["active", "disabled"]),
    OpenApiParameter("q", str, description="Search in the code"),
]


@extend_schema(tags=["partner"], parameters=[MODE_PARAM])
class PartnerReferralCodeViewSet(ReferralCodeDetailMixin, _PartnerScoped):
    """The partner's own referral codes in the programs that approved it."""

    model = ReferralCode
    serializer_class = ReferralCodeOut
    not_found_message = "Referral code not found"

    def scoped(self) -> Any:
        return selectors.referral_codes_of(**self.scope()).order_by("-created_at")

    @extend_schema(parameters=CODE_FILTERS)
    def list(self, request: Request) -> Response:
        return self.paginated(_code_list_filters(request, self.get_queryset()), ReferralCodeOut)

    @extend_schema(request=PartnerReferralCodeCreateIn, responses={201: ReferralCodeOut})
    def create(self, request: Request) -> Response:
        """A referral code of the partner's choosing (or generated) for an approved program."""
        data = PartnerReferralCodeCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        scope = self.scope()
        application = (
            selectors.applications_of(**scope)
            .filter(program_id=data.validated_data["program"])
            .first()
        )
        if application is None:
            raise ValidationFailed.field("program", "You have not applied to this program")
        code = services.referral_code_create(
            program=application.program,
            partner=scope["partner"],
            code=data.validated_data.get("code"),
        )
        return Response(ReferralCodeOut(code).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["partner"], parameters=[MODE_PARAM])
class PartnerPromoCodeViewSet(_PartnerScoped):
    """Coupon codes the merchants set up for this partner (read-only here)."""

    model = PromoCode
    serializer_class = PromoCodeOut
    not_found_message = "Promo code not found"

    def scoped(self) -> Any:
        return selectors.promo_codes_of(**self.scope()).order_by("-created_at")

    @extend_schema(parameters=CODE_FILTERS)
    def list(self, request: Request) -> Response:
        return self.paginated(_code_list_filters(request, self.get_queryset()), PromoCodeOut)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(PromoCodeOut(self.get_scoped_object()).data)


@extend_schema(tags=["partner"])
class ProfileView(APIView):
    permission_classes = [IsPartnerUser]

    @extend_schema(responses={200: ProfileOut})
    def get(self, request: Request) -> Response:
        return Response(ProfileOut(request_partner(request)).data)

    @extend_schema(request=ProfileUpdateIn, responses={200: ProfileOut})
    def patch(self, request: Request) -> Response:
        data = ProfileUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data:
            raise ValidationFailed.field("body", "Send at least one field to change")
        partner: Partner = services.partner_profile_update(
            partner=request_partner(request), changes=data.validated_data
        )
        return Response(ProfileOut(partner).data)


@extend_schema(tags=["partner"])
class SelfEraseView(APIView):
    """The partner erases its own personal data; its login stops working at once."""

    permission_classes = [IsPartnerUser]

    @extend_schema(request=None, responses={200: PartnerOut})
    def post(self, request: Request) -> Response:
        partner = services.partner_erase(partner=request_partner(request))
        return Response(PartnerOut(partner).data)
