"""A program's accepted currencies in the API: read, written, validated (distinct upper
case ISO 4217 codes), changeable while published, documented in the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from partners.models import Program, ProgramStatus
from tests.conftest import assert_error
from tests.partners.test_programs import URL, valid

pytestmark = pytest.mark.django_db


def test_create_with_accepted_currencies_stores_and_returns_them(alice_client: APIClient) -> None:
    response = alice_client.post(URL, valid(accepted_currencies=["USD", "JPY"]), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["accepted_currencies"] == ["USD", "JPY"]
    assert Program.objects.get().accepted_currencies == ["USD", "JPY"]
    detail = alice_client.get(f"{URL}/{response.json()['id']}")
    assert detail.json()["accepted_currencies"] == ["USD", "JPY"]


def test_without_the_field_a_program_accepts_every_rated_currency(alice_client: APIClient) -> None:
    response = alice_client.post(URL, valid(), format="json")

    assert response.json()["accepted_currencies"] == []
    assert Program.objects.get().accepted_currencies == []


@pytest.mark.parametrize(
    ("value", "details"),
    [
        (
            ["usd"],
            [
                {
                    "field": "accepted_currencies.0",
                    "message": "Currency codes are upper case: send 'USD', not 'usd'",
                }
            ],
        ),
        (
            ["XYZ"],
            [{"field": "accepted_currencies.0", "message": "Unknown ISO 4217 currency code"}],
        ),
        (
            ["XAU"],
            [{"field": "accepted_currencies.0", "message": "Unknown ISO 4217 currency code"}],
        ),
        (
            "USD",
            [
                {
                    "field": "accepted_currencies",
                    "message": 'Expected a list of items but got type "str".',
                }
            ],
        ),
        ([1], [{"field": "accepted_currencies.0", "message": "Expected a string"}]),
        (
            ["USD", "GBP", "USD"],
            [{"field": "accepted_currencies", "message": "Listed more than once: USD"}],
        ),
        (
            ["USD"] * 51,
            [
                {
                    "field": "accepted_currencies",
                    "message": "Ensure this field has no more than 50 elements.",
                }
            ],
        ),
    ],
)
def test_invalid_lists_are_400_and_nothing_is_written(
    alice_client: APIClient, value: Any, details: list[dict[str, str]]
) -> None:
    response = alice_client.post(URL, valid(accepted_currencies=value), format="json")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == details
    assert Program.objects.count() == 0


def test_a_published_program_changes_its_accepted_currencies(
    alice_client: APIClient, program: Program
) -> None:
    assert program.status == ProgramStatus.PUBLISHED

    response = alice_client.patch(
        f"{URL}/{program.pk}", {"accepted_currencies": ["GBP"]}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["accepted_currencies"] == ["GBP"]
    program.refresh_from_db()
    assert program.accepted_currencies == ["GBP"]


def test_a_refused_patch_keeps_the_stored_list(alice_client: APIClient, program: Program) -> None:
    Program.objects.filter(pk=program.pk).update(accepted_currencies=["GBP"])

    response = alice_client.patch(
        f"{URL}/{program.pk}", {"accepted_currencies": ["GBP", "gbp"]}, format="json"
    )

    assert_error(response, 400, "VALIDATION_ERROR")
    program.refresh_from_db()
    assert program.accepted_currencies == ["GBP"]


def test_the_openapi_document_describes_the_field(alice_client: APIClient) -> None:
    document = alice_client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]

    for name in ("ProgramInRequest", "PatchedProgramUpdateInRequest", "ProgramOut"):
        field = schemas[name]["properties"]["accepted_currencies"]
        assert field["type"] == "array", name
        assert field["items"]["allOf"][0] == {"$ref": "#/components/schemas/CurrencyEnum"}
        assert "always accepted" in field["description"]
    assert schemas["ProgramInRequest"]["properties"]["accepted_currencies"]["maxItems"] == 50
    assert "USD" in schemas["CurrencyEnum"]["enum"]
