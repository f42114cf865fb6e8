"""The dialect's conversion endpoints: report (`/pb`, `POST .../conversions`), list,
get and stats. Each parses the vendor's request, calls Selgeo and answers its shapes:
`{"success": true, "data": ...}`, and every error `{"success": false, "error": {...}}`.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import ClassVar

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response

from compat.affspace import openapi, schema
from compat.affspace.access import CONVERSIONS_ZONE, GET_ZONE, STATS_ZONE, DialectView
from compat.affspace.errors import DialectError
from compat.affspace.params import ok, query_choice, query_integer, query_moment, query_text
from compat.affspace.reporting import conversion_report
from compat.affspace.shapes import VENDOR_STATUSES, conversion_shape, page_of, status_filter
from compat.affspace.stats import GROUPINGS, offer_stats
from conversions import selectors as conversion_selectors
from selgeo.api.errors import NotFound

STATS_DEFAULT_DAYS = 30


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
        tags=[openapi.TAG],
        summary="Report a conversion by URL (legacy postback)",
        description="The vendor document's `/pb` for systems that can only fire a URL: the "
        "conversion's fields in the query string. Records the same conversion, attribution, "
        "commission and webhooks as `POST /api/v1/conversions`. A repeated `txid` is "
        "acknowledged with `tracked: false, reason: duplicate_txid`. Rate limit: 1,000 per "
        "minute per key. Also served at `/compat/affspace/pb`.",
        parameters=schema.POSTBACK_PARAMETERS,
        responses=openapi.responses(schema.REPORTED),
        examples=schema.REPORT_EXAMPLES[1:],
    )
    def get(self, request: Request) -> Response:
        body = conversion_report(merchant=self.merchant(), mode=self.mode(), data=request.GET)
        return Response(body)

    @extend_schema(
        operation_id="affspace_postback_post",
        tags=[openapi.TAG],
        summary="Report a conversion (legacy postback)",
        description="The vendor document's `POST /pb`: the same fields as `POST "
        "/compat/affspace/api/v1/conversions`, as a JSON object or a form. Records the same "
        "conversion, attribution, commission and webhooks as `POST /api/v1/conversions`. "
        "Rate limit: 1,000 per minute per key.",
        request={
            "application/json": schema.CONVERSION_REQUEST,
            "application/x-www-form-urlencoded": schema.FORM_REQUEST,
        },
        responses=openapi.responses(schema.REPORTED),
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
        tags=[openapi.TAG],
        summary="List conversions (vendor dialect)",
        description="The key's mode's conversions, newest first, in the vendor's shape. "
        "`status` `rejected` is a conversion credited to no partner. Pages by opaque cursor: "
        "pass `meta.pagination.nextCursor` as `cursor`. Rate limit: 100 per minute per key.",
        parameters=schema.CONVERSION_LIST_PARAMETERS,
        responses=openapi.responses(
            openapi.success({"type": "array", "items": schema.CONVERSION}, meta=True)
        ),
        examples=[
            openapi.example(
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
        status = query_choice(request, "status", VENDOR_STATUSES)
        limit = query_integer(request, "limit", low=1, high=schema.LIMIT_MAX_CONVERSIONS)
        start, end = query_moment(request, "start_date"), query_moment(request, "end_date")
        filters = conversion_selectors.ConversionFilters(
            program=query_text(request, "offer_code"),
            created_after=start,
            # end_date is inclusive, to the millisecond.
            created_before=end + timedelta(milliseconds=1) if end is not None else None,
            **(status_filter(status) if status else {}),
        )
        rows = conversion_selectors.conversions_filtered(
            merchant=self.merchant(), mode=self.mode(), filters=filters
        )
        page, meta = page_of(
            rows, cursor=query_text(request, "cursor"), limit=limit or schema.LIMIT_MAX_CONVERSIONS
        )
        return ok([conversion_shape(c) for c in page], meta=meta)

    @extend_schema(
        operation_id="affspace_conversions_create",
        tags=[openapi.TAG],
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
        responses=openapi.responses(schema.REPORTED),
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
        tags=[openapi.TAG],
        summary="Get a conversion (vendor dialect)",
        description="One conversion of the key's merchant and mode, in the vendor's shape; "
        "another merchant's or mode's is NOT_FOUND. Rate limit: 100 per minute per key.",
        responses=openapi.responses(openapi.success(schema.CONVERSION)),
        examples=[
            openapi.example("A conversion", {"success": True, "data": schema.CONVERSION_EXAMPLE})
        ],
    )
    def get(self, request: Request, conversion_id: str) -> Response:
        conversion = conversion_selectors.conversion_get(
            merchant=self.merchant(), mode=self.mode(), conversion_id=_conversion_id(conversion_id)
        )
        if conversion is None:
            raise NotFound("Conversion not found")
        return ok(conversion_shape(conversion))


class StatsView(DialectView):
    zones: ClassVar[dict[str, str]] = {"GET": STATS_ZONE, "HEAD": STATS_ZONE}

    @extend_schema(
        operation_id="affspace_stats",
        tags=[openapi.TAG],
        summary="Get statistics (vendor dialect)",
        description="Clicks (human), conversions (attributed, not reversed), revenue and "
        "conversion rate over the whole UTC days from `start_date` to `end_date`, in total, "
        "per offer and as a time series by day, week (starting Monday) or month. The "
        "summary's revenue is in the merchant's reporting currency (`summary.currency`), each "
        "offer's in its own currency. Rate limit: 20 per minute per key.",
        parameters=schema.STATS_PARAMETERS,
        responses=openapi.responses(schema.STATS),
        examples=[openapi.example("Statistics", schema.STATS_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        merchant, mode = self.merchant(), self.mode()
        group_by = query_choice(request, "group_by", GROUPINGS) or "day"
        end = query_moment(request, "end_date") or timezone.now()
        start = query_moment(request, "start_date") or end - timedelta(days=STATS_DEFAULT_DAYS)
        if start > end:
            raise DialectError("start_date must not be after end_date", field="start_date")
        code = query_text(request, "offer_code")
        program = None
        if code is not None:
            program = conversion_selectors.program_by_code(merchant=merchant, mode=mode, code=code)
            if program is None:
                raise DialectError("Offer not found", field="offer_code")
        data = offer_stats(
            merchant=merchant, mode=mode, program=program, start=start, end=end, group_by=group_by
        )
        return ok(data)
