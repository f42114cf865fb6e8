"""Attribution audit (sk) and test sessions (sk, test mode)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from conversions import sandbox, selectors
from conversions.api import _uuid_or_404, parse
from conversions.audit_serializers import (
    ClickAuditOut,
    ConversionAuditOut,
    TestSessionCreatedOut,
    TestSessionOut,
)
from conversions.serializers import TestSessionIn
from selgeo.api.authentication import SecretKeyAuthentication
from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import InvalidApiKey, InvalidSecretKey, NotFound
from selgeo.api.permissions import HasSecretKey
from selgeo.api.views import APIView

# The audit lists at most this many conversions of one click, newest first.
CLICK_CONVERSIONS_SHOWN = 100


class _SecretKeyView(APIView):
    authentication_classes = [SecretKeyAuthentication]
    permission_classes = [HasSecretKey]


class ClickAuditView(_SecretKeyView):
    missing_credentials_error = InvalidSecretKey

    @extend_schema(summary="What Selgeo knows of a click", responses={200: ClickAuditOut})
    def get(self, request: Request, click_id: str) -> Response:
        merchant, mode = request_merchant(request), request_mode(request)
        click = selectors.click_for_audit(
            merchant=merchant, mode=mode, click_id=_uuid_or_404(click_id)
        )
        if click is None:
            raise NotFound("Click not found")
        conversions = selectors.conversions_with_click(merchant=merchant, mode=mode, click=click)
        context = {"conversions": conversions[:CLICK_CONVERSIONS_SHOWN]}
        return Response(ClickAuditOut(click, context=context).data)


class ConversionAuditView(_SecretKeyView):
    missing_credentials_error = InvalidSecretKey

    @extend_schema(
        summary="How a conversion was (or was not) attributed, step by step",
        responses={200: ConversionAuditOut},
    )
    def get(self, request: Request, conversion_id: str) -> Response:
        conversion = selectors.conversion_get(
            merchant=request_merchant(request),
            mode=request_mode(request),
            conversion_id=_uuid_or_404(conversion_id),
        )
        if conversion is None:
            raise NotFound("Conversion not found")
        return Response(ConversionAuditOut(conversion).data)


class TestSessionCreateView(_SecretKeyView):
    __test__ = False
    missing_credentials_error = InvalidApiKey

    @extend_schema(
        summary="A test click id for a test-mode program",
        request=TestSessionIn,
        responses={201: TestSessionCreatedOut},
    )
    def post(self, request: Request) -> Response:
        v = parse(TestSessionIn, request.data)
        session, token = sandbox.test_session_create(
            merchant=request_merchant(request),
            mode=request_mode(request),
            program_code=v["program"],
        )
        body = TestSessionCreatedOut(session, context={"token": token}).data
        return Response(body, status=status.HTTP_201_CREATED)


class TestSessionDetailView(_SecretKeyView):
    __test__ = False
    missing_credentials_error = InvalidApiKey

    @extend_schema(
        summary="What a test session received and whether it validated",
        responses={200: TestSessionOut},
    )
    def get(self, request: Request, token: str) -> Response:
        session = selectors.test_session_by_token(
            merchant=request_merchant(request), mode=request_mode(request), token=token
        )
        if session is None:
            raise NotFound("Test session not found")
        return Response(TestSessionOut(session).data)
