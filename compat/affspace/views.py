"""The dialect's endpoints: parse the vendor's request, call Selgeo, answer its shapes.

Every view answers `{"success": true, "data": ...}` (health answers the document's own
plain shape) and every error `{"success": false, "error": {"code", "message"}}`.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import members_of
from compat.affspace import schema
from compat.affspace.access import (
    CONVERSIONS_ZONE,
    GET_ZONE,
    STATS_ZONE,
    DialectView,
    PublicDialectView,
)
from compat.affspace.errors import DialectError
from compat.affspace.reporting import TEST_PREFIX, conversion_report, text_field
from compat.affspace.shapes import (
    VENDOR_STATUSES,
    conversion_shape,
    from_millis,
    millis,
    offer_shape,
    page_of,
    profile_shape,
    status_filter,
)
from compat.affspace.stats import GROUPINGS, offer_stats
from conversions import sandbox
from conversions import selectors as conversion_selectors
from conversions.models import TestSessionStatus
from partners.models import ProgramStatus
from partners.selectors import programs_for
from selgeo.api.errors import Forbidden, NotFound, ValidationFailed

STATS_DEFAULT_DAYS = 30


def _query(request: Request, name: str) -> str | None:
    # A blank parameter is absent, as on Selgeo's own API.
    value = request.query_params.get(name)
    return value.strip() or None if value is not None else None


def _integer(request: Request, name: str, *, low: int, high: int) -> int | None:
    raw = _query(request, name)
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or not low <= int(raw) <= high:
        raise DialectError(f"{name} must be an integer from {low} to {high}", field=name)
    return int(raw)


def _choice(request: Request, name: str, choices: tuple[str, ...] | list[str]) -> str | None:
    raw = _query(request, name)
    if raw is not None and raw not in choices:
        raise DialectError(f"{name} must be one of: {', '.join(choices)}", field=name)
    return raw


def _moment(request: Request, name: str) -> datetime | None:
    value = _integer(request, name, low=0, high=schema.MAX_MILLIS)
    return from_millis(value) if value is not None else None


def _ok(data: Any, **extra: Any) -> Response:
    return Response({"success": True, "data": data, **extra})


class PostbackView(DialectView):
    """`GET|POST /pb`: the legacy postback; also at `/compat/affspace/pb`.

    Its GET records a conversion, as the vendor's does; HEAD, which Django would answer
    with the GET, is refused so that a link checker never reports a sale."""

    http_method_names: ClassVar[list[str]] = ["get", "post", "options"]  # type: ignore[misc]

    zones: ClassVar[dict[str, str]] = {
        "GET": CONVERSIONS_ZONE,
        "HEAD": CONVERSIONS_ZONE,
        "POST": CONVERSIONS_ZONE,
    }

    @extend_schema(
        operation_id="affspace_postback_get",
        tags=[schema.TAG],
        summary="Report a conversion by URL (legacy postback)",
        description="The vendor document's `/pb` for systems that can only fire a URL: the "
        "conversion's fields in the query string. Records the same conversion, attribution, "
        "commission and webhooks as `POST /api/v1/conversions`. A repeated `txid` is "
        "acknowledged with `tracked: false, reason: duplicate_txid`. Rate limit: 1,000 per "
        "minute per key. Also served at `/compat/affspace/pb`.",
        parameters=schema.POSTBACK_PARAMETERS,
        responses=schema.responses(schema.REPORTED),
        examples=schema.REPORT_EXAMPLES[1:],
    )
    def get(self, request: Request) -> Response:
        body = conversion_report(merchant=self.merchant(), mode=self.mode(), data=request.GET)
        return Response(body)

    @extend_schema(
        operation_id="affspace_postback_post",
        tags=[schema.TAG],
        summary="Report a conversion (legacy postback)",
        description="The vendor document's `POST /pb`: the same fields as `POST "
        "/compat/affspace/api/v1/conversions`, as a JSON object or a form. Records the same "
        "conversion, attribution, commission and webhooks as `POST /api/v1/conversions`. "
        "Rate limit: 1,000 per minute per key.",
        request={
            "application/json": schema.CONVERSION_REQUEST,
            "application/x-www-form-urlencoded": schema.FORM_REQUEST,
        },
        responses=schema.responses(schema.REPORTED),
        examples=schema.REPORT_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        body = conversion_report(merchant=self.merchant(), mode=self.mode(), data=request.data)
        return Response(body)


@extend_schema_view(get=extend_schema(exclude=True), post=extend_schema(exclude=True))
class PostbackAliasView(PostbackView):
    """`/compat/affspace/pb`: `/pb` under the dialect's base URL, documented once, at `/pb`."""


class ConversionsView(DialectView):
    zones: ClassVar[dict[str, str]] = {
        "GET": GET_ZONE,
        "HEAD": GET_ZONE,
        "POST": CONVERSIONS_ZONE,
    }

    @extend_schema(
        operation_id="affspace_conversions_list",
        tags=[schema.TAG],
        summary="List conversions (vendor dialect)",
        description="The key's mode's conversions, newest first, in the vendor's shape. "
        "`status` `rejected` is a conversion credited to no partner. Pages by opaque cursor: "
        "pass `meta.pagination.nextCursor` as `cursor`. Rate limit: 100 per minute per key.",
        parameters=schema.CONVERSION_LIST_PARAMETERS,
        responses=schema.responses(
            schema.success({"type": "array", "items": schema.CONVERSION}, meta=True)
        ),
        examples=[
            schema.example(
                "A page",
                {
                    "success": True,
                    "data": [schema.CONVERSION_EXAMPLE],
                    "meta": {"pagination": {"hasMore": True, "nextCursor": "WyIyMDI0LTAx"}},
                },
            )
        ],
    )
    def get(self, request: Request) -> Response:
        status = _choice(request, "status", VENDOR_STATUSES)
        limit = _integer(request, "limit", low=1, high=schema.LIMIT_MAX_CONVERSIONS)
        start, end = _moment(request, "start_date"), _moment(request, "end_date")
        filters = conversion_selectors.ConversionFilters(
            program=_query(request, "offer_code"),
            created_after=start,
            # end_date is inclusive, to the millisecond.
            created_before=end + timedelta(milliseconds=1) if end is not None else None,
            **(status_filter(status) if status else {}),
        )
        rows = conversion_selectors.conversions_filtered(
            merchant=self.merchant(), mode=self.mode(), filters=filters
        )
        page, meta = page_of(
            rows, cursor=_query(request, "cursor"), limit=limit or schema.LIMIT_MAX_CONVERSIONS
        )
        return _ok([conversion_shape(c) for c in page], meta=meta)

    @extend_schema(
        operation_id="affspace_conversions_create",
        tags=[schema.TAG],
        summary="Report a conversion (vendor dialect)",
        description="The vendor document's conversion: `offer_code` names the program, "
        "`click_id` the click, `txid` is the `external_transaction_id` (a repeat is "
        "acknowledged with `tracked: false, reason: duplicate_txid`), `amount` is in currency "
        "units and read exactly. Records the same conversion, attribution steps, commission "
        "and webhooks as `POST /api/v1/conversions`; the attribution audit shows it. A "
        "conversion recorded but credited to no partner answers `tracked: false` with the "
        "reason. Rate limit: 1,000 per minute per key.",
        request={
            "application/json": schema.CONVERSION_REQUEST,
            "application/x-www-form-urlencoded": schema.FORM_REQUEST,
        },
        responses=schema.responses(schema.REPORTED),
        examples=schema.REPORT_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        body = conversion_report(merchant=self.merchant(), mode=self.mode(), data=request.data)
        return Response(body)


def _conversion_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise NotFound("Conversion not found") from exc


class ConversionDetailView(DialectView):
    @extend_schema(
        operation_id="affspace_conversions_retrieve",
        tags=[schema.TAG],
        summary="Get a conversion (vendor dialect)",
        description="One conversion of the key's merchant and mode, in the vendor's shape; "
        "another merchant's or mode's is NOT_FOUND. Rate limit: 100 per minute per key.",
        responses=schema.responses(schema.success(schema.CONVERSION)),
        examples=[
            schema.example("A conversion", {"success": True, "data": schema.CONVERSION_EXAMPLE})
        ],
    )
    def get(self, request: Request, conversion_id: str) -> Response:
        conversion = conversion_selectors.conversion_get(
            merchant=self.merchant(), mode=self.mode(), conversion_id=_conversion_id(conversion_id)
        )
        if conversion is None:
            raise NotFound("Conversion not found")
        return _ok(conversion_shape(conversion))


class StatsView(DialectView):
    zones: ClassVar[dict[str, str]] = {"GET": STATS_ZONE, "HEAD": STATS_ZONE}

    @extend_schema(
        operation_id="affspace_stats",
        tags=[schema.TAG],
        summary="Get statistics (vendor dialect)",
        description="Clicks (human), conversions (attributed, not reversed), revenue and "
        "conversion rate over the whole UTC days from `start_date` to `end_date`, in total, "
        "per offer and as a time series by day, week (starting Monday) or month. The "
        "summary's revenue is in the merchant's reporting currency (`summary.currency`), each "
        "offer's in its own currency. Rate limit: 20 per minute per key.",
        parameters=schema.STATS_PARAMETERS,
        responses=schema.responses(schema.STATS),
        examples=[schema.example("Statistics", schema.STATS_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        merchant, mode = self.merchant(), self.mode()
        group_by = _choice(request, "group_by", GROUPINGS) or "day"
        end = _moment(request, "end_date") or timezone.now()
        start = _moment(request, "start_date") or end - timedelta(days=STATS_DEFAULT_DAYS)
        if start > end:
            raise DialectError("start_date must not be after end_date", field="start_date")
        code = _query(request, "offer_code")
        program = None
        if code is not None:
            program = conversion_selectors.program_by_code(merchant=merchant, mode=mode, code=code)
            if program is None:
                raise DialectError("Offer not found", field="offer_code")
        data = offer_stats(
            merchant=merchant, mode=mode, program=program, start=start, end=end, group_by=group_by
        )
        return _ok(data)


class OffersView(DialectView):
    @extend_schema(
        operation_id="affspace_offers_list",
        tags=[schema.TAG],
        summary="List offers (vendor dialect)",
        description="The key's mode's programs as offers, oldest first, with their payout "
        "terms. Pages by opaque cursor. Rate limit: 100 per minute per key.",
        parameters=schema.OFFER_LIST_PARAMETERS,
        responses=schema.responses(
            schema.success({"type": "array", "items": schema.OFFER}, meta=True)
        ),
        examples=[
            schema.example(
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
        status = _choice(request, "status", list(ProgramStatus.values))
        limit = _integer(request, "limit", low=1, high=schema.LIMIT_MAX_OFFERS)
        rows = programs_for(merchant=self.merchant(), mode=self.mode()).order_by("created_at", "id")
        if status:
            rows = rows.filter(status=status)
        page, meta = page_of(
            rows,
            cursor=_query(request, "cursor"),
            limit=limit or schema.LIMIT_MAX_OFFERS,
            newest_first=False,
        )
        return _ok([offer_shape(p) for p in page], meta=meta)


class OfferDetailView(DialectView):
    @extend_schema(
        operation_id="affspace_offers_retrieve",
        tags=[schema.TAG],
        summary="Get an offer (vendor dialect)",
        description="One program of the key's merchant and mode by its code, with its landing "
        "URL; another merchant's or mode's is NOT_FOUND. Rate limit: 100 per minute per key.",
        responses=schema.responses(schema.success(schema.OFFER_DETAIL)),
        examples=[
            schema.example(
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
        return _ok(offer_shape(program, detail=True))


class ProfileView(DialectView):
    @extend_schema(
        operation_id="affspace_profile",
        tags=[schema.TAG],
        summary="Get the vendor profile (vendor dialect)",
        description="The merchant the key belongs to: its name and its owner's email. Rate "
        "limit: 100 per minute per key.",
        responses=schema.responses(schema.PROFILE),
        examples=[
            schema.example(
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
        owner = next((m for m in members if m.role == "owner"), members[0] if members else None)
        email = owner.user.email if owner is not None else ""
        return _ok(profile_shape(merchant=merchant, contact_email=email))


class TestSessionsView(DialectView):
    __test__ = False

    @extend_schema(
        operation_id="affspace_test_sessions_create",
        tags=[schema.TAG],
        summary="Create a test session (vendor dialect)",
        description="A test click id (`test_…`) for a published test-mode offer with an "
        "approved partner, and the session's token; needs a test-mode key (sk_test_*). Send "
        "a conversion with the click id, then read the session. Rate limit: 30 per minute "
        "per key.",
        request={"application/json": schema.TEST_SESSION_REQUEST},
        responses=schema.responses(schema.TEST_SESSION_CREATED),
        examples=[
            OpenApiExample("Request", value={"offer_code": "MYOFFER123"}, request_only=True),
            schema.example(
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
        return _ok(
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
        tags=[schema.TAG],
        summary="Get a test session (vendor dialect)",
        description="Whether the session's test conversion arrived (`received`), is still "
        "awaited (`waiting`) or the session ended (`expired`), and whether it validated: "
        "`signatureValid` (it came with a valid key) and `fieldsValid`. Another merchant's "
        "or mode's token is NOT_FOUND. Rate limit: 100 per minute per key.",
        responses=schema.responses(schema.TEST_SESSION),
        examples=[
            schema.example(
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
        return _ok(
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
        tags=[schema.TAG],
        summary="Health check (vendor dialect)",
        description="The vendor document's health check, without authentication. Selgeo's "
        "own `GET /health` also reports the database and Redis.",
        auth=[],
        responses=schema.responses(schema.HEALTH),
        examples=[schema.example("Healthy", {"status": "ok", "timestamp": 1706234567890})],
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "ok", "timestamp": int(time.time() * 1000)})
