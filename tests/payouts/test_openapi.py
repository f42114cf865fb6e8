"""The partner's payout-account and tax endpoints are in the OpenAPI document."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_endpoints_and_their_bodies_are_documented(anon_client: APIClient) -> None:
    document = anon_client.get("/api/v1/openapi.json").json()
    paths = document["paths"]

    assert set(paths["/api/v1/partner/payout-account"]) == {"get", "put"}
    assert set(paths["/api/v1/partner/tax-profile"]) == {"get", "put"}
    assert set(paths["/api/v1/partner/tax-profile/form"]) == {"get"}
    schemas = document["components"]["schemas"]
    assert set(schemas["PayoutAccountInRequest"]["properties"]) == {
        "method",
        "account_holder",
        "iban",
        "bic",
        "email",
        "address",
        "instructions",
    }
    assert set(schemas["TaxProfileInRequest"]["required"]) == {
        "legal_name",
        "country",
        "entity_type",
        "tax_id",
        "form",
        "form_fields",
        "signature",
    }
    assert "document" in schemas["TaxProfileOut"]["properties"]
