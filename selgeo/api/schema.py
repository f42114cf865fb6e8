"""OpenAPI additions: the error envelope on every operation, the key security schemes and
what the shared machinery enforces (strict bodies, blank query parameters)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.fields import CharField

from selgeo.api.errors import all_codes
from selgeo.api.serializers import StrictInputMixin

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
    "503": "SERVICE_UNAVAILABLE: the database is unavailable (see Retry-After)",
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


def document_server_rules(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: what the shared machinery enforces."""
    close_strict_bodies(result, generator)
    allow_blank_query_parameters(result)
    _urls_as_validated(result.get("components", {}).get("schemas", {}))
    return result


_BLANK = {"type": "string", "maxLength": 0}


def _urls_as_validated(node: Any) -> None:
    """URLs are checked by Django's URLValidator, which admits what RFC 3986 does not
    (a `{` in a path, a non-ASCII host): `format: uri` would promise more than Selgeo
    checks, so URL fields state their pattern and length instead."""
    if isinstance(node, dict):
        if node.get("format") == "uri":
            del node["format"]
        if _BLANK in node.get("oneOf", []):
            # drf-spectacular writes a URL that may be blank as `oneOf: [url, ""]`; with
            # no format left, "" is both, so either will do.
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _urls_as_validated(value)
    elif isinstance(node, list):
        for value in node:
            _urls_as_validated(value)


def close_strict_bodies(result: dict[str, Any], generator: Any) -> None:
    """A body the server reads strictly says so.

    Serializers built on `StrictInputMixin` refuse a field they do not declare (400
    "Unknown field"), so their request components get `additionalProperties: false`.
    Free-form objects inside them (`metadata`) are not components and stay open.
    """
    schemas = result.get("components", {}).get("schemas", {})
    for (name, kind), component in generator.registry._components.items():
        if kind != "schemas" or not name.endswith("Request") or name not in schemas:
            continue
        serializer = component.object
        if not isinstance(serializer, StrictInputMixin):
            continue
        schema = schemas[name]
        schema["additionalProperties"] = False
        _state_text_rules(schema, serializer)
        if serializer.openapi_rules:
            schema.setdefault("allOf", []).append(serializer.openapi_rules)


# Text PostgreSQL can store holds no NUL (DRF's CharField refuses it); a field that trims
# its value and may not be blank needs one character that is not white space.
_NO_NUL = "^[^\\x00]*$"
_NO_NUL_NOT_BLANK = "^[^\\x00]*[^\\x00\\s][^\\x00]*$"


def _state_text_rules(schema: dict[str, Any], serializer: Any) -> None:
    properties = schema.get("properties", {})
    for field_name, field in serializer.fields.items():
        prop = properties.get(field_name)
        if not isinstance(field, CharField) or not isinstance(prop, dict):
            continue
        if prop.get("type") != "string" or {"pattern", "format", "enum"} & prop.keys():
            continue
        blank_refused = field.trim_whitespace and not field.allow_blank
        prop["pattern"] = _NO_NUL_NOT_BLANK if blank_refused else _NO_NUL


def allow_blank_query_parameters(result: dict[str, Any]) -> None:
    """A blank optional query parameter is absent.

    `ApiQueryStringMiddleware` drops `?name=` before any view reads it, so every optional
    query parameter accepts the empty value (OpenAPI's `allowEmptyValue`); it refuses a
    NUL in any of them, which a free-text parameter's pattern states.
    """
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query":
                    continue
                if not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
                schema = parameter.get("schema", {})
                if schema.get("type") == "string" and not {"pattern", "format", "enum"} & set(
                    schema
                ):
                    schema["pattern"] = _NO_NUL
