"""CORS on /v1/: preflights answered without a key, headers on every answer, errors included."""

from __future__ import annotations

import pytest

from tests.conftest import api_client, assert_error
from tests.tracking.conftest import post_click
from tracking.models import Click

pytestmark = pytest.mark.django_db

PREFLIGHT = {
    "HTTP_ORIGIN": "https://acme.example.com",
    "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "authorization, content-type",
}


def test_preflight_is_answered_without_a_key(anon_client):
    response = anon_client.options("/v1/clicks", **PREFLIGHT)
    assert response.status_code == 204
    assert response.content == b""
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    allowed = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    assert response["Access-Control-Max-Age"] == "7200"
    assert response["X-Request-Id"]
    assert Click.objects.count() == 0


def test_preflight_counts_against_no_rate_limit(anon_client, settings):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "general": "1/m"}
    for _ in range(3):
        assert anon_client.options("/v1/clicks", **PREFLIGHT).status_code == 204


def test_options_without_preflight_headers_is_not_a_preflight(anon_client):
    response = anon_client.options("/v1/clicks")
    assert_error(response, 401, "INVALID_PUBLIC_KEY")
    assert response["Access-Control-Allow-Origin"] == "*"


def test_created_click_carries_cors_headers(pk_test_client, code):
    response = post_click(
        pk_test_client, {"referral_code": "JaneDoe"}, HTTP_ORIGIN="https://acme.example.com"
    )
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Expose-Headers"] == "Retry-After, X-Request-Id"


@pytest.mark.parametrize(
    ("token", "body", "status", "code_"),
    [
        (None, {"referral_code": "JaneDoe"}, 401, "INVALID_PUBLIC_KEY"),
        ("sk_test", {"referral_code": "JaneDoe"}, 403, "FORBIDDEN"),
        ("pk_test", {"referral_code": "Nobody"}, 404, "NOT_FOUND"),
        ("pk_test", {}, 400, "VALIDATION_ERROR"),
        ("pk_live", {"referral_code": "JaneDoe"}, 422, "MODE_MISMATCH"),
    ],
)
def test_errors_carry_cors_headers(keys, code, token, body, status, code_):
    client = api_client(getattr(keys, token) if token else None)
    response = post_click(client, body, HTTP_ORIGIN="https://acme.example.com")
    assert_error(response, status, code_)
    assert response["Access-Control-Allow-Origin"] == "*"


def test_payload_too_large_carries_cors_headers(pk_test_client, settings):
    settings.SELGEO_MAX_BODY_BYTES = 10
    response = post_click(pk_test_client, {"referral_code": "JaneDoe"})
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert response["Access-Control-Allow-Origin"] == "*"


def test_plain_http_refusal_carries_cors_headers(pk_test_client, settings):
    settings.SELGEO_REQUIRE_HTTPS = True
    response = post_click(pk_test_client, {"referral_code": "JaneDoe"})
    assert_error(response, 403, "FORBIDDEN")
    assert response["Access-Control-Allow-Origin"] == "*"


def test_dashboard_api_gets_no_cors_headers(anon_client):
    response = anon_client.options("/api/v1/api-keys", **PREFLIGHT)
    assert "Access-Control-Allow-Origin" not in response
