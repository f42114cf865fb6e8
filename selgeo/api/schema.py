"""OpenAPI additions: the error envelope on every operation and the key security schemes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from selgeo.api.errors import all_codes

ERROR_SCHEMA = {
    "type": "object",
    "required": ["statusCode", "message", "error", "code"],
    "properties": {
        "statusCode": {"type": "integer", "example": 409},
        "message": {"type": "string", "description": "Human-readable; not stable"},
        "error": {"type": "string", "description": "HTTP status text", "example": "Conflict"},
        "code": {"type": "string", "description": "Machine-readable; stable"},
        "details": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


class SecretKeySchemeExtension(OpenApiAuthenticationExtension):
    target_class = "selgeo.api.authentication.SecretKeyAuthentication"
    name = "secretKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "sk_test_* | sk_live_*",
            "description": "Secret key: Conversion API and attribution audit.",
        }


class PublicKeySchemeExtension(OpenApiAuthenticationExtension):
    target_class = "selgeo.api.authentication.PublicKeyAuthentication"
    # The click view's variant trusts a key it has just checked for a few seconds.
    match_subclasses = True
    name = "publicKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "pk_test_* | pk_live_*",
            "description": "Public key: click tracking only.",
        }


class MerchantJWTSchemeExtension(OpenApiAuthenticationExtension):
    target_class = "selgeo.api.authentication.MerchantJWTAuthentication"
    name = "dashboardJWT"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Access token from /api/v1/auth/login (merchant or partner).",
        }


_STANDARD_ERRORS = {
    "400": "Validation failed (VALIDATION_ERROR)",
    "401": "Missing or invalid credentials",
    "403": "FORBIDDEN",
    "404": "NOT_FOUND",
    "413": "PAYLOAD_TOO_LARGE",
    "429": "RATE_LIMIT_EXCEEDED (see Retry-After)",
    "500": "INTERNAL_ERROR",
}


def add_error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: every operation documents the envelope."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components["schemas"]["ErrorCode"] = {
        "type": "string",
        "enum": [code for code, _status in all_codes()],
    }
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in _STANDARD_ERRORS.items():
                if status not in responses:
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": ref}},
                    }
    return result
