"""What the OpenAPI document shows of the commission-terms endpoints: realistic examples of
every answer and of each error, in the envelope."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from selgeo.api.schema import error_responses

MODE = OpenApiParameter("mode", str, enum=["test", "live"], description="Default live")
PROGRAM_PATH = OpenApiParameter(
    "program_pk", {"type": "string", "format": "uuid"}, OpenApiParameter.PATH,
    description="The program's id",
)  # fmt: skip
PARTNER_PATH = OpenApiParameter(
    "partner_pk", {"type": "string", "format": "uuid"}, OpenApiParameter.PATH,
    description="The partner's id",
)  # fmt: skip
ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}

PROGRAM_ID = "0193a3c4-8e01-7f12-a3b4-c5d6e7f80912"
PARTNER_ID = "0193a3c5-1b8a-7c21-8f3e-6a7b8c9d0e1f"
GROUP_ID = "0193b1a2-3c4d-7e5f-8a6b-7c8d9e0f1a2b"
OVERRIDE_ID = "0193b1a2-4d5e-7f60-9b7c-8d9e0f1a2b3c"
TIER_ID = "0193b1a2-5e6f-7071-ac8d-9e0f1a2b3c4d"
VERSION_ID = "0193b1a2-6f70-7182-bd9e-0f1a2b3c4d5e"

VERSION = {
    "id": VERSION_ID,
    "number": 2,
    "commission_type": "cps",
    "cpa_amount_cents": None,
    "percent_bps": 2000,
    "recurring_months": None,
    "effective_from": "2026-12-01T09:30:00Z",
    "changed_by": "alice@acme.example",
    "note": "Winter campaign: 20% on every sale",
    "created_at": "2026-12-01T09:30:00Z",
}
GROUP = {
    "id": GROUP_ID,
    "mode": "live",
    "name": "Top bloggers",
    "description": "Partners with more than 10,000 readers",
    "partner_ids": [PARTNER_ID],
    "created_at": "2026-11-20T14:00:00Z",
}
OVERRIDE = {
    "id": OVERRIDE_ID,
    "program": PROGRAM_ID,
    "partner": PARTNER_ID,
    "group": None,
    "cpa_amount_cents": None,
    "percent_bps": 2500,
    "created_at": "2026-11-21T10:00:00Z",
    "updated_at": "2026-11-21T10:00:00Z",
}
TIER = {
    "id": TIER_ID,
    "program": PROGRAM_ID,
    "min_conversions": 50,
    "cpa_amount_cents": None,
    "percent_bps": 2000,
    "created_at": "2026-11-21T10:05:00Z",
}


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
    "bad_rate": (
        400,
        "VALIDATION_ERROR",
        "Validation failed",
        [
            {
                "field": "percent_bps",
                "message": "percent_bps must be an integer from 0 to 10000 (cps program)",
            }
        ],
    ),
    "bad_target": (
        400,
        "VALIDATION_ERROR",
        "Validation failed",
        [{"field": "partner", "message": "No partner of this merchant has this id"}],
    ),
    "tier_taken": (
        400,
        "VALIDATION_ERROR",
        "Validation failed",
        [
            {
                "field": "min_conversions",
                "message": "The program already has a tier at this number of conversions",
            }
        ],
    ),
    "name_taken": (
        400,
        "VALIDATION_ERROR",
        "Validation failed",
        [{"field": "name", "message": "This merchant already has a group with this name"}],
    ),
    "archived": (
        400,
        "VALIDATION_ERROR",
        "An archived program cannot be changed",
        [{"field": "status", "message": "An archived program cannot be changed"}],
    ),
    "no_credentials": (
        401,
        "UNAUTHORIZED",
        "Authentication credentials were not provided or are invalid",
        None,
    ),
    "too_large": (413, "PAYLOAD_TOO_LARGE", "Request body is too large", None),
    "rate_limited": (429, "RATE_LIMIT_EXCEEDED", "Rate limit exceeded", None),
    "not_merchant": (403, "FORBIDDEN", "This account is not a member of a merchant", None),
    "no_program": (404, "NOT_FOUND", "Program not found", None),
    "no_group": (404, "NOT_FOUND", "Group not found", None),
    "no_rate": (404, "NOT_FOUND", "Rate not found", None),
    "no_tier": (404, "NOT_FOUND", "Tier not found", None),
    "no_member": (404, "NOT_FOUND", "The partner is not in this group", None),
}


def errors(*names: str) -> dict[int, OpenApiResponse]:
    """Error responses in the envelope, one example per case, grouped by status; every
    operation takes `?mode=`, credentials, a bounded body and counts in the general zone."""
    defaults = ("bad_mode", "no_credentials", "not_merchant", "too_large", "rate_limited")
    return error_responses(_ERRORS, (*defaults, *names))


def ok(serializer: Any, description: str, name: str, value: Any) -> OpenApiResponse:
    return OpenApiResponse(
        response=serializer, description=description, examples=[OpenApiExample(name, value=value)]
    )


def request_example(name: str, value: dict[str, Any]) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)
