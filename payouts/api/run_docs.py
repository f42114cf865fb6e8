"""What the OpenAPI document shows of the payout endpoints beyond their shapes: the errors
each one raises, in the envelope, and a realistic example of every answer.

The payout tests check each example against its schema as strictly as a real answer, so
an example cannot drift from the contract either.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from payouts.rails import RAILS
from selgeo.api.errors import envelope
from selgeo.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from selgeo.api.schema import error_responses

MODE = OpenApiParameter("mode", str, enum=["test", "live"], description="Default live")
# As `selgeo.api.pagination.PagePagination` reads them.
PAGE = [
    OpenApiParameter("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}),
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        description="Rows per page",
    ),
]

RAIL = OpenApiParameter(
    "rail", str, OpenApiParameter.PATH, enum=list(RAILS), description="The file's rail"
)
ACTION = OpenApiParameter(
    "action", str, OpenApiParameter.PATH, enum=["mark-processing", "mark-paid", "mark-failed"]
)

# The envelope component is added to the document by `selgeo.api.schema`.
ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}

_ERRORS: dict[str, tuple[int, str, str, list[dict[str, str]] | None]] = {
    "bad_mode": (
        400,
        "VALIDATION_ERROR",
        "Validation failed",
        [{"field": "mode", "message": "mode must be 'test' or 'live'"}],
    ),
    "bad_page": (
        400,
        "VALIDATION_ERROR",
        "Validation failed",
        [{"field": "limit", "message": "limit must be at most 100"}],
    ),
    "bad_minimum": (
        400,
        "VALIDATION_ERROR",
        "Validation failed",
        [{"field": "minimums.EUR", "message": "Expected an integer, received number"}],
    ),
    "bad_reason": (
        400,
        "VALIDATION_ERROR",
        "Validation failed",
        [{"field": "reason", "message": '"late" is not a valid choice.'}],
    ),
    "nobody_payable": (
        400,
        "VALIDATION_ERROR",
        "Validation failed",
        [{"field": "partner_ids", "message": "None of these partners can be paid now"}],
    ),
    "bad_reference": (
        400,
        "VALIDATION_ERROR",
        "Validation failed",
        [{"field": "reference", "message": "Ensure this field has no more than 140 characters."}],
    ),
    "no_token": (
        401,
        "UNAUTHORIZED",
        "Authentication credentials were not provided or are invalid",
        None,
    ),
    "not_admin": (403, "FORBIDDEN", "This action needs the owner or admin role", None),
    "not_merchant": (403, "FORBIDDEN", "This account is not a member of a merchant", None),
    "not_partner": (403, "FORBIDDEN", "This endpoint is for partner accounts", None),
    "no_run": (404, "NOT_FOUND", "Payout run not found", None),
    "no_payout": (404, "NOT_FOUND", "Payout not found", None),
    "no_file": (404, "NOT_FOUND", "No such file", None),
    "status_conflict": (409, "PAYOUT_STATUS_CONFLICT", "A paid payout cannot become failed", None),
    "file_unavailable": (
        422,
        "PAYOUT_FILE_UNAVAILABLE",
        "This run has no payout for this file",
        None,
    ),
}


def error_example(name: str) -> dict[str, Any]:
    status, code, message, details = _ERRORS[name]
    return envelope(status, code, message, details)


def errors(*names: str) -> dict[int, OpenApiResponse]:
    """Error responses in the envelope, one example per named case, grouped by status;
    every payout endpoint needs a token (401)."""
    return error_responses(_ERRORS, ("no_token", *names))


def ok(serializer: Any, description: str, *examples: tuple[str, Any]) -> OpenApiResponse:
    return OpenApiResponse(
        response=serializer,
        description=description,
        examples=[OpenApiExample(name, value=value) for name, value in examples],
    )


MERCHANT_ID = "0193a3c4-7d2e-7b40-9a51-2f3c4d5e6f70"
PARTNER_ID = "0193a3c5-1b8a-7c21-8f3e-6a7b8c9d0e1f"
RUN_ID = "0193a9e2-5c10-7a3b-b4d6-1e2f3a4b5c6d"
PAYOUT_ID = "0193a9e2-5c44-7d8e-9f01-2a3b4c5d6e7f"
PROGRAM_ID = "0193a3c4-8e01-7f12-a3b4-c5d6e7f80912"
COMMISSION_ID = "0193a6b0-2f3e-7a4b-8c5d-6e7f8091a2b3"
PAID_COMMISSION_ID = "0193a5d1-9a8b-7c6d-9e0f-1a2b3c4d5e6f"
ADJUSTMENT_ID = "0193a7f3-4b5c-7d6e-8f90-a1b2c3d4e5f6"

SETTINGS = {
    "mode": "live",
    "minimums": {"EUR": 5000, "JPY": 5000},
    "default_minimum_major_units": 50,
    "tax_details_required": True,
    "schedule": "monthly",
    "schedule_day": 5,
    "sepa_debtor_name": "Acme GmbH",
    "sepa_debtor_iban_last4": "2051",
    "sepa_debtor_bic": "COBADEFFXXX",
}

PREVIEW_ROWS = [
    {
        "partner": {"id": PARTNER_ID, "display_name": "Jane Doe"},
        "currency": "EUR",
        "commissions_count": 3,
        "commissions_cents": 9500,
        "adjustments_count": 1,
        "adjustments_cents": -1500,
        "net_cents": 8000,
        "minimum_cents": 5000,
        "method": "sepa",
        "payable": True,
        "reasons": [],
    },
    {
        "partner": {"id": "0193a3c6-2c9b-7d32-9a4f-7b8c9d0e1f20", "display_name": "Kim Lee"},
        "currency": "EUR",
        "commissions_count": 1,
        "commissions_cents": 2400,
        "adjustments_count": 0,
        "adjustments_cents": 0,
        "net_cents": 2400,
        "minimum_cents": 5000,
        "method": None,
        "payable": False,
        "reasons": ["below_minimum", "no_payout_method"],
    },
]
PREVIEW_PAGE = {"data": PREVIEW_ROWS, "total": 2, "page": 1, "limit": 20}

RUN = {
    "id": RUN_ID,
    "mode": "live",
    "test": False,
    "status": "ready",
    "scheduled_month": None,
    "progress": {"done": 12, "total": 12, "percent": 100},
    "created_at": "2026-12-05T09:30:00.000000Z",
    "built_at": "2026-12-05T09:30:01.250000Z",
}
RUN_BUILDING = {
    **RUN,
    "status": "building",
    "scheduled_month": "2026-12-01",
    "progress": {"done": 1450, "total": 5000, "percent": 29},
    "built_at": None,
}
RUN_PAGE = {"data": [RUN], "total": 1, "page": 1, "limit": 20}
RUN_MOVED = {**RUN, "moved": 12}

_PAYOUT_FIELDS = {
    "id": PAYOUT_ID,
    "partner_id": PARTNER_ID,
    "amount_cents": 8000,
    "commissions_cents": 9500,
    "adjustments_cents": -1500,
    "currency": "EUR",
    "rail": "sepa",
    "status": "pending",
    "reference": "",
    "failure_reason": "",
    "created_at": "2026-12-05T09:30:00.412000Z",
    "processing_at": None,
    "paid_at": None,
    "failed_at": None,
    "mode": "live",
    "destination": "IBAN ••••3000",
}
PAYOUT = {
    **_PAYOUT_FIELDS,
    "run_id": RUN_ID,
    "partner": {"id": PARTNER_ID, "display_name": "Jane Doe"},
}
PAYOUT_PAID = {
    **PAYOUT,
    "status": "paid",
    "reference": "SEPA-2026-12-05",
    "processing_at": "2026-12-05T10:02:11.000000Z",
    "paid_at": "2026-12-06T08:15:40.000000Z",
}
PAYOUT_PAGE = {"data": [PAYOUT], "total": 1, "page": 1, "limit": 20}

PARTNER_PAYOUT = {
    **_PAYOUT_FIELDS,
    "status": "paid",
    "reference": "SEPA-2026-12-05",
    "paid_at": "2026-12-06T08:15:40.000000Z",
    "merchant": {"id": MERCHANT_ID, "name": "Acme"},
}
PARTNER_PAYOUT_PAGE = {"data": [PARTNER_PAYOUT], "total": 1, "page": 1, "limit": 20}

STATEMENT = {
    "payout": PARTNER_PAYOUT,
    "commissions": [
        {
            "id": COMMISSION_ID,
            "program": {"id": PROGRAM_ID, "code": "SHOES"},
            "created_at": "2026-11-02T14:05:09.000000Z",
            "amount_cents": 9500,
            "currency": "EUR",
        }
    ],
    "adjustments": [
        {
            "id": ADJUSTMENT_ID,
            "commission_id": PAID_COMMISSION_ID,
            "reason": "refund",
            "created_at": "2026-11-20T08:00:00.000000Z",
            "adjustment_cents": -1500,
            "deducted_cents": -1500,
            "currency": "EUR",
        }
    ],
}

BALANCES = {
    "data": [
        {
            "merchant": {"id": MERCHANT_ID, "name": "Acme"},
            "currency": "EUR",
            "pending_cents": 450,
            "approved_cents": 3200,
            "in_payout_cents": 9500,
            "open_adjustments_cents": -500,
            "minimum_cents": 5000,
            "next_payout_date": "2027-01-05",
        }
    ]
}
