"""`/api/v1/programs/{id}/dynamic-url`: a program's dynamic delivery URL (merchant JWT,
owners and admins, `?mode=test|live`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from dynamic_delivery import selectors, services
from dynamic_delivery.models import DISABLE_AFTER_FAILURES_DOC, DynamicUrl
from partners.models import Program
from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import NotFound, envelope
from selgeo.api.permissions import IsMerchantAdmin
from selgeo.api.serializers import StrictCharField, StrictSerializer
from selgeo.api.views import APIView
from webhooks.ssrf import MAX_URL_LENGTH

MODE = OpenApiParameter("mode", str, enum=["test", "live"], description="Default live")
PROGRAM_ID = OpenApiParameter(
    "program_id", {"type": "string", "format": "uuid"}, OpenApiParameter.PATH
)
ERROR = {"$ref": "#/components/schemas/Error"}
_PROGRAM = "0193a3c4-8e01-7f12-a3b4-c5d6e7f80912"
_ENABLED = {
    "program_id": _PROGRAM,
    "url": "https://shop.example.com/selgeo/dynamic?secret=s3cr3t",
    "status": "enabled",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "consecutive_failures": 0,
    "disabled_at": None,
    "disabled_reason": "",
    "updated_at": "2026-03-13T15:04:05.000000Z",
}
_DISABLED = {
    **_ENABLED,
    "status": "disabled",
    "consecutive_failures": 5,
    "disabled_at": "2026-03-14T09:12:00.000000Z",
    "disabled_reason": "5 requests in a row failed; the last one: The URL answered HTTP 500",
}
_NOT_SET = {
    "program_id": _PROGRAM,
    "url": None,
    "status": "not_set",
    "secret": None,
    "consecutive_failures": 0,
    "disabled_at": None,
    "disabled_reason": "",
    "updated_at": None,
}


class DynamicUrlIn(StrictSerializer):
    url = StrictCharField(
        max_length=MAX_URL_LENGTH,
        trim_whitespace=False,
        help_text="https:// (http:// too in test mode), on a public address",
    )


class DynamicUrlOut(serializers.Serializer):
    program_id = serializers.UUIDField()
    url = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["not_set", "enabled", "disabled"])
    secret = serializers.CharField(
        allow_null=True, help_text="Signs each request (Standard Webhooks, `whsec_…`)"
    )
    consecutive_failures = serializers.IntegerField()
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField()
    updated_at = serializers.DateTimeField(allow_null=True)


def representation(program: Program, dynamic: DynamicUrl | None) -> dict[str, Any]:
    if dynamic is None:
        return DynamicUrlOut({**_NOT_SET, "program_id": program.pk}).data
    return DynamicUrlOut(
        {
            "program_id": program.pk,
            "url": dynamic.url,
            "status": "enabled" if dynamic.enabled else "disabled",
            "secret": dynamic.secret,
            "consecutive_failures": dynamic.consecutive_failures,
            "disabled_at": dynamic.disabled_at,
            "disabled_reason": dynamic.disabled_reason,
            "updated_at": dynamic.updated_at,
        }
    ).data


def _error(status_code: int, description: str, *cases: tuple[str, str, str, Any]) -> Any:
    return OpenApiResponse(
        response=ERROR,
        description=description,
        examples=[
            OpenApiExample(name, value=envelope(status_code, code, message, details))
            for name, code, message, details in cases
        ],
    )


_COMMON_ERRORS = {
    401: _error(
        401,
        "UNAUTHORIZED",
        (
            "No token",
            "UNAUTHORIZED",
            "Authentication credentials were not provided or are invalid",
            None,
        ),
    ),
    403: _error(
        403,
        "FORBIDDEN",
        ("Not an admin", "FORBIDDEN", "This action needs the owner or admin role", None),
    ),
    404: _error(404, "NOT_FOUND", ("No such program", "NOT_FOUND", "Program not found", None)),
}
_HOW = (
    "When a partner is approved into the program, Selgeo POSTs the partner and the "
    "program as JSON to this URL from a background worker, signed with the Standard "
    "Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and this "
    "URL's `secret`. The plain-text answer of a 2xx response, surrounding whitespace "
    "dropped and cut to its first 500 characters, becomes the partner's promo code or "
    "delivery text for the program, shown in their portal. Redirects are not followed "
    "and an attempt times out after 15 s. A URL whose host resolves to a private "
    f"address at delivery is disabled at once; {DISABLE_AFTER_FAILURES_DOC} Owners and "
    "admins are then emailed and the dashboard shows a notice; saving a URL enables it again."
)


class DynamicUrlView(APIView):
    permission_classes = [IsMerchantAdmin]

    def _program(self, request: Request, program_id: str) -> Program:
        program = selectors.program_of(
            merchant=request_merchant(request), mode=request_mode(request), program_id=program_id
        )
        if program is None:
            raise NotFound("Program not found")
        return program

    @extend_schema(
        tags=["programs"],
        operation_id="programs_dynamic_url_retrieve",
        summary="Show a program's dynamic delivery URL",
        description="The URL, its signing secret and whether it is enabled. " + _HOW,
        parameters=[MODE, PROGRAM_ID],
        responses={
            200: OpenApiResponse(
                DynamicUrlOut,
                description="The program's dynamic URL (status `not_set` when it has none)",
                examples=[
                    OpenApiExample("Enabled", value=_ENABLED),
                    OpenApiExample("Disabled after failures", value=_DISABLED),
                    OpenApiExample("Not set", value=_NOT_SET),
                ],
            ),
            **_COMMON_ERRORS,
        },
    )
    def get(self, request: Request, program_id: str) -> Response:
        program = self._program(request, program_id)
        return Response(representation(program, selectors.dynamic_url_of(program=program)))

    @extend_schema(
        tags=["programs"],
        operation_id="programs_dynamic_url_update",
        summary="Set a program's dynamic delivery URL",
        description=(
            "Names (or changes) the URL, checked as a webhook URL is: https in live mode, "
            "no credentials, a host that resolves to public addresses only. A new URL gets "
            "a new secret; saving a disabled URL enables it again. " + _HOW
        ),
        parameters=[MODE, PROGRAM_ID],
        request=DynamicUrlIn,
        examples=[
            OpenApiExample(
                "Set",
                value={"url": "https://shop.example.com/selgeo/dynamic?secret=s3cr3t"},
                request_only=True,
            )
        ],
        responses={
            200: OpenApiResponse(
                DynamicUrlOut,
                description="The saved URL, enabled",
                examples=[OpenApiExample("Enabled", value=_ENABLED)],
            ),
            400: _error(
                400,
                "VALIDATION_ERROR",
                (
                    "Malformed",
                    "VALIDATION_ERROR",
                    "Validation failed",
                    [{"field": "url", "message": "The URL must have a host"}],
                ),
            ),
            **_COMMON_ERRORS,
            422: _error(
                422,
                "WEBHOOK_URL_NOT_HTTPS or WEBHOOK_URL_PRIVATE_IP or WEBHOOK_URL_UNRESOLVABLE",
                (
                    "Private address",
                    "WEBHOOK_URL_PRIVATE_IP",
                    "URL resolves to a private/reserved IP address",
                    None,
                ),
                (
                    "Not https",
                    "WEBHOOK_URL_NOT_HTTPS",
                    "Live-mode webhooks require HTTPS",
                    None,
                ),
            ),
        },
    )
    def put(self, request: Request, program_id: str) -> Response:
        program = self._program(request, program_id)
        data = DynamicUrlIn(data=request.data)
        data.is_valid(raise_exception=True)
        dynamic = services.dynamic_url_set(program=program, url=data.validated_data["url"])
        return Response(representation(program, dynamic))

    @extend_schema(
        tags=["programs"],
        operation_id="programs_dynamic_url_destroy",
        summary="Remove a program's dynamic delivery URL",
        description=(
            "Partners approved from now on get no delivery text; texts already delivered "
            "stay, and requests still waiting for the URL fail. Removing a program that "
            "has no URL is a no-op (204)."
        ),
        parameters=[MODE, PROGRAM_ID],
        request=None,
        responses={204: OpenApiResponse(description="Removed"), **_COMMON_ERRORS},
    )
    def delete(self, request: Request, program_id: str) -> Response:
        services.dynamic_url_remove(program=self._program(request, program_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
