"""The dialect's OpenAPI machinery: its security schemes, its envelope for every error
status, and the helpers its operation schemas are written with.

Every operation declares every error status in the dialect's envelope, so that Selgeo's
own envelope (which its post-processing adds for any status left out) is never promised
for these paths.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse

from compat.affspace.errors import CODES

TAG = "AffSpace dialect"
NO_NUL = "^[^\\x00]*$"


class AffSpaceKeySchemeExtension(OpenApiAuthenticationExtension):
    target_class = "compat.affspace.access.AffSpaceKeyAuthentication"
    name = ["affspaceApiKey", "affspaceBearer"]

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[Any]]]:
        # Either header will do (OR), as the vendor document says.
        return [{"affspaceApiKey": []}, {"affspaceBearer": []}]

    def get_security_definition(self, auto_schema: Any) -> list[dict[str, Any]]:
        return [
            {
                "type": "apiKey",
                "in": "header",
                "name": "X-API-Key",
                "description": "A Selgeo secret key (sk_test_* or sk_live_*): its prefix "
                "decides the mode.",
            },
            {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "sk_test_* | sk_live_*",
                "description": "The same secret key as `Authorization: Bearer <key>`.",
            },
        ]


def obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    schema["required"] = required if required is not None else list(properties)
    return schema


TEXT = {"type": "string", "pattern": NO_NUL}
MILLIS = {"type": "integer", "description": "Unix time in milliseconds"}

ERROR = obj(
    {
        "success": {"type": "boolean", "enum": [False]},
        "error": obj(
            {
                "code": {"type": "string", "enum": list(CODES)},
                "message": {"type": "string", "description": "Human-readable; not stable"},
            }
        ),
    }
)


def success(data: dict[str, Any], meta: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {"success": {"type": "boolean", "enum": [True]}, "data": data}
    if meta:
        properties["meta"] = obj(
            {
                "pagination": obj(
                    {
                        "hasMore": {"type": "boolean"},
                        "nextCursor": {"type": "string", "nullable": True},
                    }
                )
            }
        )
    return obj(properties)


_ERROR_TEXT = {
    400: "VALIDATION_ERROR: see the message",
    401: "UNAUTHORIZED (no key) or INVALID_API_KEY",
    403: "FORBIDDEN: plain HTTP where HTTPS is required",
    404: "NOT_FOUND",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMITED: see Retry-After",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE: the database is unavailable (see Retry-After)",
}
_ERROR_EXAMPLES = {
    400: ("VALIDATION_ERROR", "Missing offer_code"),
    401: ("INVALID_API_KEY", "API key is invalid"),
    403: ("FORBIDDEN", "HTTPS is required; plain-HTTP requests are rejected"),
    404: ("NOT_FOUND", "Conversion not found"),
    413: ("PAYLOAD_TOO_LARGE", "Request body is larger than 65536 bytes"),
    429: ("RATE_LIMITED", "Rate limit exceeded"),
    500: ("INTERNAL_ERROR", "Server error"),
    503: ("SERVICE_UNAVAILABLE", "The database is unavailable; try again shortly"),
}


def responses(ok: dict[str, Any]) -> dict[int, Any]:
    """The success schema and every error status, in the dialect's envelope (Selgeo's
    post-processing adds its own envelope for any status an operation leaves out)."""
    out: dict[int, Any] = {200: ok}
    for status, text in _ERROR_TEXT.items():
        code, message = _ERROR_EXAMPLES[status]
        out[status] = OpenApiResponse(
            response=ERROR,
            description=text,
            examples=[
                OpenApiExample(
                    code,
                    value={"success": False, "error": {"code": code, "message": message}},
                    response_only=True,
                    status_codes=[str(status)],
                )
            ],
        )
    return out


def example(name: str, value: Any, status: str = "200") -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[status])
