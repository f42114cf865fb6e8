"""The OpenAPI document describes the conversion, audit, test-session and commission routes."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_document_lists_the_conversion_routes(anon_client: Any) -> None:
    response = anon_client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/v1/conversions": {"get", "post"},
        "/api/v1/conversions/{id}": {"get"},
        "/api/v1/conversions/{id}/reverse": {"post"},
        "/api/v1/attribution/clicks/{click_id}": {"get"},
        "/api/v1/attribution/conversions/{conversion_id}": {"get"},
        "/api/v1/test-sessions": {"post"},
        "/api/v1/test-sessions/{token}": {"get"},
        "/api/v1/commissions": {"get"},
        "/api/v1/commissions/{id}": {"get"},
        "/api/v1/partner/commissions": {"get"},
        "/api/v1/partner/commissions/{id}": {"get"},
    } == {
        path: set(operations) - {"parameters"}
        for path, operations in paths.items()
        if path.startswith("/api/")
        and any(part in path for part in ("conversions", "commissions", "attribution", "test-s"))
    }
    post = paths["/api/v1/conversions"]["post"]
    assert {"201", "400", "401", "409", "422"} <= set(post["responses"])
