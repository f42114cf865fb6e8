"""Realistic examples for the OpenAPI document, built from its own schemas.

Swagger UI and Postman otherwise invent `"string"` for every text and `0` for every
number, which tells a reader nothing ("currency": "str", an amount of 10^15). Each body
without an example of its own gets one here: values chosen by what a field means (its
name and format), within the field's stated limits, so that every example is valid
against the schema it illustrates (`tests/selgeo/test_openapi_docs.py` checks each one
with an OpenAPI 3.0 validator). Error answers get the envelope of their own status.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from selgeo.api.errors import all_codes

MOMENT = "2026-03-14T09:26:53.000Z"
DAY = "2026-03-14"

# By field name (exact), then by suffix; the first that fits the field's schema wins.
_BY_NAME: dict[str, Any] = {
    "email": "ana.lopez@example.com",
    "login_email": "ana.lopez@example.com",
    "password": "correct-horse-battery-staple",
    "current_password": "correct-horse-battery-staple",
    "new_password": "tram-lantern-orchid-42",
    "full_name": "Ana López",
    "display_name": "Ana López",
    "company_name": "Nordlicht Outdoor GmbH",
    "name": "Spring sale",
    "description": "20% on every first order from your audience.",
    "terms": "No paid search on our brand terms.",
    "message": "I review outdoor gear for 40,000 readers a month.",
    "decision_message": "Welcome aboard!",
    "code": "SPRING24",
    "referral_code": "ANA24",
    "promo_code": "ANA10",
    "program_code": "spring-sale",
    "offer_code": "spring-sale",
    "currency": "EUR",
    "reporting_currency": "USD",
    "converted_currency": "USD",
    "country": "DE",
    "website": "https://trailnotes.example.com",
    "url": "https://shop.example.com/hooks/selgeo",
    "landing_url": "https://shop.example.com/spring",
    "fallback_url": "https://shop.example.com/",
    "link": "https://selgeo.example.com/r/ANA24",
    "external_transaction_id": "order_10452",
    "customer_id": "cus_8412",
    "customer_ref": "cus_8412",
    "ip": "203.0.113.7",
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "referrer": "https://trailnotes.example.com/best-tents",
    "token": "Zm9yZ290LXBhc3N3b3JkLXRva2Vu",
    "refresh": "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl",
    "access": "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl",
    "key": "sk_test_51f0c3a9d2e84b7c9a6e1d0f3b2a4c5d",
    "redacted": "sk_test_51f0…4c5d",
    "prefix": "sk_test_51f0",
    "secret": "whsec_MfKQ9r8GKYqOXgyrR3SvZcYGz1hDbgqC",
    "signing_secret": "whsec_MfKQ9r8GKYqOXgyrR3SvZcYGz1hDbgqC",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
    "paypal_email": "ana.lopez@example.com",
    "reason": "refund",
    "error": "",
    "response_excerpt": '{"received": true}',
    "amount": "149.99",
    "amount_cents": 4999,
    "commission_cents": 750,
    "commission_amount_cents": 750,
    "cpa_amount_cents": 1500,
    "percent_bps": 1500,
    "rate_bps": 1500,
    "recurring_months": 12,
    "cookie_days": 30,
    "hold_days": 30,
    "latency_ms": 84,
    "response_status": 200,
    "attempt": 1,
    "count": 1,
    "page": 1,
    "limit": 20,
    "total": 1,
    "quantity": 1,
    "conversion_rate": "3.20",
}
_BY_SUFFIX: list[tuple[str, Any]] = [
    ("_cents", 4999),
    ("_bps", 1500),
    ("_at", MOMENT),
    ("_date", DAY),
    ("_url", "https://shop.example.com/spring"),
    ("_email", "ana.lopez@example.com"),
    ("_currency", "EUR"),
    ("_code", "SPRING24"),
    ("_days", 30),
    ("_hours", 24),
    ("_count", 3),
]


def _stable_uuid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://selgeo.example.com/{name}"))


class ExampleBuilder:
    """Examples for the schemas of one OpenAPI document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def build(self, schema: dict[str, Any], name: str = "", depth: int = 0) -> Any:
        schema = self.resolve(schema)
        if "example" in schema:
            return schema["example"]
        meaningful = _BY_NAME.get(name)
        if "enum" in schema:
            if meaningful in schema["enum"]:
                return meaningful
            choices = [value for value in schema["enum"] if value not in (None, "")]
            return choices[0] if choices else schema["enum"][0]
        if schema.get("default") not in (None, "") and meaningful is None:
            return schema["default"]
        for combinator in ("allOf", "oneOf", "anyOf"):
            if combinator in schema:
                return self._combined(schema, combinator, name, depth)
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return self._object(schema, depth)
        if kind == "array":
            if depth > 6:
                return []
            item = self.build(schema.get("items", {}), _singular(name), depth + 1)
            return [item] * max(1, schema.get("minItems", 1))
        if kind == "integer":
            return self._number(schema, name, int)
        if kind == "number":
            return self._number(schema, name, float)
        if kind == "boolean":
            return name.startswith(("is_", "has_")) or name in {"attributed", "approved"}
        if kind == "string" or not kind:
            return self._string(schema, name)
        return None

    def _combined(self, schema: dict[str, Any], combinator: str, name: str, depth: int) -> Any:
        options = schema[combinator]
        if combinator == "allOf" or "properties" in schema:
            # An object's own properties, then whatever its rules ask of them together.
            own = {k: v for k, v in schema.items() if k not in {"allOf", "oneOf", "anyOf"}}
            parts = [self.resolve(part) for part in schema.get("allOf", [])]
            base: dict[str, Any] = dict(own)
            for part in parts:
                if "properties" in part:
                    base.setdefault("properties", {}).update(part["properties"])
                for key, value in part.items():
                    if key not in {"properties", "required", "oneOf", "anyOf", "allOf"}:
                        base.setdefault(key, value)
            value = self.build(base, name, depth) if base.get("properties") else None
            if isinstance(value, dict):
                rules = [schema] if combinator != "allOf" else parts
                for rule in rules:
                    self._satisfy(value, rule, base.get("properties", {}), depth)
                return value
            if value is not None:
                return value
        # The first alternative that is not the blank string or null reads best.
        for option in options:
            resolved = self.resolve(option)
            if resolved.get("maxLength") == 0 or resolved.get("type") == "null":
                continue
            return self.build(option, name, depth)
        return self.build(options[0], name, depth)

    def _satisfy(
        self, value: dict[str, Any], rule: dict[str, Any], properties: dict[str, Any], depth: int
    ) -> None:
        """Make an object example meet a rule on its fields together (`oneOf`/`anyOf`
        alternatives, nested `allOf`): keep it if an alternative already holds, else
        take the first alternative that can, filling what it pins or requires."""
        for nested in rule.get("allOf", []):
            self._satisfy(value, self.resolve(nested), properties, depth)
        alternatives = rule.get("oneOf") or rule.get("anyOf")
        if not alternatives:
            return
        resolved = [self.resolve(option) for option in alternatives]
        if any(_holds(value, option) for option in resolved):
            return
        for option in resolved:
            if "not" in option:
                continue
            for field, prop in option.get("properties", {}).items():
                if "enum" in prop:
                    value[field] = prop["enum"][0]
            for field in option.get("required", []):
                if value.get(field) is None:
                    value[field] = self.build(properties.get(field, {}), field, depth + 1)
            return

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties", {})
        if not properties:
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return {"EUR": self.build(extra, "EUR", depth + 1)}
            return {}
        if depth > 6:
            return {name: None for name in schema.get("required", []) if name in properties}
        return {name: self.build(prop, name, depth + 1) for name, prop in properties.items()}

    def _number(self, schema: dict[str, Any], name: str, kind: type) -> Any:
        value = _by_name(name, (int, float))
        value = kind(value if isinstance(value, int | float) and not isinstance(value, bool) else 1)
        low = schema.get("minimum")
        high = schema.get("maximum")
        if schema.get("exclusiveMinimum") is True and low is not None:
            low = low + 1
        if low is not None and value < low:
            value = kind(low)
        if high is not None and value > high:
            value = kind(high)
        return value

    def _string(self, schema: dict[str, Any], name: str) -> str:
        fmt = schema.get("format")
        if isinstance(_BY_NAME.get(name), str) and fmt != "uuid":
            value: Any = _BY_NAME[name]
        elif fmt == "uuid" or name == "id" or name.endswith("_id"):
            value = _stable_uuid(name or "id")
        elif fmt == "date-time":
            value = MOMENT
        elif fmt == "date":
            value = DAY
        elif fmt == "email":
            value = "ana.lopez@example.com"
        elif fmt in {"uri", "url"}:
            value = "https://shop.example.com/spring"
        else:
            value = _by_name(name, (str,))
        if not isinstance(value, str):
            value = name.replace("_", " ").capitalize() or "Example"
        if not _fits(value, schema):
            value = _fitting(schema, value)
        return value


def _holds(value: dict[str, Any], option: dict[str, Any]) -> bool:
    """Whether an object meets one alternative, as far as alternatives here state:
    required fields, pinned values and `not: {required: ...}`."""
    if "not" in option:
        return not all(field in value for field in option["not"].get("required", []))
    if any(value.get(field) is None for field in option.get("required", [])):
        return False
    return all(
        value.get(field) in prop["enum"]
        for field, prop in option.get("properties", {}).items()
        if "enum" in prop and field in value
    )


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


def _by_name(name: str, kinds: tuple[type, ...]) -> Any:
    value = _BY_NAME.get(name)
    if isinstance(value, kinds) and not isinstance(value, bool):
        return value
    for suffix, candidate in _BY_SUFFIX:
        if name.endswith(suffix) and isinstance(candidate, kinds):
            return candidate
    return None


def _fits(value: str, schema: dict[str, Any]) -> bool:
    if len(value) < schema.get("minLength", 0):
        return False
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        return False
    pattern = schema.get("pattern")
    return not pattern or re.search(pattern, value) is not None


def _fitting(schema: dict[str, Any], preferred: str) -> str:
    """A value within the limits when the meaningful one is not."""
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    for candidate in (preferred.replace(" ", "-"), "SPRING24", "example", "x" * max(low, 1)):
        candidate = candidate[:high] if high is not None else candidate
        if len(candidate) < low:
            candidate = candidate + "x" * (low - len(candidate))
        if _fits(candidate, schema):
            return candidate
    return preferred


# --- Errors -----------------------------------------------------------------------------

_DEFAULT_CODE = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMIT_EXCEEDED",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}
_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_MESSAGES = {
    "VALIDATION_ERROR": "Validation failed",
    "UNAUTHORIZED": "Authentication credentials were not provided or are invalid",
    "INVALID_API_KEY": "Missing or invalid secret API key",
    "INVALID_PUBLIC_KEY": "Missing or invalid public key",
    "INVALID_SECRET_KEY": "Missing or invalid secret key",
    "FORBIDDEN": "Valid credentials but insufficient permissions",
    "NOT_FOUND": "Resource does not exist",
    "PAYLOAD_TOO_LARGE": "Request body is too large",
    "RATE_LIMIT_EXCEEDED": "Rate limit exceeded",
    "INTERNAL_ERROR": "Unexpected server error",
    "SERVICE_UNAVAILABLE": "Service temporarily unavailable",
}
_STATUS_OF_CODE = dict(all_codes())


def error_example(
    status: int,
    *,
    description: str = "",
    security: list[dict[str, Any]] | None = None,
    field: str = "",
) -> dict[str, Any]:
    """The envelope an operation answers with `status`: the code its description names,
    else the one its credentials would fail with, else the status's usual one."""
    named = [
        code
        for code in re.findall(r"\b[A-Z][A-Z_]{3,}\b", description)
        if _STATUS_OF_CODE.get(code) == status
    ]
    if named:
        code = named[0]
    elif status == 401:
        schemes = {name for requirement in security or [] for name in requirement}
        code = (
            "INVALID_PUBLIC_KEY"
            if schemes == {"publicKey"}
            else "INVALID_SECRET_KEY"
            if schemes == {"secretKey"}
            else "UNAUTHORIZED"
        )
    else:
        code = _DEFAULT_CODE.get(status, "VALIDATION_ERROR" if status < 500 else "INTERNAL_ERROR")
    body: dict[str, Any] = {
        "statusCode": status,
        "message": _MESSAGES.get(code, code.replace("_", " ").capitalize()),
        "error": _REASONS.get(status, "Error"),
        "code": code,
    }
    if code == "VALIDATION_ERROR":
        body["details"] = (
            [{"field": field, "message": "This field is required."}]
            if field
            else [{"field": "limit", "message": "limit must be at most 100"}]
        )
    return body
