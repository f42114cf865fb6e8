"""The JWT auth endpoints and API-key management (dashboard API)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors, services
from accounts.login_limit import DEVICE_COOKIE, LoginClient
from accounts.models import ApiKey, User
from accounts.serializers import (
    AccountOut,
    ApiKeyCreateIn,
    ApiKeyOut,
    ApiKeyRollIn,
    ChangePasswordIn,
    ForgotPasswordIn,
    LoginIn,
    MerchantOut,
    PartnerOut,
    RefreshIn,
    RefreshOut,
    RegisterIn,
    RegisterOut,
    ResetPasswordIn,
    TokensOut,
    UserOut,
)
from accounts.tokens import issue_tokens, refresh_rotate, session_logout
from selgeo.api import ratelimit
from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import Forbidden, NotFound
from selgeo.api.permissions import IsMerchantAdmin
from selgeo.api.views import APIView, GenericViewSet


class _AuthView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    rate_zone = "auth"


def _account_body(user: User) -> dict[str, Any]:
    memberships = selectors.memberships_of(user=user)
    partner = getattr(user, "partner", None)
    return {
        "user": UserOut(user).data,
        "merchants": [{**MerchantOut(m.merchant).data, "role": m.role} for m in memberships],
        "partner": PartnerOut(partner).data if partner is not None else None,
    }


class RegisterView(_AuthView):
    @extend_schema(
        request=RegisterIn,
        responses={201: RegisterOut},
        summary="Create a merchant or partner account",
    )
    def post(self, request: Request) -> Response:
        data = RegisterIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        keys: list[dict[str, Any]] = []
        if v["account_type"] == "merchant":
            user, _merchant, issued = services.merchant_register(
                email=v["email"],
                password=v["password"],
                company_name=v["company_name"],
                full_name=v["full_name"],
            )
            keys = [
                ApiKeyOut(k.api_key, context={"raw_keys": {k.api_key.pk: k.raw}}).data
                for k in issued
            ]
        else:
            user, _partner = services.partner_register(
                email=v["email"],
                password=v["password"],
                display_name=v["display_name"],
                website=v["website"],
                country=v["country"],
            )
        body = _account_body(user)
        body["tokens"] = issue_tokens(user=user)
        body["api_keys"] = keys
        return Response(body, status=status.HTTP_201_CREATED)


class LoginView(_AuthView):
    @extend_schema(
        request=LoginIn,
        responses={200: AccountOut},
        summary="Log in for a JWT",
        description=(
            "Failed attempts count against the account, whatever the address: after 5 "
            "in a row it must wait 1 s, then 2 s, 4 s ... up to 15 minutes (429 "
            "RATE_LIMIT_EXCEEDED with Retry-After). An address that logged into the "
            "account lately, or a browser with its device cookie, waits on its own."
        ),
    )
    def post(self, request: Request) -> Response:
        data = LoginIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        user = services.login_authenticate(
            email=v["email"],
            password=v["password"],
            client=LoginClient(
                ip=ratelimit.client_ip(request),
                device_cookie=request.COOKIES.get(DEVICE_COOKIE, ""),
            ),
        )
        merchant_id = str(v["merchant_id"]) if v.get("merchant_id") else None
        body = _account_body(user)
        body["tokens"] = issue_tokens(user=user, merchant_id=merchant_id)
        return Response(body)


class RefreshView(_AuthView):
    @extend_schema(
        request=RefreshIn,
        responses={200: RefreshOut},
        summary="Exchange a refresh token for a new access and refresh token",
        description=(
            "The refresh token is single use: the answer carries its replacement and "
            "using it again is 401 UNAUTHORIZED. So is a token issued before a password "
            "reset or change, or of a disabled account."
        ),
    )
    def post(self, request: Request) -> Response:
        data = RefreshIn(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(refresh_rotate(raw=data.validated_data["refresh"]))


class LogoutView(_AuthView):
    @extend_schema(
        request=RefreshIn,
        responses={204: OpenApiResponse(description="Logged out")},
        summary="Log out: end the session of a refresh token",
        description=(
            "The refresh token can no longer be used, and the access tokens of its "
            "session are refused from now on (not only at their expiry). An invalid, "
            "expired or already used refresh token is 401 UNAUTHORIZED."
        ),
    )
    def post(self, request: Request) -> Response:
        data = RefreshIn(data=request.data)
        data.is_valid(raise_exception=True)
        session_logout(raw=data.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChangePasswordView(APIView):
    permission_classes = [IsAuthenticated]
    rate_zone = "auth"

    @extend_schema(
        request=ChangePasswordIn,
        responses={200: TokensOut},
        summary="Change the password of the signed-in account",
        description=(
            "Every access and refresh token issued before, this one's included, is "
            "revoked; the answer carries fresh tokens for the caller."
        ),
    )
    def post(self, request: Request) -> Response:
        data = ChangePasswordIn(data=request.data)
        data.is_valid(raise_exception=True)
        token: Any = request.auth
        user = services.user_password_change(
            user=cast(User, request.user),
            current_password=data.validated_data["current_password"],
            new_password=data.validated_data["new_password"],
        )
        try:
            tokens = issue_tokens(user=user, merchant_id=token.get("merchant_id"))
        except Forbidden:
            # No longer on that merchant's team: the tokens act as the account alone.
            tokens = issue_tokens(user=user)
        return Response(tokens)


class ForgotPasswordView(_AuthView):
    @extend_schema(
        request=ForgotPasswordIn,
        responses={202: inline_serializer("ForgotOut", {"status": serializers.CharField()})},
        summary="Email a reset link (answers the same whether or not the account exists)",
    )
    def post(self, request: Request) -> Response:
        data = ForgotPasswordIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_request(email=data.validated_data["email"])
        return Response(
            {"status": "If an account exists for this email, a reset link has been sent."},
            status=status.HTTP_202_ACCEPTED,
        )


class ResetPasswordView(_AuthView):
    @extend_schema(
        request=ResetPasswordIn,
        responses={200: inline_serializer("ResetOut", {"status": serializers.CharField()})},
        summary="Set a new password with the emailed single-use token",
    )
    def post(self, request: Request) -> Response:
        data = ResetPasswordIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_confirm(
            token=data.validated_data["token"], password=data.validated_data["password"]
        )
        return Response({"status": "Password updated"})


class ApiKeyViewSet(GenericViewSet):
    """The merchant's API keys in one mode (`?mode=test|live`, default live).

    A revoked key is no longer a resource of the API: `DELETE` (or `POST …/revoke`, which
    answers the key's last state) revokes it, and from then on it is 404 and out of the
    list. The row stays, so the dashboard's key history still shows it as revoked.
    """

    serializer_class = ApiKeyOut
    permission_classes = [IsMerchantAdmin]
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> Any:
        return selectors.api_keys_for(
            merchant=request_merchant(self.request), mode=request_mode(self.request)
        ).filter(revoked_at__isnull=True)

    def _get_key(self) -> ApiKey:
        try:
            key_id = uuid.UUID(self.kwargs["pk"])
        except ValueError as exc:
            raise NotFound("API key not found") from exc
        key = self.get_queryset().filter(pk=key_id).first()
        if key is None:
            raise NotFound("API key not found")
        return key

    def _out(self, key: ApiKey, raw: str | None = None, **kwargs: Any) -> Response:
        context = {"raw_keys": {key.pk: raw} if raw else {}}
        return Response(ApiKeyOut(key, context=context).data, **kwargs)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ApiKeyOut(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return self._out(self._get_key())

    @extend_schema(request=ApiKeyCreateIn, responses={201: ApiKeyOut})
    def create(self, request: Request) -> Response:
        data = ApiKeyCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.api_key_create(
            merchant=request_merchant(request),
            mode=request_mode(request),
            kind=data.validated_data["kind"],
            name=data.validated_data["name"],
        )
        return self._out(issued.api_key, issued.raw, status=status.HTTP_201_CREATED)

    @extend_schema(request=ApiKeyRollIn, responses={201: ApiKeyOut})
    @action(detail=True, methods=["post"])
    def roll(self, request: Request, pk: str | None = None) -> Response:
        key = self._get_key()
        data = ApiKeyRollIn(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.api_key_roll(
            api_key=key, expires_in_hours=data.validated_data["expires_in_hours"]
        )
        return self._out(issued.api_key, issued.raw, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: ApiKeyOut},
        description=(
            "Revoke the key at once and answer its final state (`status: revoked`). "
            "Like DELETE, the key is then 404 and out of the list."
        ),
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        return self._out(services.api_key_revoke(api_key=self._get_key()))

    @extend_schema(
        request=None,
        responses={204: None},
        description=(
            "Revoke the key at once: requests made with it are refused, and the key is "
            "then 404 here and out of the list (the dashboard keeps it in its history)."
        ),
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.api_key_revoke(api_key=self._get_key())
        return Response(status=status.HTTP_204_NO_CONTENT)
