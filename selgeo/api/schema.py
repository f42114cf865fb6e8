"""OpenAPI additions: the error envelope on every operation, the key security schemes and
what the shared machinery enforces (strict bodies, blank query parameters)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.fields import CharField

from selgeo.api.errors import all_codes
from selgeo.api.serializers import StrictInputMixin

ERROR_SCHEMA = {
    "type": "object",
    "required": ["statusCode", "message", "error", "code"],
    "properties": {
        "statusCode": {"type": "integer", "description": "The HTTP status, repeated"},
        "message": {"type": "string", "description": "Human-readable; not stable"},
        "error": {"type": "string", "description": "HTTP status text"},
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
    drop_inherited_descriptions(result, generator)
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


def drop_inherited_descriptions(result: dict[str, Any], generator: Any) -> None:
    """A component describes its own serializer, not a base class: drf-spectacular takes
    an undocumented serializer's description from the nearest docstring up its classes,
    which explains Selgeo's machinery rather than the body."""
    schemas = result.get("components", {}).get("schemas", {})
    for (name, kind), component in generator.registry._components.items():
        schema = schemas.get(name) if kind == "schemas" else None
        serializer = component.object
        if not isinstance(schema, dict) or "description" not in schema or serializer is None:
            continue
        cls = serializer if isinstance(serializer, type) else type(serializer)
        if not cls.__dict__.get("__doc__"):
            del schema["description"]


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


_METHODS = {"get", "post", "put", "patch", "delete"}
_FILE_EXAMPLES = {
    "text/csv": "partner_id,partner,currency,amount_cents\n"
    "5f0c2b1e-8a4d-4f3e-9b7a-2c1d0e9f8a7b,Ana López,EUR,12500\n",
    "application/xml": '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">…</Document>\n',
}


def document_operations(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: every operation has a summary, a description
    and a realistic example of each body it takes or answers (see `selgeo.api.operations`
    and `selgeo.api.examples`). Runs after `add_error_responses`."""
    from selgeo.api.examples import ExampleBuilder, error_example
    from selgeo.api.operations import OPERATIONS

    add_site_paths(result)
    builder = ExampleBuilder(result)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _METHODS:
                continue
            summary, description = OPERATIONS.get(operation.get("operationId", ""), ("", ""))
            if summary and not operation.get("summary"):
                operation["summary"] = summary
            if description:
                operation["description"] = description
            for media in operation.get("requestBody", {}).get("content", {}).values():
                if "example" not in media and "examples" not in media and "schema" in media:
                    media["example"] = builder.build(media["schema"])
            security = operation.get("security")
            required = [
                name
                for media in operation.get("requestBody", {}).get("content", {}).values()
                for name in builder.resolve(media.get("schema", {})).get("required", [])
            ]
            for status, response in operation.get("responses", {}).items():
                for content_type, media in response.get("content", {}).items():
                    if "example" in media or "examples" in media:
                        continue
                    if content_type in _FILE_EXAMPLES:
                        media["example"] = _FILE_EXAMPLES[content_type]
                    elif status.isdigit() and int(status) >= 400:
                        media["example"] = error_example(
                            int(status),
                            description=response.get("description", ""),
                            security=security,
                            field=required[0] if required else "",
                        )
                    elif "schema" in media:
                        media["example"] = builder.build(media["schema"])
    return result


_CODE = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$", "example": "ANA24"}
_LINK_DESCRIPTION = (
    "A partner's tracking link. Records a click (bots are recorded and flagged, repeated "
    "clicks from one address past the per-visitor limit are not recorded) and redirects "
    "to the program's landing page with `selgeo_click_id` added to its query, for "
    "`selgeo.js` to keep. An unknown, disabled or erased code answers a 404 page, or "
    "redirects to the merchant's fallback URL when one is set. Not cached (`no-store`)."
)


def _link_operation(operation_id: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "summary": "Follow a tracking link",
        "description": _LINK_DESCRIPTION,
        "tags": ["tracking"],
        "security": [],
        "parameters": parameters,
        "responses": {
            "302": {
                "description": "To the landing page, with the click id in its query",
                "headers": {
                    "Location": {
                        "schema": {"type": "string"},
                        "example": "https://shop.example.com/spring?selgeo_click_id="
                        "7c1e2f4a-5b6d-4e8f-9a0b-1c2d3e4f5a6b",
                    }
                },
            },
            "404": {
                "description": "Unknown, disabled or erased code (an HTML page)",
                "content": {
                    "text/html": {
                        "schema": {"type": "string"},
                        "example": "<!doctype html><title>Link not found</title>…",
                    }
                },
            },
        },
    }


def _path_parameter(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema,
        "description": description,
    }


SITE_PATHS: dict[str, dict[str, Any]] = {
    "/health": {
        "get": {
            "operationId": "health_retrieve",
            "summary": "Health of the database, the cache and the exchange rates",
            "description": (
                "For load balancers and monitors: 200 when the database and the cache "
                "answer, 503 naming what failed otherwise. `checks.fx` says whether the "
                "stored exchange rates are fresh; stale rates are reported but do not fail "
                "the check. `checks.webhooks` counts the deliveries due past "
                "`SELGEO_WEBHOOKS_BACKLOG_THRESHOLD` and then makes the status `degraded` "
                "(still 200). Not rate limited, no credentials."
            ),
            "tags": ["health"],
            "security": [],
            "responses": {
                "200": {
                    "description": "Everything answers",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Health"},
                            "example": {
                                "status": "ok",
                                "timestamp": 1773480413000,
                                "checks": {
                                    "database": "ok",
                                    "cache": "ok",
                                    "fx": "ok",
                                    "webhooks": "ok",
                                },
                            },
                        }
                    },
                },
                "503": {
                    "description": "A check failed (`failed` names it)",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Health"},
                            "example": {
                                "status": "error",
                                "timestamp": 1773480413000,
                                "checks": {
                                    "database": "ok",
                                    "cache": "error: Connection refused",
                                    "fx": "ok",
                                },
                                "failed": ["cache"],
                            },
                        }
                    },
                },
            },
        }
    },
    "/v1/selgeo.js": {
        "get": {
            "operationId": "selgeo_js_retrieve",
            "summary": "The browser snippet",
            "description": (
                "Install on the merchant's pages with "
                '`<script src="https://your-selgeo/v1/selgeo.js" data-merchant="pk_live_…" '
                "async></script>`. It keeps the `selgeo_click_id` a tracking link added, "
                "records clicks for `?ref=` visits with the public key, and exposes "
                "`Selgeo.clickId()` for the checkout. Browsers may cache it for an hour and "
                "revalidate it by ETag (304)."
            ),
            "tags": ["tracking"],
            "security": [],
            "responses": {
                "200": {
                    "description": "The script",
                    "headers": {
                        "ETag": {"schema": {"type": "string"}},
                        "Cache-Control": {
                            "schema": {"type": "string"},
                            "example": "public, max-age=3600, stale-while-revalidate=86400",
                        },
                    },
                    "content": {
                        "text/javascript": {
                            "schema": {"type": "string"},
                            "example": "(function () { 'use strict'; …",
                        }
                    },
                },
                "304": {"description": "Not modified (the ETag in If-None-Match matches)"},
            },
        }
    },
    "/r/{code}": {
        "get": _link_operation(
            "tracking_link_retrieve",
            [_path_parameter("code", _CODE, "The partner's referral code")],
        )
    },
    "/r/{merchant_slug}/{code}": {
        "get": _link_operation(
            "tracking_link_merchant_retrieve",
            [
                _path_parameter(
                    "merchant_slug",
                    {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,60}$", "example": "nordlicht"},
                    "The merchant's slug, for codes that several merchants use",
                ),
                _path_parameter("code", _CODE, "The partner's referral code"),
            ],
        )
    },
}

HEALTH_SCHEMA = {
    "type": "object",
    "required": ["status", "timestamp", "checks"],
    "properties": {
        "status": {
            "type": "string",
            "description": "`ok`; `degraded` (still 200) when webhook deliveries are backlogged "
            "past the threshold; `error` with a 503",
        },
        "timestamp": {"type": "integer", "description": "Milliseconds since the epoch"},
        "checks": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Each check's result: `ok`, or what went wrong",
        },
        "failed": {"type": "array", "items": {"type": "string"}},
    },
}


def add_site_paths(result: dict[str, Any]) -> None:
    """The URLs outside the API a merchant's integration also uses: the health check,
    the browser snippet and the tracking links (plain Django views, so drf-spectacular
    does not see them)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Health"] = HEALTH_SCHEMA
    paths = result.setdefault("paths", {})
    for path, item in SITE_PATHS.items():
        paths.setdefault(path, item)


# One documented error case: status, code, message and the details, if any.
ErrorCase = tuple[int, str, str, list[dict[str, str]] | None]


def error_responses(cases: dict[str, ErrorCase], names: Iterable[str]) -> dict[int, Any]:
    """Error responses in the envelope for `extend_schema`, one example per named case,
    grouped by status (the description names each status's codes)."""
    from drf_spectacular.utils import OpenApiExample, OpenApiResponse

    from selgeo.api.errors import envelope

    by_status: dict[int, list[str]] = {}
    for name in names:
        by_status.setdefault(cases[name][0], []).append(name)
    return {
        status: OpenApiResponse(
            response={"$ref": "#/components/schemas/Error"},
            description=" or ".join(sorted({cases[name][1] for name in names_})),
            examples=[
                OpenApiExample(name, value=envelope(*cases[name]), status_codes=[str(status)])
                for name in names_
            ],
        )
        for status, names_ in by_status.items()
    }
