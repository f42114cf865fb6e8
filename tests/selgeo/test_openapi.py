"""The OpenAPI document is valid, describes the envelope and is served with local assets."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from selgeo.api.errors import all_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(anon_client):
    response = anon_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json") or response[
        "Content-Type"
    ].startswith("application/json")
    return response.json()


def test_openapi_document_is_valid(document):
    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["info"]["version"] == "v1"


def test_openapi_describes_the_error_envelope_and_codes(document):
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["required"] == ["statusCode", "message", "error", "code"]
    codes = set(schemas["ErrorCode"]["enum"])
    assert {
        "VALIDATION_ERROR",
        "INVALID_API_KEY",
        "INVALID_PUBLIC_KEY",
        "INVALID_SECRET_KEY",
        "FORBIDDEN",
        "NOT_FOUND",
        "RATE_LIMIT_EXCEEDED",
        "INTERNAL_ERROR",
    } <= codes
    assert codes == {code for code, _ in all_codes()}
    login = document["paths"]["/api/v1/auth/login"]["post"]
    assert login["responses"]["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_openapi_describes_the_security_schemes(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["dashboardJWT"]["bearerFormat"] == "JWT"
    api_keys = document["paths"]["/api/v1/api-keys"]["get"]
    assert {"dashboardJWT": []} in api_keys["security"]


def test_docs_page_uses_local_assets_only(anon_client):
    response = anon_client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def test_openapi_document_is_served_whatever_credentials_come_along(keys):
    from tests.conftest import api_client

    for token in (keys.sk_test, keys.pk_live, "garbage"):
        assert api_client(token).get("/api/v1/openapi.json").status_code == 200
