"""The example builder on the shapes the document has few of: each example it writes must
fit its schema's limits, or say plainly that it cannot."""

from __future__ import annotations

from typing import Any

from openapi_schema_validator import OAS30Validator

from selgeo.api.examples import ExampleBuilder, error_example

SCHEMAS: dict[str, Any] = {
    "Line": {
        "type": "object",
        "required": ["product_id", "quantity"],
        "properties": {
            "product_id": {"type": "string", "format": "uuid"},
            "quantity": {"type": "integer", "minimum": 1, "maximum": 3},
        },
    },
}


def build(schema: dict[str, Any], name: str = "") -> Any:
    value = ExampleBuilder({"components": {"schemas": SCHEMAS}}).build(schema, name)
    OAS30Validator({**schema, "components": {"schemas": SCHEMAS}}).validate(value)
    return value


def test_numbers_stay_within_their_bounds():
    assert build({"type": "number"}, "ratio") == 1.0
    assert build({"type": "integer", "minimum": 5}, "limit") == 20
    assert build({"type": "integer", "minimum": 50, "maximum": 60}, "limit") == 50
    assert build({"type": "integer", "maximum": 10}, "limit") == 10
    assert build({"type": "integer", "minimum": 0, "exclusiveMinimum": True}, "size") == 1
    assert build({"type": "integer", "minimum": 7, "exclusiveMinimum": True}, "size") == 8


def test_strings_follow_their_format_and_else_their_limits():
    assert build({"type": "string", "format": "email"}, "contact") == "ana.lopez@example.com"
    assert build({"type": "string", "format": "uri"}, "target") == "https://shop.example.com/spring"
    assert build({"type": "string", "format": "date"}, "since") == "2026-03-14"
    # A meaningful value that breaks the pattern gives way to one that keeps it.
    assert build({"type": "string", "pattern": "^[a-z]+$"}, "code") == "example"
    assert build({"type": "string", "minLength": 12, "pattern": "^x+$"}, "note") == "x" * 12
    # Nothing fits: the builder says what it meant rather than invent a wrong limit.
    impossible = {"type": "string", "pattern": "^[0-9]{4}$", "maxLength": 2}
    assert ExampleBuilder({}).build(impossible, "pin") == "Pin"


def test_alternatives_prefer_a_real_value_over_blank_or_null():
    schema = {"oneOf": [{"type": "string", "maxLength": 0}, {"type": "string"}]}
    assert build(schema, "currency") == "EUR"
    only_blank = {"anyOf": [{"type": "string", "maxLength": 0}]}
    assert build(only_blank, "note") == ""


def test_object_rules_are_met_with_the_fields_they_require():
    schema = {
        "type": "object",
        "properties": {
            "click_id": {"type": "string", "nullable": True},
            "promo_code": {"type": "string", "nullable": True},
            "line": {"$ref": "#/components/schemas/Line"},
        },
        "allOf": [
            {
                "allOf": [
                    {
                        "anyOf": [
                            {"not": {"required": ["nothing"]}, "required": ["promo_code"]},
                            {"required": ["promo_code"]},
                        ]
                    }
                ]
            }
        ],
    }
    value = build(schema)
    assert value["promo_code"] == "ANA10"
    assert value["line"]["quantity"] == 1


def test_deep_and_open_shapes_end():
    assert build({"type": "object", "additionalProperties": {"type": "integer"}}, "minimums") == {
        "EUR": 1
    }
    nested: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
    for _ in range(8):
        nested = {"type": "array", "items": nested}
    assert ExampleBuilder({}).build(nested, "rows") is not None
    deep: dict[str, Any] = {"type": "object", "required": ["a"], "properties": {"a": {}}}
    for _ in range(8):
        deep = {"type": "object", "required": ["a"], "properties": {"a": deep}}
    assert ExampleBuilder({}).build(deep) is not None
    assert ExampleBuilder({}).build({"type": "file"}) is None


def test_errors_name_the_credential_that_failed_and_the_status():
    assert error_example(401, security=[{"secretKey": []}])["code"] == "INVALID_SECRET_KEY"
    assert error_example(401, security=[{"publicKey": []}])["code"] == "INVALID_PUBLIC_KEY"
    assert error_example(401, security=[{"dashboardJWT": []}])["code"] == "UNAUTHORIZED"
    named = error_example(409, description="409 PARTICIPANT_ERASED: the partner was erased")
    assert (named["code"], named["error"]) == ("PARTICIPANT_ERASED", "Conflict")
    assert error_example(418)["code"] == "VALIDATION_ERROR"
    assert error_example(502)["code"] == "INTERNAL_ERROR"
    bad = error_example(400, field="email")
    assert bad["details"] == [{"field": "email", "message": "This field is required."}]
