"""The dialect in the OpenAPI document: its own tag, every operation explained with
examples, its security schemes and its own error envelope (never Selgeo's)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

OPERATIONS = {
    ("/pb", "get"),
    ("/pb", "post"),
    ("/compat/affspace/health", "get"),
    ("/compat/affspace/api/v1/conversions", "get"),
    ("/compat/affspace/api/v1/conversions", "post"),
    ("/compat/affspace/api/v1/conversions/{conversion_id}", "get"),
    ("/compat/affspace/api/v1/stats", "get"),
    ("/compat/affspace/api/v1/offers", "get"),
    ("/compat/affspace/api/v1/offers/{code}", "get"),
    ("/compat/affspace/api/v1/profile", "get"),
    ("/compat/affspace/api/v1/test-sessions", "post"),
    ("/compat/affspace/api/v1/test-sessions/{token}", "get"),
}


@pytest.fixture(scope="module")
def document(django_db_blocker: Any) -> dict[str, Any]:
    # Generated once for the module: the document depends on the code, not on data.
    with django_db_blocker.unblock():
        response = APIClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _dialect_operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (path, method): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "AffSpace dialect" in operation.get("tags", [])
    }


def test_every_endpoint_of_the_vendor_document_is_documented_under_its_tag(document):
    assert set(_dialect_operations(document)) == OPERATIONS


def test_every_operation_has_a_summary_a_description_and_examples(document):
    for key, operation in _dialect_operations(document).items():
        assert operation["summary"] and operation["description"], key
        ok = operation["responses"]["200"]["content"]["application/json"]
        assert ok.get("examples"), key
        body = operation.get("requestBody")
        if body is not None:
            assert body["content"]["application/json"].get("examples"), key


def test_errors_are_documented_in_the_dialects_envelope(document):
    for key, operation in _dialect_operations(document).items():
        for status, response in operation["responses"].items():
            if status == "200":
                continue
            schema = response["content"]["application/json"]["schema"]
            assert schema.get("$ref") != "#/components/schemas/Error", (key, status)
            assert set(schema["properties"]) == {"success", "error"}, (key, status)
        if key != ("/compat/affspace/health", "get"):
            assert {"400", "401", "404", "429", "500"} <= set(operation["responses"]), key


def test_the_key_is_documented_in_either_header(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["affspaceApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": schemes["affspaceApiKey"]["description"],
    }
    assert schemes["affspaceBearer"]["scheme"] == "bearer"
    profile = document["paths"]["/compat/affspace/api/v1/profile"]["get"]
    assert profile["security"] == [{"affspaceApiKey": []}, {"affspaceBearer": []}]
    assert "security" not in document["paths"]["/compat/affspace/health"]["get"] or (
        document["paths"]["/compat/affspace/health"]["get"]["security"] in ([], [{}])
    )
