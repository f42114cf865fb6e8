"""Merchant side of commission terms: a program's terms history, its per-partner and group
rates and its performance tiers, and the merchant's partner groups.

Open to the dashboard (JWT, `?mode=`) and to the merchant's servers (secret key, whose
mode is the key's). Another merchant's or mode's program, group, rate or tier is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from partners import selectors
from partners import terms as terms_selectors
from partners.api.common import UUID_PATTERN, ScopedViewSet, parse_uuid
from partners.api.terms_docs import (
    GROUP,
    MODE,
    OVERRIDE,
    PARTNER_ID,
    PARTNER_PATH,
    PROGRAM_PATH,
    TIER,
    VERSION,
    errors,
    ok,
    request_example,
)
from partners.models import CommissionOverride, CommissionTier, PartnerGroup, Program, TermsVersion
from partners.services import terms as services
from partners.terms_serializers import (
    CommissionOverrideIn,
    CommissionOverrideOut,
    CommissionTierIn,
    CommissionTierOut,
    CommissionTierUpdateIn,
    GroupMemberIn,
    PartnerGroupIn,
    PartnerGroupOut,
    PartnerGroupUpdateIn,
    TermsVersionOut,
)
from selgeo.api.authentication import MerchantJWTAuthentication, SecretKeyAuthentication
from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import NotFound, ValidationFailed
from selgeo.api.permissions import SecretKeyOrMerchantUser

_RATES_RULE = (
    "A rate gives the amount of the program's commission type: `cpa_amount_cents` for CPA "
    "programs, `percent_bps` for CPS and RevShare (the other stays null). Precedence, first "
    "that applies: the partner's own rate, its group's rate, the best performance tier "
    "reached this month, the program's terms version in force."
)


class _MerchantTermsViewSet(ScopedViewSet):
    authentication_classes = [SecretKeyAuthentication, MerchantJWTAuthentication]
    permission_classes = [SecretKeyOrMerchantUser]

    def scope(self) -> dict[str, Any]:
        return {"merchant": request_merchant(self.request), "mode": request_mode(self.request)}


class _ProgramChildViewSet(_MerchantTermsViewSet):
    """Rows under one of the merchant's programs: the program is checked first."""

    def program(self) -> Program:
        cached: Program | None = getattr(self, "_program", None)
        if cached is not None:
            return cached
        pk = parse_uuid(self.kwargs.get("program_pk"))
        found = (
            selectors.programs_for(**self.scope()).filter(pk=pk).first() if pk is not None else None
        )
        if found is None:
            raise NotFound("Program not found")
        self._program = found
        return found


@extend_schema(tags=["programs"], parameters=[PROGRAM_PATH, MODE])
class TermsVersionViewSet(_ProgramChildViewSet):
    model = TermsVersion
    serializer_class = TermsVersionOut

    def scoped(self) -> QuerySet[Any]:
        return terms_selectors.terms_versions_of(self.program()).order_by("-number")

    @extend_schema(
        summary="List a program's terms versions",
        description="The program's commission terms history, newest first. Version 1 is "
        "recorded when the program is first published; each later change of its rates (or, "
        "while paused, of its type) adds a version effective from the change. A commission "
        "is computed on the version in force at its conversion's `occurred_at`.",
        responses={
            200: ok(TermsVersionOut(many=True), "The versions", "History", VERSION),
            **errors("bad_page", "no_program"),
        },
    )
    def list(self, request: Request, program_pk: str | None = None) -> Response:
        return self.paginated(self.get_queryset(), TermsVersionOut)


@extend_schema(tags=["programs"], parameters=[PROGRAM_PATH, MODE])
class CommissionOverrideViewSet(_ProgramChildViewSet):
    model = CommissionOverride
    serializer_class = CommissionOverrideOut
    not_found_message = "Rate not found"

    def scoped(self) -> QuerySet[Any]:
        return terms_selectors.overrides_of(self.program()).order_by("created_at")

    @extend_schema(
        summary="List a program's partner and group rates",
        description="The rates given to single partners or to groups of partners on the "
        "program. " + _RATES_RULE,
        responses={
            200: ok(CommissionOverrideOut(many=True), "The rates", "Rates", OVERRIDE),
            **errors("bad_page", "no_program"),
        },
    )
    def list(self, request: Request, program_pk: str | None = None) -> Response:
        return self.paginated(self.get_queryset(), CommissionOverrideOut)

    @extend_schema(
        summary="Give a partner or a group its own rate",
        description="Sets the rate of one partner (`partner`) or of a group (`group`) on the "
        "program: 201 when created, 200 when it replaces the target's rate. "
        + _RATES_RULE
        + " Conversions from now on earn it; earlier commissions keep theirs.",
        request=CommissionOverrideIn,
        examples=[
            request_example("A partner's rate", {"partner": PARTNER_ID, "percent_bps": 2500}),
            request_example("A group's rate", {"group": GROUP["id"], "cpa_amount_cents": 4000}),
        ],
        responses={
            201: ok(CommissionOverrideOut, "Created", "Partner rate", OVERRIDE),
            200: ok(CommissionOverrideOut, "Replaced", "Partner rate", OVERRIDE),
            **errors("bad_rate", "bad_target", "archived", "no_program"),
        },
    )
    def create(self, request: Request, program_pk: str | None = None) -> Response:
        program = self.program()
        data = CommissionOverrideIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        override, created = services.commission_override_set(
            program=program,
            partner_id=values["partner"],
            group_id=values["group"],
            cpa_amount_cents=values["cpa_amount_cents"],
            percent_bps=values["percent_bps"],
        )
        return Response(
            CommissionOverrideOut(override).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Read a partner or group rate",
        description="One rate of the program. " + _RATES_RULE,
        responses={
            200: ok(CommissionOverrideOut, "The rate", "Partner rate", OVERRIDE),
            **errors("no_rate"),
        },
    )
    def retrieve(
        self, request: Request, program_pk: str | None = None, pk: str | None = None
    ) -> Response:
        return Response(CommissionOverrideOut(self.get_scoped_object()).data)

    @extend_schema(
        summary="Remove a partner or group rate",
        description="The partner (or the group's partners) earn the program's terms again "
        "from now on; earlier commissions keep theirs.",
        responses={204: None, **errors("no_rate")},
    )
    def destroy(
        self, request: Request, program_pk: str | None = None, pk: str | None = None
    ) -> Response:
        services.commission_override_delete(override=self.get_scoped_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


_TIER_RULE = (
    "Tiers count the partner's attributed, not reversed, conversions in the program whose "
    "`occurred_at` is in the same calendar month (UTC) as the new conversion's and that "
    "were recorded before it; the tier with the highest `min_conversions` the count reaches "
    "applies (a tier of 50 pays from the 51st conversion). A partner's or group's own rate "
    "takes precedence over tiers."
)


@extend_schema(tags=["programs"], parameters=[PROGRAM_PATH, MODE])
class CommissionTierViewSet(_ProgramChildViewSet):
    model = CommissionTier
    serializer_class = CommissionTierOut
    not_found_message = "Tier not found"

    def scoped(self) -> QuerySet[Any]:
        return terms_selectors.tiers_of(self.program()).order_by("min_conversions")

    @extend_schema(
        summary="List a program's performance tiers",
        description="The program's tiers, lowest threshold first. " + _TIER_RULE,
        responses={
            200: ok(CommissionTierOut(many=True), "The tiers", "Tiers", TIER),
            **errors("bad_page", "no_program"),
        },
    )
    def list(self, request: Request, program_pk: str | None = None) -> Response:
        return self.paginated(self.get_queryset(), CommissionTierOut)

    @extend_schema(
        summary="Add a performance tier",
        description="A rate for partners above a number of conversions a month, e.g. 20% "
        "above 50 sales. " + _TIER_RULE + " " + _RATES_RULE,
        request=CommissionTierIn,
        examples=[request_example("20% above 50", {"min_conversions": 50, "percent_bps": 2000})],
        responses={
            201: ok(CommissionTierOut, "Created", "Tier", TIER),
            **errors("bad_rate", "tier_taken", "archived", "no_program"),
        },
    )
    def create(self, request: Request, program_pk: str | None = None) -> Response:
        program = self.program()
        data = CommissionTierIn(data=request.data)
        data.is_valid(raise_exception=True)
        tier = services.commission_tier_create(program=program, **data.validated_data)
        return Response(CommissionTierOut(tier).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Read a performance tier",
        description="One tier of the program. " + _TIER_RULE,
        responses={200: ok(CommissionTierOut, "The tier", "Tier", TIER), **errors("no_tier")},
    )
    def retrieve(
        self, request: Request, program_pk: str | None = None, pk: str | None = None
    ) -> Response:
        return Response(CommissionTierOut(self.get_scoped_object()).data)

    @extend_schema(
        summary="Change a performance tier",
        description="Change the threshold or the rate; conversions from now on use it.",
        request=CommissionTierUpdateIn,
        examples=[request_example("Raise the rate", {"percent_bps": 2200})],
        responses={
            200: ok(CommissionTierOut, "Changed", "Tier", TIER),
            **errors("bad_rate", "tier_taken", "archived", "no_tier"),
        },
    )
    def partial_update(
        self, request: Request, program_pk: str | None = None, pk: str | None = None
    ) -> Response:
        tier = self.get_scoped_object()
        data = CommissionTierUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data:
            raise ValidationFailed.field("body", "Send at least one field to change")
        tier = services.commission_tier_update(tier=tier, changes=dict(data.validated_data))
        return Response(CommissionTierOut(tier).data)

    @extend_schema(
        summary="Remove a performance tier",
        description="Conversions from now on no longer earn the tier's rate.",
        responses={204: None, **errors("no_tier")},
    )
    def destroy(
        self, request: Request, program_pk: str | None = None, pk: str | None = None
    ) -> Response:
        services.commission_tier_delete(tier=self.get_scoped_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["partners"], parameters=[MODE])
class PartnerGroupViewSet(_MerchantTermsViewSet):
    model = PartnerGroup
    serializer_class = PartnerGroupOut
    not_found_message = "Group not found"

    def scoped(self) -> QuerySet[Any]:
        return terms_selectors.groups_for(**self.scope()).order_by("name")

    @extend_schema(
        summary="List partner groups",
        description="The merchant's groups of partners in the mode, by name. A group can "
        "be given its own rate on any program (`POST /programs/{id}/rates`). A partner is "
        "in at most one group.",
        responses={
            200: ok(PartnerGroupOut(many=True), "The groups", "Groups", GROUP),
            **errors("bad_page"),
        },
    )
    def list(self, request: Request) -> Response:
        return self.paginated(self.get_queryset(), PartnerGroupOut)

    @extend_schema(
        summary="Create a partner group",
        description="A named group; its name is unique per merchant and mode (any case).",
        request=PartnerGroupIn,
        examples=[
            request_example(
                "Bloggers",
                {"name": "Top bloggers", "description": "Partners with more than 10,000 readers"},
            )
        ],
        responses={201: ok(PartnerGroupOut, "Created", "Group", GROUP), **errors("name_taken")},
    )
    def create(self, request: Request) -> Response:
        data = PartnerGroupIn(data=request.data)
        data.is_valid(raise_exception=True)
        group = services.partner_group_create(**self.scope(), **data.validated_data)
        return Response(PartnerGroupOut(group).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Read a partner group",
        description="The group with its partners' ids.",
        responses={200: ok(PartnerGroupOut, "The group", "Group", GROUP), **errors("no_group")},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(PartnerGroupOut(self.get_scoped_object()).data)

    @extend_schema(
        summary="Rename or describe a partner group",
        description="Change the group's name or description.",
        request=PartnerGroupUpdateIn,
        examples=[request_example("Rename", {"name": "Top bloggers 2027"})],
        responses={
            200: ok(PartnerGroupOut, "Changed", "Group", GROUP),
            **errors("name_taken", "no_group"),
        },
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        group = self.get_scoped_object()
        data = PartnerGroupUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data:
            raise ValidationFailed.field("body", "Send at least one field to change")
        group = services.partner_group_update(group=group, **data.validated_data)
        return Response(PartnerGroupOut(group).data)

    @extend_schema(
        summary="Delete a partner group",
        description="The group and its rates go; its partners stay and earn the program's "
        "terms (or their own rate) from now on.",
        responses={204: None, **errors("no_group")},
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.partner_group_delete(group=self.get_scoped_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Add a partner to a group",
        description="Puts one of the merchant's partners in the group. A partner is in at "
        "most one group: adding it here moves it out of its previous group.",
        request=GroupMemberIn,
        examples=[request_example("Add", {"partner": PARTNER_ID})],
        responses={
            200: ok(PartnerGroupOut, "The group with the partner", "Group", GROUP),
            **errors("bad_target", "no_group"),
        },
    )
    @action(detail=True, methods=["post"])
    def members(self, request: Request, pk: str | None = None) -> Response:
        group = self.get_scoped_object()
        data = GroupMemberIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.partner_group_add_member(group=group, partner_id=data.validated_data["partner"])
        return Response(PartnerGroupOut(self.get_scoped_object()).data)

    @extend_schema(
        summary="Remove a partner from a group",
        description="The partner leaves the group (and its rates) from now on.",
        parameters=[PARTNER_PATH],
        request=None,
        responses={
            200: ok(PartnerGroupOut, "The group without the partner", "Group", GROUP),
            **errors("no_group", "no_member"),
        },
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=f"members/(?P<partner_pk>{UUID_PATTERN})",
        url_name="member",
    )
    def member(
        self, request: Request, pk: str | None = None, partner_pk: str | None = None
    ) -> Response:
        group = self.get_scoped_object()
        if not services.partner_group_remove_member(group=group, partner_id=parse_uuid(partner_pk)):
            raise NotFound("The partner is not in this group")
        return Response(PartnerGroupOut(self.get_scoped_object()).data)
