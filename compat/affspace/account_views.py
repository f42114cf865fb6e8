"""The dialect's account endpoints: offers, profile, test sessions and health."""

from __future__ import annotations

import time

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role
from accounts.selectors import members_of
from compat.affspace import openapi, schema
from compat.affspace.access import DialectView, PublicDialectView
from compat.affspace.errors import DialectError
from compat.affspace.params import ok, query_choice, query_integer, query_text
from compat.affspace.reporting import TEST_PREFIX, text_field
from compat.affspace.shapes import millis, offer_shape, page_of, profile_shape
from conversions import sandbox
from conversions import selectors as conversion_selectors
from conversions.models import TestSessionStatus
from partners.models import ProgramStatus
from partners.selectors import programs_for
from selgeo.api.errors import Forbidden, NotFound, ValidationFailed


class OffersView(DialectView):
    @extend_schema(
        operation_id="affspace_offers_list",
        tags=[openapi.TAG],
        summary="List offers (vendor dialect)",
        description="The key's mode's programs as offers, oldest first, with their payout "
        "terms. Pages by opaque cursor. Rate limit: 100 per minute per key.",
        parameters=schema.OFFER_LIST_PARAMETERS,
        responses=openapi.responses(
            openapi.success({"type": "array", "items": schema.OFFER}, meta=True)
        ),
        examples=[
            openapi.example(
                "Offers",
                {
                    "success": True,
                    "data": [schema.OFFER_EXAMPLE],
                    "meta": {"pagination": {"hasMore": False, "nextCursor": None}},
                },
            )
        ],
    )
    def get(self, request: Request) -> Response:
        status = query_choice(request, "status", list(ProgramStatus.values))
        limit = query_integer(request, "limit", low=1, high=schema.LIMIT_MAX_OFFERS)
        rows = programs_for(merchant=self.merchant(), mode=self.mode()).order_by("created_at", "id")
        if status:
            rows = rows.filter(status=status)
        page, meta = page_of(
            rows,
            cursor=query_text(request, "cursor"),
            limit=limit or schema.LIMIT_MAX_OFFERS,
            newest_first=False,
        )
        return ok([offer_shape(p) for p in page], meta=meta)


class OfferDetailView(DialectView):
    @extend_schema(
        operation_id="affspace_offers_retrieve",
        tags=[openapi.TAG],
        summary="Get an offer (vendor dialect)",
        description="One program of the key's merchant and mode by its code, with its landing "
        "URL; another merchant's or mode's is NOT_FOUND. Rate limit: 100 per minute per key.",
        responses=openapi.responses(openapi.success(schema.OFFER_DETAIL)),
        examples=[
            openapi.example(
                "An offer",
                {
                    "success": True,
                    "data": {**schema.OFFER_EXAMPLE, "primaryUrl": "https://shop.example.com/"},
                },
            )
        ],
    )
    def get(self, request: Request, code: str) -> Response:
        program = conversion_selectors.program_by_code(
            merchant=self.merchant(), mode=self.mode(), code=code
        )
        if program is None:
            raise NotFound("Offer not found")
        return ok(offer_shape(program, detail=True))


class ProfileView(DialectView):
    @extend_schema(
        operation_id="affspace_profile",
        tags=[openapi.TAG],
        summary="Get the vendor profile (vendor dialect)",
        description="The merchant the key belongs to: its name and its owner's email. Rate "
        "limit: 100 per minute per key.",
        responses=openapi.responses(schema.PROFILE),
        examples=[
            openapi.example(
                "Profile",
                {
                    "success": True,
                    "data": {
                        "companyName": "Acme Inc",
                        "contactEmail": "team@acme.com",
                        "status": "approved",
                        "hasApiKey": True,
                    },
                },
            )
        ],
    )
    def get(self, request: Request) -> Response:
        merchant = self.merchant()
        members = list(members_of(merchant=merchant))
        owner = next((m for m in members if m.role == Role.OWNER), members[0] if members else None)
        email = owner.user.email if owner is not None else ""
        return ok(profile_shape(merchant=merchant, contact_email=email))


class TestSessionsView(DialectView):
    __test__ = False

    @extend_schema(
        operation_id="affspace_test_sessions_create",
        tags=[openapi.TAG],
        summary="Create a test session (vendor dialect)",
        description="A test click id (`test_…`) for a published test-mode offer with an "
        "approved partner, and the session's token; needs a test-mode key (sk_test_*). Send "
        "a conversion with the click id, then read the session. Rate limit: 30 per minute "
        "per key.",
        request={"application/json": schema.TEST_SESSION_REQUEST},
        responses=openapi.responses(schema.TEST_SESSION_CREATED),
        examples=[
            OpenApiExample("Request", value={"offer_code": "MYOFFER123"}, request_only=True),
            openapi.example(
                "Created",
                {
                    "success": True,
                    "data": {
                        "testClickId": "test_6f1c2d3e-4b5a-4c6d-8e7f-901234567890",
                        "sessionToken": "tss_Jb3kV0y2Q9m1Xr4tL8wZp5sN7cD6fH0a",
                        "expiresAt": 1706234867890,
                    },
                },
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        code = text_field("offer_code", data.get("offer_code"))
        if code is None:
            raise DialectError("Missing offer_code", field="offer_code")
        try:
            session, token = sandbox.test_session_create(
                merchant=self.merchant(), mode=self.mode(), program_code=code
            )
        except Forbidden as exc:
            raise DialectError(
                "Test sessions need a test-mode key (sk_test_*)", field="offer_code"
            ) from exc
        except ValidationFailed as exc:
            message = (exc.details or [{"message": exc.message}])[0]["message"]
            if message.startswith("No test-mode program"):
                message = "Offer not found"
            raise DialectError(message, field="offer_code") from exc
        return ok(
            {
                "testClickId": f"{TEST_PREFIX}{session.click_id}",
                "sessionToken": token,
                "expiresAt": millis(session.expires_at),
            }
        )


class TestSessionDetailView(DialectView):
    __test__ = False

    @extend_schema(
        operation_id="affspace_test_sessions_retrieve",
        tags=[openapi.TAG],
        summary="Get a test session (vendor dialect)",
        description="Whether the session's test conversion arrived (`received`), is still "
        "awaited (`waiting`) or the session ended (`expired`), and whether it validated: "
        "`signatureValid` (it came with a valid key) and `fieldsValid`. Another merchant's "
        "or mode's token is NOT_FOUND. Rate limit: 100 per minute per key.",
        responses=openapi.responses(schema.TEST_SESSION),
        examples=[
            openapi.example(
                "Received",
                {
                    "success": True,
                    "data": {
                        "status": "received",
                        "validation": {"signatureValid": True, "fieldsValid": True},
                    },
                },
            )
        ],
    )
    def get(self, request: Request, token: str) -> Response:
        session = conversion_selectors.test_session_by_token(
            merchant=self.merchant(), mode=self.mode(), token=token
        )
        if session is None:
            raise NotFound("Test session not found")
        status = sandbox.test_session_status(session)
        received = status == TestSessionStatus.RECEIVED
        return ok(
            {
                "status": status,
                "validation": {
                    "signatureValid": received,
                    "fieldsValid": bool(received and session.fields_valid),
                },
            }
        )


class HealthView(PublicDialectView):
    @extend_schema(
        operation_id="affspace_health",
        tags=[openapi.TAG],
        summary="Health check (vendor dialect)",
        description="The vendor document's health check, without authentication. Selgeo's "
        "own `GET /health` also reports the database and Redis.",
        auth=[],
        responses=openapi.responses(schema.HEALTH),
        examples=[openapi.example("Healthy", {"status": "ok", "timestamp": 1706234567890})],
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "ok", "timestamp": int(time.time() * 1000)})
