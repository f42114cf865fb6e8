"""Profile and payouts (IBAN never shown back in full) and self-service erasure."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY

from accounts.models import Partner
from tests.dashboard.conftest import flashed, page
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

IBAN = "DE89370400440532013000"


def profile_data(**overrides: str) -> dict[str, str]:
    data = {
        "display_name": "Shoe Blogger",
        "website": "https://shoes.example.org",
        "country": "fr",
        "payout_method": "paypal",
        "payout_iban": "",
        "payout_account_holder": "",
        "payout_bic": "",
        "payout_email": "Pay@Example.org",
        "payout_note": "",
    }
    data.update(overrides)
    return data


def test_the_profile_form_saves_profile_and_paypal_details(partner_web, partner):
    assert partner_web.get("/partner/profile/").status_code == 200
    response = partner_web.post("/partner/profile/", profile_data(), follow=True)
    assert flashed(response) == ["Your profile was saved."]
    partner.refresh_from_db()
    assert (partner.display_name, partner.website, partner.country) == (
        "Shoe Blogger",
        "https://shoes.example.org",
        "FR",
    )
    assert (partner.payout_method, partner.payout_details) == (
        "paypal",
        {"email": "pay@example.org"},
    )


def test_sepa_details_are_saved_and_the_iban_is_only_shown_masked(partner_web, partner):
    partner_web.post(
        "/partner/profile/",
        profile_data(
            payout_method="sepa",
            payout_iban="de89 3704 0044 0532 0130 00",
            payout_account_holder="Sam Blogger",
        ),
    )
    partner.refresh_from_db()
    assert partner.payout_details == {"iban": IBAN, "account_holder": "Sam Blogger"}
    body = page(partner_web.get("/partner/profile/"))
    assert "DE89 •••• 3000" in body
    assert IBAN not in body and "0532" not in body


def test_saving_again_without_retyping_the_iban_keeps_it(partner_web, partner):
    Partner.objects.filter(pk=partner.pk).update(
        payout_method="sepa", payout_details={"iban": IBAN, "account_holder": "Sam"}
    )
    partner_web.post(
        "/partner/profile/",
        profile_data(payout_method="sepa", payout_account_holder="Sam B", payout_bic="cobadeffxxx"),
    )
    partner.refresh_from_db()
    assert partner.payout_details == {"iban": IBAN, "account_holder": "Sam B", "bic": "COBADEFFXXX"}


def test_invalid_details_are_shown_by_their_fields_and_nothing_changes(partner_web, partner):
    before = Partner.objects.values().get(pk=partner.pk)
    response = partner_web.post(
        "/partner/profile/",
        profile_data(
            payout_method="sepa",
            payout_iban="DE00123",
            payout_account_holder="Sam",
            country="XX",
            website="nope",
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "payout_iban": ["Not a valid IBAN"],
        "country": ["Use an ISO 3166-1 alpha-2 country code"],
        "website": ["Enter an http:// or https:// URL"],
    }
    response = partner_web.post("/partner/profile/", profile_data(payout_method="sepa"))
    assert response.context["form"].errors == {
        "payout_account_holder": ["This field is required"],
        "payout_iban": ["This field is required"],
    }
    assert Partner.objects.values().get(pk=partner.pk) == before


def test_self_erasure_needs_the_name_then_erases_and_logs_out(partner_web, partner, approved):
    response = partner_web.post("/partner/erase/", {"confirm": "not me"})
    assert response.context["form"].errors == {
        "confirm": ["This does not match the name; nothing was erased."]
    }
    partner.refresh_from_db()
    assert partner.erased_at is None
    email = partner.user.email
    response = partner_web.post("/partner/erase/", {"confirm": partner.display_name}, follow=True)
    assert response.redirect_chain == [("/partner/login/", 302)]
    assert flashed(response) == ["Your partner data was erased and you were logged out."]
    assert SESSION_KEY not in partner_web.session
    partner.refresh_from_db()
    assert partner.erased_at is not None and partner.display_name == "Erased partner"
    approved.refresh_from_db()
    assert approved.message == ""
    response = partner_web.post("/partner/login/", {"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert SESSION_KEY not in partner_web.session
