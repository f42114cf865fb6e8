"""Portal pages: payout account (method chooser without JavaScript), tax details, the
signed form; what is on file only masked; another partner sees only its own."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Partner
from payouts.models import PayoutAccount, TaxProfile
from payouts.services import payout_account_replace, tax_profile_save
from tests.dashboard.conftest import browser, flashed, page
from tests.payouts.conftest import IBAN, W8BEN_FIELDS, w8ben

pytestmark = pytest.mark.django_db

ACCOUNT = "/partner/payout-details/"
TAX = "/partner/payout-details/tax/"
DOCUMENT = "/partner/payout-details/tax/form/"


@pytest.fixture
def partner_web(partner: Partner) -> Client:
    return browser(partner.user)


@pytest.fixture
def other_partner_web(other_partner: Partner) -> Client:
    return browser(other_partner.user)


def sign(partner: Partner) -> TaxProfile:
    return tax_profile_save(partner=partner, **w8ben())


def test_the_method_chooser_is_a_plain_get_form(partner_web: Client) -> None:
    body = page(partner_web.get(ACCOUNT))
    assert '<form method="get"' in body
    assert 'name="iban"' in body and 'name="email"' not in body
    body = page(partner_web.get(f"{ACCOUNT}?method=paypal"))
    assert 'name="email"' in body and 'name="iban"' not in body
    assert '<input type="hidden" name="method" value="paypal"' in body
    body = page(partner_web.get(f"{ACCOUNT}?method=bitcoin"))
    assert 'name="address"' in body


def test_a_sepa_account_is_saved_and_shown_masked(partner_web: Client, partner: Partner) -> None:
    response = partner_web.post(
        ACCOUNT,
        {"method": "sepa", "account_holder": "Sam", "iban": "de89 3704 0044 0532 0130 00"},
        follow=True,
    )
    assert flashed(response) == ["Your payout account was saved."]
    assert PayoutAccount.objects.get(partner=partner, is_active=True).iban == IBAN
    body = page(partner_web.get(ACCOUNT))
    assert "SEPA transfer to IBAN •••• 3000" in body
    assert IBAN not in body and "0532" not in body
    assert "Leave blank to keep the IBAN on file." in body


def test_saving_without_retyping_the_iban_keeps_it(partner_web: Client, partner: Partner) -> None:
    payout_account_replace(
        partner=partner, method="sepa", details={"iban": IBAN, "account_holder": "Sam"}
    )
    partner_web.post(
        ACCOUNT, {"method": "sepa", "account_holder": "Sam B", "iban": "", "bic": "deutdeffxxx"}
    )
    active = PayoutAccount.objects.get(partner=partner, is_active=True)
    assert (active.iban, active.account_holder, active.bic) == (IBAN, "Sam B", "DEUTDEFFXXX")
    assert PayoutAccount.objects.filter(partner=partner).count() == 2


def test_invalid_details_are_shown_by_their_fields_and_nothing_changes(
    partner_web: Client,
) -> None:
    response = partner_web.post(
        ACCOUNT, {"method": "sepa", "account_holder": "Sam", "iban": "DE89370400440532013001"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"iban": ["Bad IBAN checksum"]}
    response = partner_web.post(
        ACCOUNT, {"method": "bitcoin", "address": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"}
    )
    assert response.context["form"].errors == {
        "address": ["This is a testnet / signet address; payouts are sent on mainnet"]
    }
    assert not PayoutAccount.objects.exists()


def test_tax_details_are_signed_and_shown_masked(partner_web: Client, partner: Partner) -> None:
    body = page(partner_web.get(f"{TAX}?form=w8ben"))
    assert 'name="date_of_birth"' in body and 'name="tin_type"' not in body
    assert 'name="tin_type"' in page(partner_web.get(f"{TAX}?form=w9"))
    data = {k: v for k, v in w8ben().items() if k != "form_fields"} | W8BEN_FIELDS
    response = partner_web.post(TAX, data, follow=True)
    assert flashed(response) == ["Your tax details were signed and saved."]
    assert TaxProfile.objects.get(partner=partner).tax_id == "DE136695976"
    body = page(partner_web.get(TAX))
    assert "•••• 5976" in body and "136695976" not in body


def test_tax_errors_are_shown_by_their_fields_and_nothing_changes(partner_web: Client) -> None:
    data = {k: v for k, v in w8ben().items() if k != "form_fields"} | W8BEN_FIELDS
    data |= {"tax_id": "FR40303265045", "date_of_birth": "2999-01-01", "signature": "Bob"}
    response = partner_web.post(TAX, data)
    assert response.context["form"].errors == {
        "tax_id": ["This is a VAT number of FR, not of DE"],
        "date_of_birth": ["Must be a date in the past"],
        "signature": ["The typed signature must be the legal name"],
    }
    w9 = {
        **data,
        "form": "w9",
        "tax_classification": "individual",
        "address": "1 Main St",
        "city_state_zip": "Springfield, IL 62701",
        "tin_type": "ssn",
    }
    response = partner_web.post(TAX, w9)
    # The wrong form is reported together with the other errors, not before them.
    assert response.context["form"].errors == {
        "form": ["A partner in DE who is an individual signs w8ben, not w9"],
        "tax_id": ["This is a VAT number of FR, not of DE"],
        "signature": ["The typed signature must be the legal name"],
    }
    assert "A partner in DE who is an individual signs w8ben, not w9" in page(response)
    assert not TaxProfile.objects.exists()


def test_the_signed_form_is_a_printable_page_with_secrets_masked(
    partner_web: Client, partner: Partner
) -> None:
    profile = sign(partner)
    body = page(partner_web.get(DOCUMENT))
    assert "Form W-8BEN — Certificate of Foreign Status" in body
    assert "1990-04-01" in body and "Hauptstraße 1" in body
    assert "•••• 5976" in body and "•••• doe" in body
    assert "136695976" not in body and "jane doe" not in body
    assert profile.signed_at.date().isoformat() in body


def test_another_partner_sees_only_its_own(
    partner_web: Client, other_partner_web: Client, partner: Partner
) -> None:
    payout_account_replace(
        partner=partner, method="sepa", details={"iban": IBAN, "account_holder": "Sam"}
    )
    sign(partner)
    assert "•••• 3000" in page(partner_web.get(ACCOUNT))
    assert "•••• 3000" not in page(other_partner_web.get(ACCOUNT))
    assert "Jane Doe" not in page(other_partner_web.get(TAX))
    assert other_partner_web.get(DOCUMENT).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    response = Client().get(ACCOUNT)
    assert response.status_code == 302 and "/partner/login/" in response["Location"]
