"""A form shows all of its errors at once: the service's checks (password rules, a taken
email, the country, an IBAN, a tax id, the tax form's fields) run with the form's own,
never only after those are fixed. Nothing is stored while any error stands."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner, User
from payouts.models import PayoutAccount, TaxProfile
from payouts.run_models import PayoutSettings
from tests.conftest import assert_error
from tests.dashboard.conftest import browser
from tests.factories import TEST_PASSWORD, UserFactory
from tests.payouts.conftest import W8BEN_FIELDS, w8ben

pytestmark = pytest.mark.django_db

WEAK_PASSWORD_ERRORS = [
    "This password is too short. It must contain at least 10 characters.",
    "This password is too common.",
    "This password is entirely numeric.",
]
TAKEN = "An account with this email already exists"
NO_COUNTRY = "Use an ISO 3166-1 alpha-2 country code"


def _errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200
    return dict(response.context["form"].errors)


def test_merchant_sign_up_shows_a_missing_name_a_weak_password_and_a_taken_email_at_once(
    client: Client,
) -> None:
    UserFactory(email="sam@shoes.example")

    response = client.post(
        "/signup/", {"company_name": "", "email": "Sam@Shoes.example", "password": "12345"}
    )

    assert _errors(response) == {
        "company_name": ["This field is required."],
        "password": WEAK_PASSWORD_ERRORS,
        "email": [TAKEN],
    }
    assert User.objects.count() == 1 and not Merchant.objects.exists()


def test_partner_sign_up_shows_a_missing_name_a_weak_password_and_no_country_at_once(
    client: Client,
) -> None:
    response = client.post(
        "/partner/signup/",
        {"display_name": "", "email": "jane@blog.example", "password": "12345", "country": "XX"},
    )

    assert _errors(response) == {
        "display_name": ["This field is required."],
        "password": WEAK_PASSWORD_ERRORS,
        "country": [NO_COUNTRY],
    }
    assert not User.objects.exists() and not Partner.objects.exists()


def test_changing_a_password_shows_a_wrong_current_one_and_a_weak_new_one_at_once() -> None:
    user = UserFactory()

    response = browser(user).post(
        "/password/", {"current_password": "not-it-at-all", "password": "12345"}
    )

    assert _errors(response) == {
        "current_password": ["The current password is not right"],
        "password": WEAK_PASSWORD_ERRORS,
    }
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


@pytest.fixture
def partner_web(partner: Partner) -> Client:
    return browser(partner.user)


def test_a_payout_account_shows_a_missing_holder_and_a_bad_iban_at_once(
    partner_web: Client,
) -> None:
    response = partner_web.post(
        "/partner/payout-details/",
        {"method": "sepa", "account_holder": "", "iban": "DE00120300000000202051", "bic": ""},
    )

    assert _errors(response) == {
        "account_holder": ["This field is required."],
        "iban": ["Bad IBAN checksum"],
    }
    assert not PayoutAccount.objects.exists()


def test_tax_details_show_a_missing_name_a_foreign_tax_id_and_a_future_birth_date_at_once(
    partner_web: Client,
) -> None:
    data = {k: v for k, v in w8ben().items() if k != "form_fields"} | W8BEN_FIELDS
    data |= {"legal_name": "", "tax_id": "FR40303265045", "date_of_birth": "2999-01-01"}

    response = partner_web.post("/partner/payout-details/tax/", data)

    assert _errors(response) == {
        "legal_name": ["This field is required."],
        "tax_id": ["This is a VAT number of FR, not of DE"],
        "date_of_birth": ["Must be a date in the past"],
    }
    assert not TaxProfile.objects.exists()


def test_the_tax_api_reports_every_error_at_once(partner_client: APIClient) -> None:
    body = w8ben(
        legal_name=" ",
        form_fields={
            **W8BEN_FIELDS,
            "date_of_birth": "1 April 1990",
            "citizenship_country": "XX",
            "favourite_colour": "blue",
        },
        tax_id="FR40303265045",
    )

    response = partner_client.put("/api/v1/partner/tax-profile", body, format="json")

    answer = assert_error(response, 400, "VALIDATION_ERROR")
    assert sorted(answer["details"], key=lambda d: d["field"]) == [
        {"field": "form_fields.citizenship_country", "message": NO_COUNTRY},
        {"field": "form_fields.date_of_birth", "message": "Use a date as YYYY-MM-DD"},
        {"field": "form_fields.favourite_colour", "message": "Unknown field for form w8ben"},
        {"field": "legal_name", "message": "This field is required"},
        {"field": "tax_id", "message": "This is a VAT number of FR, not of DE"},
    ]
    assert not TaxProfile.objects.exists()


def test_payout_settings_show_every_bad_minimum_and_a_bad_iban_at_once(
    alice: User, merchant: Merchant
) -> None:
    response = browser(alice, merchant).post(
        "/dashboard/payouts/settings/",
        {
            "minimums": "EUR 10\nXYZ 5\nUSD ten\nJPY 1.5",
            "schedule": "monthly",
            "schedule_day": "",
            "sepa_debtor_iban": "DE00120300000000202051",
        },
    )

    assert _errors(response) == {
        "minimums": [
            "“XYZ 5” is not “CODE amount”.",
            "“ten” is not an amount.",
            "“1.5” is not an amount in JPY.",
        ],
        "schedule_day": ["Required for the monthly schedule"],
        "sepa_debtor_iban": [_iban_checksum_message()],
    }
    assert not PayoutSettings.objects.exists()


def _iban_checksum_message() -> str:
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        IBAN("DE00120300000000202051")
    except SchwiftyException as exc:
        return str(exc)
    raise AssertionError("the IBAN should be refused")
