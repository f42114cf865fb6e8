"""The partner's own profile and payout details."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Partner
from partners.rules import iban_is_valid
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
        "payout_method": "none",
        "payout_details": {},
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


def test_sepa_details_are_normalised_and_iban_masked(
    partner_client: APIClient, partner: Partner
) -> None:
    response = partner_client.patch(
        URL,
        {
            "payout_method": "sepa",
            "payout_details": {
                "iban": "de89 3704 0044 0532 0130 00",
                "account_holder": "Jane Blogs",
                "bic": "cobadeffxxx",
            },
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["payout_details"] == {
        "iban": "DE89**************3000",
        "account_holder": "Jane Blogs",
        "bic": "COBADEFFXXX",
    }
    partner.refresh_from_db()
    assert partner.payout_method == "sepa"
    assert partner.payout_details == {
        "iban": IBAN,
        "account_holder": "Jane Blogs",
        "bic": "COBADEFFXXX",
    }


def test_paypal_and_manual_details(partner_client: APIClient, partner: Partner) -> None:
    paypal = partner_client.patch(
        URL,
        {"payout_method": "paypal", "payout_details": {"email": "Jane@Example.com"}},
        format="json",
    )
    assert paypal.status_code == 200, paypal.json()
    partner.refresh_from_db()
    assert partner.payout_details == {"email": "jane@example.com"}

    manual = partner_client.patch(
        URL,
        {"payout_method": "manual", "payout_details": {"note": "Cheque to PO box 12"}},
        format="json",
    )
    assert manual.status_code == 200, manual.json()
    partner.refresh_from_db()
    assert (partner.payout_method, partner.payout_details) == (
        "manual",
        {"note": "Cheque to PO box 12"},
    )


BAD_PAYOUTS = [
    (
        "bad iban checksum",
        "sepa",
        {"iban": "DE89370400440532013001", "account_holder": "J"},
        "payout_details.iban",
    ),
    ("iban too short", "sepa", {"iban": "DE89", "account_holder": "J"}, "payout_details.iban"),
    ("iban not a string", "sepa", {"iban": 12, "account_holder": "J"}, "payout_details.iban"),
    ("sepa without holder", "sepa", {"iban": IBAN}, "payout_details.account_holder"),
    (
        "sepa blank holder",
        "sepa",
        {"iban": IBAN, "account_holder": "  "},
        "payout_details.account_holder",
    ),
    (
        "sepa bad bic",
        "sepa",
        {"iban": IBAN, "account_holder": "J", "bic": "X"},
        "payout_details.bic",
    ),
    ("paypal without email", "paypal", {}, "payout_details.email"),
    ("paypal bad email", "paypal", {"email": "nope"}, "payout_details.email"),
    ("manual without note", "manual", {}, "payout_details.note"),
    ("manual note too long", "manual", {"note": "x" * 1001}, "payout_details.note"),
    # PostgreSQL's jsonb holds no NUL.
    ("manual note with NUL", "manual", {"note": "a\x00b"}, "payout_details.note"),
    (
        "sepa holder with NUL",
        "sepa",
        {"iban": IBAN, "account_holder": "Jane\x00Doe"},
        "payout_details.account_holder",
    ),
    ("paypal email with NUL", "paypal", {"email": "a\x00@b.co"}, "payout_details.email"),
    ("unknown detail key", "paypal", {"email": "a@b.co", "iban": IBAN}, "payout_details.iban"),
    ("none with details", "none", {"note": "x"}, "payout_details.note"),
    ("unknown method", "bitcoin", {}, "payout_method"),
    ("details not an object", "paypal", ["a@b.co"], "payout_details"),
]


@pytest.mark.parametrize(
    ("method", "details", "field"), [c[1:] for c in BAD_PAYOUTS], ids=[c[0] for c in BAD_PAYOUTS]
)
def test_bad_payout_details_are_400_and_change_nothing(
    partner_client: APIClient, partner: Partner, method: str, details: Any, field: str
) -> None:
    response = partner_client.patch(
        URL, {"payout_method": method, "payout_details": details}, format="json"
    )

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in [d["field"] for d in body["details"]], body
    partner.refresh_from_db()
    assert (partner.payout_method, partner.payout_details) == ("none", {})


def test_switching_method_without_matching_details_is_400(
    partner_client: APIClient, partner: Partner
) -> None:
    Partner.objects.filter(pk=partner.pk).update(
        payout_method="paypal", payout_details={"email": "jane@example.com"}
    )

    body = assert_error(
        partner_client.patch(URL, {"payout_method": "sepa"}, format="json"), 400, "VALIDATION_ERROR"
    )

    assert {d["field"] for d in body["details"]} == {
        "payout_details.email",
        "payout_details.iban",
        "payout_details.account_holder",
    }
    partner.refresh_from_db()
    assert partner.payout_method == "paypal"


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


@pytest.mark.parametrize(
    ("iban", "valid"),
    [
        ("DE89370400440532013000", True),
        ("GB82WEST12345698765432", True),
        ("FR1420041010050500013M02606", True),
        ("NL91ABNA0417164300", True),
        ("GB82WEST12345698765431", False),
        ("DE8937040044053201300", False),
        ("89DE370400440532013000", False),
        ("", False),
    ],
)
def test_iban_mod97(iban: str, valid: bool) -> None:
    assert iban_is_valid(iban) is valid
