"""The dialect's shapes in the OpenAPI document: its bodies, parameters and examples,
written out as the vendor document shows them (camelCase, the `success` envelope)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter

from compat.affspace.amounts import AMOUNT_PATTERN
from compat.affspace.openapi import MILLIS, NO_NUL, TEXT, obj, success
from compat.affspace.shapes import VENDOR_STATUSES
from conversions.explanations import EXPLANATION_CODES
from conversions.models import EventType
from partners.models import CommissionType, ProgramStatus

# Reporting a conversion (POST /api/v1/conversions, GET|POST /pb).

_AMOUNT = {
    "oneOf": [
        {"type": "string", "pattern": AMOUNT_PATTERN},
        {"type": "integer"},
    ],
    "nullable": True,
    "description": 'Sale amount in currency units, e.g. "149.99"; read exactly (no more '
    'decimals than the currency has: "149.999" EUR is refused). Required for CPS and '
    "RevShare offers; must be positive.",
}
_ID_TEXT = {
    "oneOf": [{"type": "string", "pattern": NO_NUL, "maxLength": 255}, {"type": "integer"}],
    "nullable": True,
}
CONVERSION_FIELDS: dict[str, Any] = {
    "offer_code": {**TEXT, "maxLength": 100, "description": "The offer's (program's) code"},
    "click_id": {
        **TEXT,
        "nullable": True,
        "maxLength": 100,
        "description": "The click id (`selgeo_click_id` on the landing URL); a test "
        "session's id starts with `test_`",
    },
    "txid": {**_ID_TEXT, "description": "Your order id: the idempotency key"},
    "customer_id": {**_ID_TEXT, "description": "Required for CPA offers"},
    "event_type": {
        "type": "string",
        "enum": list(EventType.values),
        "nullable": True,
        "description": "Defaults to purchase",
    },
    "amount": _AMOUNT,
    "currency": {
        **TEXT,
        "nullable": True,
        "description": "ISO 4217; must match the offer's currency if sent",
    },
}
CONVERSION_REQUEST = obj(CONVERSION_FIELDS, required=["offer_code"])
FORM_FIELDS = {
    **CONVERSION_FIELDS,
    "txid": {**TEXT, "maxLength": 255},
    "customer_id": {**TEXT, "maxLength": 255},
    "amount": {"type": "string", "pattern": AMOUNT_PATTERN},
}
FORM_REQUEST = obj(
    {name: {k: v for k, v in s.items() if k != "nullable"} for name, s in FORM_FIELDS.items()},
    required=["offer_code"],
)

TRACKED = obj(
    {
        "success": {"type": "boolean", "enum": [True]},
        "data": obj(
            {
                "tracked": {"type": "boolean", "enum": [True]},
                "conversionId": {"type": "string", "format": "uuid"},
                "status": {"type": "string", "enum": list(VENDOR_STATUSES)},
                "currency": {"type": "string"},
            }
        ),
    }
)
NOT_TRACKED = obj(
    {
        "success": {"type": "boolean", "enum": [True]},
        "tracked": {"type": "boolean", "enum": [False]},
        "reason": {
            "type": "string",
            "enum": ["duplicate_txid", *EXPLANATION_CODES],
            "description": "cpa_customer_limit, cpa_click_limit or duplicate_txid as the "
            "vendor document lists them; any other value is the code of Selgeo's attribution "
            "explanation (the conversion is recorded and credited to no partner)",
        },
        "message": {"type": "string"},
    }
)
REPORTED = {"oneOf": [TRACKED, NOT_TRACKED]}

REPORT_EXAMPLES = [
    OpenApiExample(
        "Reference request",
        value={
            "offer_code": "MYOFFER123",
            "click_id": "6f1c2d3e-4b5a-4c6d-8e7f-901234567890",
            "txid": "ORDER-98765",
            "customer_id": "cust_12345",
            "amount": "149.99",
            "currency": "USD",
        },
        request_only=True,
    ),
    OpenApiExample(
        "Tracked",
        value={
            "success": True,
            "data": {
                "tracked": True,
                "conversionId": "0b8f7a52-3c1e-4d2f-9a6b-5e4d3c2b1a09",
                "status": "pending",
                "currency": "USD",
            },
        },
        response_only=True,
        status_codes=["200"],
    ),
    OpenApiExample(
        "Duplicate txid",
        value={
            "success": True,
            "tracked": False,
            "reason": "duplicate_txid",
            "message": "Conversion received. A conversion with this transaction ID was "
            "already recorded.",
        },
        response_only=True,
        status_codes=["200"],
    ),
    OpenApiExample(
        "CPA customer limit",
        value={
            "success": True,
            "tracked": False,
            "reason": "cpa_customer_limit",
            "message": "Conversion received. This customer already converted under this CPA offer.",
        },
        response_only=True,
        status_codes=["200"],
    ),
]

POSTBACK_PARAMETERS = [
    # Required, yet documented as optional: like every query parameter of the API, a
    # blank one is absent, and then the answer is 400 "Missing offer_code".
    OpenApiParameter("offer_code", str, description="Required: the offer's (program's) code"),
    OpenApiParameter("click_id", str, description="The click id; `test_` prefix for tests"),
    OpenApiParameter("txid", str, description="Your order id: the idempotency key"),
    OpenApiParameter("customer_id", str, description="Required for CPA offers"),
    OpenApiParameter("event_type", str, enum=list(EventType.values)),
    OpenApiParameter(
        "amount", str, pattern=AMOUNT_PATTERN, description='Sale amount, e.g. "149.99"'
    ),
    OpenApiParameter("currency", str, description="ISO 4217; must match the offer's"),
]

# Conversions as the vendor lists them.

CONVERSION = obj(
    {
        "id": {"type": "string", "format": "uuid"},
        "offerCode": {"type": "string", "nullable": True},
        "vendorTxId": {"type": "string"},
        "currency": {"type": "string"},
        "saleAmountCents": {"type": "integer", "nullable": True},
        "advertiserPayoutCents": {"type": "integer"},
        "status": {"type": "string", "enum": list(VENDOR_STATUSES)},
        "createdAt": MILLIS,
    }
)
CONVERSION_EXAMPLE = {
    "id": "0b8f7a52-3c1e-4d2f-9a6b-5e4d3c2b1a09",
    "offerCode": "MYOFFER123",
    "vendorTxId": "ORDER-98765",
    "currency": "USD",
    "saleAmountCents": 14999,
    "advertiserPayoutCents": 3000,
    "status": "approved",
    "createdAt": 1706234567890,
}
LIMIT_MAX_CONVERSIONS = 500
LIMIT_MAX_OFFERS = 100
# 9999-12-30T23:59:59.999Z: a day short of the calendar's end, so that the day after an
# end date (stats count whole days) and the millisecond after it (lists include it) exist.
MAX_MILLIS = 253_402_214_399_999


def _millis_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, {"type": "integer", "minimum": 0, "maximum": MAX_MILLIS}, description=description
    )


def _limit(maximum: int) -> OpenApiParameter:
    return OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": maximum, "default": maximum},
        description=f"Results per page (at most {maximum})",
    )


CURSOR = OpenApiParameter("cursor", str, description="`meta.pagination.nextCursor` of a page")
CONVERSION_LIST_PARAMETERS = [
    OpenApiParameter("offer_code", str, description="Only this offer's conversions"),
    OpenApiParameter("status", str, enum=list(VENDOR_STATUSES)),
    _millis_parameter("start_date", "Created at or after (Unix ms)"),
    _millis_parameter("end_date", "Created at or before (Unix ms)"),
    _limit(LIMIT_MAX_CONVERSIONS),
    CURSOR,
]

STATS = success(
    obj(
        {
            "summary": obj(
                {
                    "totalClicks": {"type": "integer"},
                    "totalConversions": {"type": "integer"},
                    "approvedConversions": {"type": "integer"},
                    "totalRevenueCents": {"type": "integer"},
                    "currency": {"type": "string"},
                    "conversionRate": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$"},
                }
            ),
            "byOffer": {
                "type": "array",
                "items": obj(
                    {
                        "offerCode": {"type": "string"},
                        "offerName": {"type": "string"},
                        "currency": {"type": "string"},
                        "clicks": {"type": "integer"},
                        "conversions": {"type": "integer"},
                        "revenueCents": {"type": "integer"},
                    }
                ),
            },
            "timeSeries": {
                "type": "array",
                "items": obj(
                    {
                        "date": {"type": "string", "format": "date"},
                        "clicks": {"type": "integer"},
                        "conversions": {"type": "integer"},
                    }
                ),
            },
        }
    )
)
STATS_PARAMETERS = [
    OpenApiParameter("offer_code", str, description="Only this offer"),
    _millis_parameter("start_date", "Start of the range (Unix ms; default 30 days ago)"),
    _millis_parameter("end_date", "End of the range (Unix ms; default now)"),
    OpenApiParameter("group_by", str, enum=["day", "week", "month"], description="Default day"),
]
STATS_EXAMPLE = {
    "success": True,
    "data": {
        "summary": {
            "totalClicks": 12500,
            "totalConversions": 487,
            "approvedConversions": 412,
            "totalRevenueCents": 1236000,
            "currency": "USD",
            "conversionRate": "3.90",
        },
        "byOffer": [
            {
                "offerCode": "MYOFFER123",
                "offerName": "My Product Offer",
                "currency": "USD",
                "clicks": 5000,
                "conversions": 200,
                "revenueCents": 600000,
            }
        ],
        "timeSeries": [{"date": "2024-01-25", "clicks": 450, "conversions": 18}],
    },
}

PAYOUT_TERMS = {
    "type": "object",
    "properties": {
        "advertiserPayoutCents": {"type": "integer", "description": "CPA: the fixed amount"},
        "advertiserPayoutPercent": {
            "type": "string",
            "description": "CPS and RevShare: the percentage of the sale",
        },
        "recurringMonths": {"type": "integer", "nullable": True},
    },
}
OFFER_PROPERTIES = {
    "code": {"type": "string"},
    "name": {"type": "string"},
    "status": {"type": "string", "enum": list(ProgramStatus.values)},
    "currency": {"type": "string"},
    "commissionType": {"type": "string", "enum": list(CommissionType.values)},
}
OFFER = obj({**OFFER_PROPERTIES, "payoutTerms": PAYOUT_TERMS})
OFFER_DETAIL = obj(
    {**OFFER_PROPERTIES, "primaryUrl": {"type": "string"}, "payoutTerms": PAYOUT_TERMS}
)
OFFER_EXAMPLE = {
    "code": "MYOFFER123",
    "name": "My Product Offer",
    "status": "published",
    "currency": "USD",
    "commissionType": "cpa",
    "payoutTerms": {"advertiserPayoutCents": 3000},
}
OFFER_LIST_PARAMETERS = [
    OpenApiParameter("status", str, enum=list(ProgramStatus.values)),
    _limit(LIMIT_MAX_OFFERS),
    CURSOR,
]

PROFILE = success(
    obj(
        {
            "companyName": {"type": "string"},
            "contactEmail": {"type": "string"},
            "status": {"type": "string", "enum": ["approved"]},
            "hasApiKey": {"type": "boolean"},
        }
    )
)

TEST_SESSION_REQUEST = obj(
    {"offer_code": {**TEXT, "maxLength": 100, "description": "A published test-mode offer"}}
)
TEST_SESSION_CREATED = success(
    obj(
        {
            "testClickId": {"type": "string", "pattern": "^test_"},
            "sessionToken": {"type": "string"},
            "expiresAt": MILLIS,
        }
    )
)
TEST_SESSION = success(
    obj(
        {
            "status": {"type": "string", "enum": ["waiting", "received", "expired"]},
            "validation": obj(
                {"signatureValid": {"type": "boolean"}, "fieldsValid": {"type": "boolean"}}
            ),
        }
    )
)

HEALTH = obj(
    {"status": {"type": "string", "enum": ["ok"]}, "timestamp": MILLIS},
)
