"""The OpenAPI document states what the server enforces: each rule here is one the server
applied without the document saying so (schemathesis found each as a mismatch)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Keys, api_client, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(anon_client) -> dict[str, Any]:
    response = anon_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def parameter(document: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    (found,) = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name]
    return dict(found)


def test_a_strict_body_refuses_unknown_fields_and_says_so(document, keys: Keys):
    schemas = document["components"]["schemas"]
    strict = {name for name, s in schemas.items() if s.get("additionalProperties") is False}
    assert {"ConversionInRequest", "ApiKeyCreateInRequest", "LoginInRequest"} <= strict
    assert "MetadataField" not in strict

    response = api_client(keys.sk_live).post(
        "/api/v1/conversions", {"external_transaction_id": "o1", "amout": 1}, format="json"
    )

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [{"field": "amout", "message": "Unknown field"}]


def test_the_page_maximum_is_documented_and_enforced(document, alice_client):
    assert parameter(document, "/api/v1/programs", "page")["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 1_000_000,
        "default": 1,
    }
    assert parameter(document, "/api/v1/programs", "limit")["schema"]["maximum"] == 100

    body = assert_error(alice_client.get("/api/v1/programs?page=1000001"), 400, "VALIDATION_ERROR")
    assert body["details"] == [{"field": "page", "message": "page must be at most 1000000"}]


def test_a_conversion_needs_a_click_id_or_a_promo_code(document):
    rules = document["components"]["schemas"]["ConversionInRequest"]["allOf"][0]["allOf"]
    assert rules[0] == {
        "anyOf": [
            {"required": ["click_id"], "properties": {"click_id": {"type": "string"}}},
            {"required": ["promo_code"], "properties": {"promo_code": {"type": "string"}}},
        ]
    }


def test_the_password_rules_are_documented(document, anon_client):
    password = document["components"]["schemas"]["RegisterInRequest"]["properties"]["password"]
    assert (password["minLength"], password["maxLength"], password["pattern"]) == (
        10,
        128,
        "[^0-9]",
    )

    response = anon_client.post(
        "/api/v1/auth/register",
        {"email": "a@example.com", "password": "short", "company_name": "A"},
        format="json",
    )

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [
        {"field": "password", "message": "Ensure this field has at least 10 characters."}
    ]


def test_optional_query_parameters_accept_the_empty_value(document):
    for path_item in document["paths"].values():
        for operation in path_item.values():
            for param in operation.get("parameters", []):
                if param["in"] == "query":
                    assert param.get("allowEmptyValue") is True, param


def test_id_filters_are_documented_as_uuids(document, alice_client):
    assert parameter(document, "/api/v1/partners", "program")["schema"] == {
        "type": "string",
        "format": "uuid",
    }
    assert parameter(document, "/api/v1/webhooks/deliveries", "endpoint")["schema"] == {
        "type": "string",
        "format": "uuid",
    }

    body = assert_error(alice_client.get("/api/v1/partners?program=x"), 400, "VALIDATION_ERROR")
    assert body["details"] == [{"field": "program", "message": "program must be a UUID"}]


def test_currencies_are_the_upper_case_iso_codes(document):
    codes = document["components"]["schemas"]["CurrencyEnum"]["enum"]
    assert "EUR" in codes and "JPY" in codes and "eur" not in codes
    assert parameter(document, "/api/v1/programs", "currency")["schema"]["enum"] == codes


def test_a_program_body_states_each_commission_types_fields(document):
    shapes = document["components"]["schemas"]["ProgramInRequest"]["allOf"][0]["oneOf"]
    assert [(s["properties"]["commission_type"], s["required"]) for s in shapes] == [
        ({"enum": ["cpa"]}, ["cpa_amount_cents"]),
        ({"enum": ["cps"]}, ["percent_bps"]),
        ({"enum": ["revshare"]}, ["percent_bps", "recurring_months"]),
    ]


def test_every_operation_documents_the_unavailable_database(document):
    delete = document["paths"]["/api/v1/api-keys/{id}"]["delete"]["responses"]
    assert set(delete) >= {"204", "401", "403", "404", "429", "503"}
    assert "200" not in delete
    assert delete["503"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_a_key_sending_a_mode_that_is_no_mode_is_refused(document, keys: Keys):
    mode = parameter(document, "/api/v1/conversions", "mode")
    assert sorted(mode["schema"]["enum"]) == ["live", "test"]

    refused = api_client(keys.sk_live).get("/api/v1/conversions?mode=prod")
    other_mode = api_client(keys.sk_live).get("/api/v1/conversions?mode=test")

    body = assert_error(refused, 400, "VALIDATION_ERROR")
    assert body["details"] == [{"field": "mode", "message": "mode must be 'test' or 'live'"}]
    # A key's own mode still wins over a valid `?mode=`.
    assert other_mode.status_code == 200


def test_an_event_replay_answers_a_plain_list_of_deliveries(document):
    replay = document["paths"]["/api/v1/webhooks/events/{id}/replay"]["post"]
    schema = replay["responses"]["202"]["content"]["application/json"]["schema"]
    assert schema == {"type": "array", "items": {"$ref": "#/components/schemas/DeliveryOut"}}
