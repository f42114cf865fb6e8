"""Merchant side: partners, applications, referral codes and promo codes (one mode each)."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Partner
from partners import selectors, services
from partners.api import filters
from partners.api.common import ReferralCodeDetailMixin, ScopedViewSet
from partners.api.programs import MODE_PARAM
from partners.models import Application, ApplicationStatus, Program, PromoCode, ReferralCode
from partners.serializers import (
    ApplicationOut,
    MerchantPartnerOut,
    MessageIn,
    PartnerOut,
    PromoCodeCreateIn,
    PromoCodeOut,
    ReferralCodeCreateIn,
    ReferralCodeOut,
)
from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import ValidationFailed
from selgeo.api.permissions import IsMerchantAdmin, IsMerchantUser

CODE_FILTERS = [
    OpenApiParameter("program", uuid.UUID, description="Program id"),
    OpenApiParameter("partner", uuid.UUID, description="Partner id"),
    OpenApiParameter("status", str, enum=["active", "disabled"]),
    OpenApiParameter("q", str, description="Search in the code"),
]


class _MerchantScoped(ScopedViewSet):
    def scope(self) -> dict[str, Any]:
        return {"merchant": request_merchant(self.request), "mode": request_mode(self.request)}


@extend_schema(tags=["partners"], parameters=[MODE_PARAM])
class PartnerViewSet(_MerchantScoped):
    """Partners who applied to (or accepted an invitation to) the merchant's programs."""

    model = Partner
    serializer_class = MerchantPartnerOut
    not_found_message = "Partner not found"

    def scoped(self) -> Any:
        return selectors.partners_for(**self.scope()).order_by("-created_at")

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "erase":
            return [IsMerchantAdmin()]
        return [IsMerchantUser()]

    @extend_schema(
        parameters=[
            OpenApiParameter("program", uuid.UUID, description="Applied to this program"),
            OpenApiParameter("application_status", str, enum=ApplicationStatus.values),
            OpenApiParameter("erased", bool),
            OpenApiParameter("country", str),
            OpenApiParameter(
                "q",
                str,
                description="Search in display name, email, website and the partner's "
                "referral and promo codes of this merchant (case-insensitive substring)",
            ),
        ],
    )
    def list(self, request: Request) -> Response:
        queryset = selectors.partners_matching(
            **self.scope(), query=filters.text(request, "q") or ""
        ).order_by("-created_at")
        applications = selectors.applications_for(**self.scope())
        program = filters.uuid_value(request, "program")
        if program is not None:
            applications = applications.filter(program_id=program)
        value = filters.choice(request, "application_status", ApplicationStatus.values)
        if value:
            applications = applications.filter(status=value)
        if program is not None or value:
            queryset = queryset.filter(pk__in=applications.values("partner_id"))
        erased = filters.boolean(request, "erased")
        if erased is not None:
            queryset = queryset.filter(erased_at__isnull=not erased)
        country = filters.text(request, "country")
        if country:
            queryset = queryset.filter(country=country.upper())
        return self.paginated(queryset, MerchantPartnerOut)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(MerchantPartnerOut(self.get_scoped_object()).data)

    @extend_schema(request=None, responses={200: PartnerOut})
    @action(detail=True, methods=["post"])
    def erase(self, request: Request, pk: str | None = None) -> Response:
        """Erase what this merchant holds about the partner, in both modes (owner or admin).

        The relationship ends (the partner's applications to the merchant's programs go),
        its codes here stop working, and the merchant's events lose its personal data.
        The partner's account and its standing with other merchants are not touched:
        erasing the account itself is the partner's own request.
        """
        data = services.partner_erase_for_merchant(
            merchant=request_merchant(request), partner=self.get_scoped_object()
        )
        return Response(data)


@extend_schema(tags=["applications"], parameters=[MODE_PARAM])
class ApplicationViewSet(_MerchantScoped):
    model = Application
    serializer_class = ApplicationOut
    not_found_message = "Application not found"

    def scoped(self) -> Any:
        return selectors.applications_for(**self.scope()).order_by("-created_at")

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ApplicationStatus.values),
            OpenApiParameter("program", uuid.UUID),
            OpenApiParameter("partner", uuid.UUID),
            OpenApiParameter("invited", bool),
            OpenApiParameter("q", str, description="Search in partner name and program code"),
        ]
    )
    def list(self, request: Request) -> Response:
        queryset = filters.by_ids(request, self.get_queryset(), "program", "partner")
        value = filters.choice(request, "status", ApplicationStatus.values)
        if value:
            queryset = queryset.filter(status=value)
        invited = filters.boolean(request, "invited")
        if invited is not None:
            queryset = queryset.filter(invited=invited)
        queryset = filters.search(request, queryset, "partner__display_name", "program__code")
        return self.paginated(queryset, ApplicationOut)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ApplicationOut(self.get_scoped_object()).data)

    def _decide(self, request: Request, decide: Any) -> Response:
        application = self.get_scoped_object()
        data = MessageIn(data=request.data)
        data.is_valid(raise_exception=True)
        decided = decide(application=application, message=data.validated_data["message"])
        return Response(ApplicationOut(decided).data)

    @extend_schema(request=MessageIn, responses={200: ApplicationOut})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """pending or rejected → approved; creates the partner's default referral code."""
        return self._decide(request, services.application_approve)

    @extend_schema(request=MessageIn, responses={200: ApplicationOut})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """pending → rejected."""
        return self._decide(request, services.application_reject)


class _CodeViewSet(_MerchantScoped):
    def program_and_partner(self, values: dict[str, Any]) -> tuple[Program, Partner]:
        program = selectors.programs_for(**self.scope()).filter(pk=values["program"]).first()
        partner = selectors.partners_for(**self.scope()).filter(pk=values["partner"]).first()
        errors = []
        if program is None:
            errors.append({"field": "program", "message": "No such program in this mode"})
        if partner is None:
            errors.append({"field": "partner", "message": "No such partner in this mode"})
        if program is None or partner is None:
            raise ValidationFailed(details=errors)
        return program, partner

    def filtered(self, request: Request) -> Any:
        queryset = filters.by_ids(request, self.get_queryset(), "program", "partner")
        queryset = filters.code_status(request, queryset)
        return filters.search(request, queryset, "code")


@extend_schema(tags=["referral-codes"], parameters=[MODE_PARAM])
class ReferralCodeViewSet(ReferralCodeDetailMixin, _CodeViewSet):
    """The merchant's referral codes in one mode: one partner's code in one program each."""

    model = ReferralCode
    serializer_class = ReferralCodeOut
    not_found_message = "Referral code not found"

    def scoped(self) -> Any:
        return selectors.referral_codes_for(**self.scope()).order_by("-created_at")

    @extend_schema(parameters=[*CODE_FILTERS, OpenApiParameter("is_default", bool)])
    def list(self, request: Request) -> Response:
        queryset = self.filtered(request)
        is_default = filters.boolean(request, "is_default")
        if is_default is not None:
            queryset = queryset.filter(is_default=is_default)
        return self.paginated(queryset, ReferralCodeOut)

    @extend_schema(request=ReferralCodeCreateIn, responses={201: ReferralCodeOut})
    def create(self, request: Request) -> Response:
        data = ReferralCodeCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        program, partner = self.program_and_partner(data.validated_data)
        code = services.referral_code_create(
            program=program, partner=partner, code=data.validated_data.get("code")
        )
        return Response(ReferralCodeOut(code).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["promo-codes"], parameters=[MODE_PARAM])
class PromoCodeViewSet(_CodeViewSet):
    model = PromoCode
    serializer_class = PromoCodeOut
    not_found_message = "Promo code not found"

    def scoped(self) -> Any:
        return selectors.promo_codes_for(**self.scope()).order_by("-created_at")

    @extend_schema(parameters=CODE_FILTERS)
    def list(self, request: Request) -> Response:
        return self.paginated(self.filtered(request), PromoCodeOut)

    @extend_schema(request=PromoCodeCreateIn, responses={201: PromoCodeOut})
    def create(self, request: Request) -> Response:
        data = PromoCodeCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        program, partner = self.program_and_partner(data.validated_data)
        code = services.promo_code_create(
            program=program, partner=partner, code=data.validated_data["code"]
        )
        return Response(PromoCodeOut(code).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(PromoCodeOut(self.get_scoped_object()).data)

    @extend_schema(request=None, responses={200: PromoCodeOut})
    @action(detail=True, methods=["post"])
    def disable(self, request: Request, pk: str | None = None) -> Response:
        code = services.promo_code_disable(promo_code=self.get_scoped_object())
        return Response(PromoCodeOut(code).data)
