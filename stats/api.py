"""GET /api/v1/stats (secret key or dashboard JWT) and GET /api/v1/partner/stats (partner JWT).

Thin: parse the query, resolve the program and partner named in it within the caller's
merchant and mode (another merchant's or mode's is a 404), call `stats_report`, render.
Both count in the `stats` zone, 20 requests a minute per secret key or per user.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Merchant
from fx import selectors as fx_selectors
from partners import selectors as partner_selectors
from selgeo.api import ratelimit
from selgeo.api.authentication import (
    KeyPrincipal,
    MerchantJWTAuthentication,
    SecretKeyAuthentication,
)
from selgeo.api.context import request_merchant, request_mode, request_partner
from selgeo.api.errors import ApiError, InvalidApiKey, NotFound, ValidationFailed
from selgeo.api.permissions import IsPartnerUser, SecretKeyOrMerchantUser
from selgeo.api.serializers import CURRENCY_SCHEMA, currency_error
from selgeo.api.views import APIView
from stats.representations import REPORT_SCHEMA, report_data
from stats.selectors import GROUPINGS, StatsReport, stats_report

DEFAULT_DAYS = 30
# Ten years of days: the cost of a report follows its days, so a range has a bound.
MAX_DAYS = 3660
# 9999-12-31T23:59:59.999Z: later timestamps are no date Python can hold.
MAX_MS = 253402300799999


def _day(name: str, raw: str) -> date:
    """A UTC day from a timestamp in milliseconds or an ISO 8601 date or date-time."""
    if raw.isascii() and raw.isdigit():
        if len(raw) > 15 or int(raw) > MAX_MS:
            raise ValidationFailed.field(name, f"{name} is after the year 9999")
        return datetime.fromtimestamp(int(raw) / 1000, tz=UTC).date()
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw)
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed.field(
            name,
            f"{name} must be a timestamp in milliseconds (1706140800000) or an ISO 8601 date "
            "(2024-01-25) or date-time (2024-01-25T00:00:00Z)",
        ) from None
    if moment.tzinfo is None:
        raise ValidationFailed.field(name, f"{name} needs a time zone (2024-01-25T00:00:00Z)")
    return moment.astimezone(UTC).date()


class StatsQuery:
    """The query shared by both endpoints, validated field by field; every error is
    reported at once in the envelope's details."""

    def __init__(self, params: Any, *, today: date, merchant_side: bool) -> None:
        errors: list[dict[str, str]] = []
        self.start: date = today - timedelta(days=DEFAULT_DAYS - 1)
        self.end: date = today
        self.group_by = "day"
        self.currency: str | None = None
        self.offer_code: str | None = None
        self.partner: str | None = None
        for name in ("start_date", "end_date"):
            raw = params.get(name)
            if raw is None:
                continue
            try:
                setattr(self, name.removesuffix("_date"), _day(name, raw))
            except ValidationFailed as exc:
                errors += exc.details or []
        if "start_date" in params and "end_date" not in params and not errors:
            self.end = max(self.end, self.start)
        if "end_date" in params and "start_date" not in params and not errors:
            self.start = self.end - timedelta(days=DEFAULT_DAYS - 1)
        if not errors and self.start > self.end:
            errors.append({"field": "start_date", "message": "start_date is after end_date"})
        elif not errors and (self.end - self.start).days + 1 > MAX_DAYS:
            errors.append(
                {"field": "end_date", "message": f"A range spans at most {MAX_DAYS} days"}
            )
        group_by = params.get("group_by")
        if group_by is not None:
            if group_by in GROUPINGS:
                self.group_by = group_by
            else:
                errors.append(
                    {"field": "group_by", "message": "group_by must be day, week or month"}
                )
        currency = params.get("currency")
        if currency is not None:
            problem = currency_error(currency)
            if problem is None:
                self.currency = currency
            else:
                errors.append({"field": "currency", "message": problem})
        offer_code = params.get("offer_code")
        if offer_code is not None:
            if len(offer_code) > 100 or "\x00" in offer_code:
                errors.append({"field": "offer_code", "message": "Not a program code"})
            else:
                self.offer_code = offer_code
        if merchant_side:
            partner = params.get("partner")
            if partner is not None:
                if _uuid(partner) is None:
                    errors.append({"field": "partner", "message": "partner must be a partner id"})
                else:
                    self.partner = partner
        if errors:
            raise ValidationFailed(details=errors)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


_DATE_DESCRIPTION = (
    "A timestamp in milliseconds (as the vendor reference sends it), or an ISO 8601 date "
    "or date-time with a zone. The range is whole UTC days: the day of start_date through "
    "the day of end_date, both included, at most 3660 days."
)
_COMMON_PARAMETERS = [
    OpenApiParameter(
        "offer_code", str, description="A program's code: only that program's figures"
    ),
    OpenApiParameter(
        "start_date",
        str,
        description=f"First day (default: 29 days before end_date). {_DATE_DESCRIPTION}",
    ),
    OpenApiParameter(
        "end_date", str, description=f"Last day (default: today). {_DATE_DESCRIPTION}"
    ),
    OpenApiParameter(
        "group_by", str, enum=list(GROUPINGS), description="Periods of `timeSeries` (default day)"
    ),
    OpenApiParameter(
        "currency",
        str,
        enum=CURRENCY_SCHEMA["enum"],
        description=(
            "Reporting currency of the money figures (default: the merchant's; USD for "
            "partners). Amounts recorded in it are taken as recorded; others are converted "
            "at the stored rate in effect at the end of their UTC day."
        ),
    ),
    OpenApiParameter("mode", str, enum=["test", "live"], description="Default live (JWT only)"),
]

_EXAMPLE = {
    "startDate": "2024-01-01",
    "endDate": "2024-01-30",
    "groupBy": "day",
    "currency": "USD",
    "summary": {
        "totalClicks": 12500,
        "botClicks": 300,
        "totalConversions": 476,
        "approvedConversions": 412,
        "receivedConversions": 501,
        "reversedConversions": 11,
        "totalRevenueCents": 1236000,
        "conversionRate": "3.90",
        "commissionCents": 123600,
        "pendingCommissionCents": 12000,
        "approvedCommissionCents": 61600,
        "paidCommissionCents": 50000,
        "reversedCommissionCents": 1100,
    },
    "byOffer": [
        {
            "offerCode": "MYOFFER123",
            "offerName": "My Product Offer",
            "programCurrency": "EUR",
            "currency": "USD",
            "clicks": 5000,
            "conversions": 200,
            "approvedConversions": 180,
            "revenueCents": 600000,
            "commissionCents": 60000,
        }
    ],
    "timeSeries": [
        {
            "date": "2024-01-25",
            "clicks": 450,
            "conversions": 18,
            "revenueCents": 45000,
            "commissionCents": 4500,
        }
    ],
    "unconvertedAmounts": 0,
}


class _StatsView(APIView):
    """Counts every request in the `stats` zone, per secret key or per user."""

    rate_zone = "stats"

    def perform_authentication(self, request: Request) -> None:
        try:
            user = request.user
        except (ApiError, APIException):
            ratelimit.enforce(request, zone="general")
            raise
        if isinstance(user, KeyPrincipal):
            key = f"key:{user.api_key.pk}"
        else:
            key = f"user:{getattr(user, 'pk', '')}"
        ratelimit.enforce(request, zone="stats", key=key)

    def render(self, report: StatsReport) -> Response:
        return Response(report_data(report))


class StatsView(_StatsView):
    authentication_classes = [SecretKeyAuthentication, MerchantJWTAuthentication]
    permission_classes = [SecretKeyOrMerchantUser]
    missing_credentials_error = InvalidApiKey

    @extend_schema(
        tags=["stats"],
        summary="Performance figures of the merchant's programs",
        description=(
            "Clicks, conversions, revenue and commissions for a range of UTC days: a "
            "`summary`, one `byOffer` entry per program with activity, and a `timeSeries` "
            "with every period of the range. Exact at the moment of the request (daily "
            "rollups plus the rows after them). `totalConversions` counts attributed "
            "conversions that were not reversed, `approvedConversions` those past their "
            "hold; `conversionRate` is conversions per 100 human clicks. Money is in "
            "minor units of `currency`; `unconvertedAmounts` counts amounts no stored rate "
            "could convert (left out). A secret key reads its own mode; a dashboard token "
            "takes `?mode=`. Own rate-limit zone: 20 requests a minute per key or user."
        ),
        parameters=[
            *_COMMON_PARAMETERS,
            OpenApiParameter(
                "partner", str, description="A partner's id: only that partner's traffic"
            ),
        ],
        responses={200: REPORT_SCHEMA},
        examples=[OpenApiExample("Thirty days", value=_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        merchant = request_merchant(request)
        mode = request_mode(request)
        query = StatsQuery(request.query_params, today=_today(), merchant_side=True)
        program_id = None
        if query.offer_code is not None:
            program_id = (
                partner_selectors.programs_for(merchant=merchant, mode=mode)
                .filter(code=query.offer_code)
                .values_list("pk", flat=True)
                .first()
            )
            if program_id is None:
                raise NotFound("Offer not found")
        partner_id = None
        if query.partner is not None:
            partner_id = (
                partner_selectors.partners_for(merchant=merchant, mode=mode)
                .filter(pk=query.partner)
                .values_list("pk", flat=True)
                .first()
            )
            if partner_id is None:
                raise NotFound("Partner not found")
        return self.render(
            stats_report(
                mode=mode,
                start=query.start,
                end=query.end + timedelta(days=1),
                group_by=query.group_by,
                currency=query.currency or _reporting(merchant),
                merchant_id=merchant.pk,
                program_ids=None if program_id is None else [program_id],
                partner_id=partner_id,
            )
        )


class PartnerStatsView(_StatsView):
    permission_classes = [IsPartnerUser]

    @extend_schema(
        tags=["partner"],
        summary="The partner's own performance figures",
        description=(
            "The same figures as `GET /api/v1/stats`, for the partner's own traffic across "
            "every merchant whose programs it works with, in `?mode=` (default live). "
            "`offer_code` names a program the partner has traffic in. Money is in "
            "`currency` (default USD), each amount as recorded when its merchant reports "
            "in it, else converted at the stored rate of the end of its UTC day. Own "
            "rate-limit zone: 20 requests a minute per user."
        ),
        parameters=_COMMON_PARAMETERS,
        responses={200: REPORT_SCHEMA},
        examples=[OpenApiExample("Thirty days", value=_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        partner = request_partner(request)
        mode = request_mode(request)
        query = StatsQuery(request.query_params, today=_today(), merchant_side=False)
        program_ids = None
        if query.offer_code is not None:
            # Codes are unique per merchant only: the partner's programs of that code.
            program_ids = list(
                partner_selectors.applications_of(partner=partner, mode=mode)
                .filter(program__code=query.offer_code)
                .values_list("program_id", flat=True)
            )
            if not program_ids:
                raise NotFound("Offer not found")
        return self.render(
            stats_report(
                mode=mode,
                start=query.start,
                end=query.end + timedelta(days=1),
                group_by=query.group_by,
                currency=query.currency or fx_selectors.DEFAULT_REPORTING_CURRENCY,
                partner_id=partner.pk,
                program_ids=program_ids,
            )
        )


def _today() -> date:
    return timezone.now().astimezone(UTC).date()


def _reporting(merchant: Merchant) -> str:
    return fx_selectors.reporting_currency_of(merchant)
