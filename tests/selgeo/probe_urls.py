"""A URL map for tests of the shared API machinery, beside the real one."""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from partners.models import Program
from selgeo.api.authentication import PublicKeyAuthentication, SecretKeyAuthentication
from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import InvalidApiKey, InvalidPublicKey, InvalidSecretKey, NotFound
from selgeo.api.permissions import HasPublicKey, HasSecretKey
from selgeo.api.serializers import AmountCentsField, CurrencyField, StrictSerializer
from selgeo.api.views import APIView
from selgeo.urls import urlpatterns as real_urlpatterns


class PublicProbe(APIView):
    authentication_classes = [PublicKeyAuthentication]
    permission_classes = [HasPublicKey]
    missing_credentials_error = InvalidPublicKey
    rate_zone = "tracking"

    def post(self, request: Request) -> Response:
        return Response(
            {"merchant": str(request_merchant(request).pk), "mode": request_mode(request)},
            status=201,
        )


class SecretProbe(APIView):
    authentication_classes = [SecretKeyAuthentication]
    permission_classes = [HasSecretKey]
    missing_credentials_error = InvalidApiKey
    rate_zone = "conversions"

    class Input(StrictSerializer):
        amount_cents = AmountCentsField()
        currency = CurrencyField()

    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"mode": request_mode(request), **data.validated_data}, status=201)


class AuditProbe(APIView):
    authentication_classes = [SecretKeyAuthentication]
    permission_classes = [HasSecretKey]
    missing_credentials_error = InvalidSecretKey

    def get(self, request: Request, program_id: str) -> Response:
        program = Program.objects.filter(
            pk=program_id, merchant=request_merchant(request), mode=request_mode(request)
        ).first()
        if program is None:
            raise NotFound("Program not found")
        return Response({"id": str(program.pk)})


class OpenProbe(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class CrashProbe(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise RuntimeError("boom")


probe = [
    path("public", PublicProbe.as_view()),
    path("secret", SecretProbe.as_view()),
    path("audit/<str:program_id>", AuditProbe.as_view()),
    path("open", OpenProbe.as_view()),
    path("crash", CrashProbe.as_view()),
]

urlpatterns = [path("api/v1/probe/", include(probe)), *real_urlpatterns]
handler404 = "selgeo.api.errors.handler404"
handler500 = "selgeo.api.errors.handler500"
