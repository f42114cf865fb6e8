"""The profile page (payout details have their own pages) and self-service erasure."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY

from accounts.models import Partner
from tests.dashboard.conftest import flashed, page
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def profile_data(**overrides: str) -> dict[str, str]:
    data = {
        "display_name": "Shoe Blogger",
        "website": "https://shoes.example.org",
        "country": "fr",
    }
    data.update(overrides)
    return data


def test_the_profile_form_saves_the_profile_and_links_to_payout_details(partner_web, partner):
    body = page(partner_web.get("/partner/profile/"))
    assert 'href="/partner/payout-details/"' in body
    assert 'name="payout_method"' not in body
    response = partner_web.post("/partner/profile/", profile_data(), follow=True)
    assert flashed(response) == ["Your profile was saved."]
    partner.refresh_from_db()
    assert (partner.display_name, partner.website, partner.country) == (
        "Shoe Blogger",
        "https://shoes.example.org",
        "FR",
    )


def test_invalid_profile_fields_are_shown_by_their_fields_and_nothing_changes(partner_web, partner):
    before = Partner.objects.values().get(pk=partner.pk)
    response = partner_web.post("/partner/profile/", profile_data(country="XX", website="nope"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "country": ["Use an ISO 3166-1 alpha-2 country code"],
        "website": ["Enter an http:// or https:// URL"],
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
