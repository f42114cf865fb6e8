"""The partner's own profile (payout details have moved to the payouts endpoints)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Partner
from payouts.models import PayoutAccount
from tests.conftest import assert_error

URL = "/api/v1/partner/profile"
IBAN = "DE89370400440532013000"


def test_partner_reads_own_profile(partner_client: APIClient, partner: Partner) -> None:
    response = partner_client.get(URL)

    assert response.status_code == 200
    assert partner.user is not None
    assert response.json() == {
        "id": str(partner.pk),
        "email": partner.user.email,
        "display_name": partner.display_name,
        "website": "https://blog.example.org",
        "country": "DE",
        "created_at": response.json()["created_at"],
    }


def test_merchant_user_is_not_a_partner(alice_client: APIClient) -> None:
    assert_error(alice_client.get(URL), 403, "FORBIDDEN")


def test_update_public_fields(partner_client: APIClient, partner: Partner) -> None:
    response = partner_client.patch(
        URL,
        {"display_name": "  Jane Blogs ", "website": "", "country": "fr"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    partner.refresh_from_db()
    assert (partner.display_name, partner.website, partner.country) == ("Jane Blogs", "", "FR")


@pytest.mark.parametrize(
    "body",
    [
        {"payout_method": "paypal"},
        {"payout_details": {"email": "jane@example.com"}},
        {"payout_method": "sepa", "payout_details": {"iban": IBAN, "account_holder": "J"}},
    ],
)
def test_payout_fields_are_no_longer_accepted_by_the_profile(
    partner_client: APIClient, partner: Partner, body: dict[str, Any]
) -> None:
    before = Partner.objects.filter(pk=partner.pk).values().get()

    error = assert_error(partner_client.patch(URL, body, format="json"), 400, "VALIDATION_ERROR")

    assert {d["field"] for d in error["details"]} == set(body)
    assert {d["message"] for d in error["details"]} == {"Unknown field"}
    assert Partner.objects.filter(pk=partner.pk).values().get() == before
    assert not PayoutAccount.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "DEU"}, "country"),
        ({"website": "ftp://files.example.org"}, "website"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 121}, "display_name"),
        ({"email": "new@example.com"}, "email"),
        ({"erased_at": None}, "erased_at"),
        ({"id": "00000000-0000-0000-0000-000000000000"}, "id"),
        ({"user": 1}, "user"),
        ({}, "body"),
    ],
)
def test_bad_profile_input_is_400_and_changes_nothing(
    partner_client: APIClient, partner: Partner, body: dict[str, Any], field: str
) -> None:
    before = Partner.objects.filter(pk=partner.pk).values().get()

    error = assert_error(partner_client.patch(URL, body, format="json"), 400, "VALIDATION_ERROR")

    assert error["details"][0]["field"] == field, error
    assert Partner.objects.filter(pk=partner.pk).values().get() == before
