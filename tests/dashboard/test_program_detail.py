"""A program's page: the snippet with the mode's public key, link format, partners and codes,
and inviting partners."""

from __future__ import annotations

import pytest

from accounts import services as account_services
from accounts.models import Partner
from partners import services as partner_services
from partners.models import Application, Program, ProgramStatus, ReferralCode
from tests.dashboard.conftest import flashed, page
from tests.factories import PartnerFactory
from tests.partners.factories import ApplicationFactory, PromoCodeFactory

pytestmark = pytest.mark.django_db

PUBLIC = "https://track.example.com"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.SELGEO_PUBLIC_URL = PUBLIC


def test_the_snippet_carries_the_modes_working_public_key(alice_web, program, merchant):
    revoked = account_services.api_key_create(merchant=merchant, kind="public", mode="live")
    account_services.api_key_revoke(api_key=revoked.api_key)
    live = account_services.api_key_create(merchant=merchant, kind="public", mode="live").raw
    test = account_services.api_key_create(merchant=merchant, kind="public", mode="test").raw
    body = page(alice_web.get(f"/dashboard/programs/{program.pk}/"))
    snippet = (
        f'<pre id="snippet">&lt;script src="{PUBLIC}/v1/selgeo.js" data-merchant="{live}" async'
        "&gt;&lt;/script&gt;</pre>"
    )
    assert snippet in body
    assert 'data-copy="snippet"' in body
    assert test not in body and revoked.raw not in body


def test_without_a_public_key_the_page_says_how_to_get_one(alice_web, program):
    body = page(alice_web.get(f"/dashboard/programs/{program.pk}/"))
    assert 'id="snippet"' not in body
    assert "There is no active public key in live mode." in body


def test_the_link_format_and_each_partners_links_and_codes_are_ready_to_copy(
    alice_web, program, approved, partner
):
    PromoCodeFactory(program=program, partner=partner, code="SUMMER10")
    body = page(alice_web.get(f"/dashboard/programs/{program.pk}/"))
    assert f'<code id="link-format">{PUBLIC}/r/acme/&lt;code&gt;</code>' in body
    code = ReferralCode.objects.get(partner=partner)
    assert f'<code id="ref-{code.pk}">{PUBLIC}/r/acme/partner-default</code>' in body
    assert "SUMMER10" in body and partner.display_name in body


def test_inviting_a_partner_by_email_approves_them_with_a_code(alice_web, program):
    invitee = PartnerFactory(display_name="Invited Ivy")
    response = alice_web.post(
        f"/dashboard/programs/{program.pk}/invite/",
        {"partner": invitee.user.email.upper(), "message": "Welcome!"},
        follow=True,
    )
    assert flashed(response) == ["Invited Ivy is now a partner of Shoes."]
    application = Application.objects.get(partner=invitee)
    assert (application.status, application.invited, application.decision_message) == (
        "approved",
        True,
        "Welcome!",
    )
    assert ReferralCode.objects.filter(partner=invitee, program=program, is_default=True).exists()


def test_inviting_by_partner_id(alice_web, program):
    invitee = PartnerFactory()
    alice_web.post(f"/dashboard/programs/{program.pk}/invite/", {"partner": str(invitee.pk)})
    assert Application.objects.get(partner=invitee).status == "approved"


@pytest.mark.parametrize(
    ("reference", "error"),
    [
        ("nobody@example.com", "No partner account matches this email or id."),
        ("00000000-0000-0000-0000-000000000000", "No partner account matches this email or id."),
    ],
)
def test_inviting_an_unknown_partner_shows_the_error_by_the_field(
    alice_web, program, reference, error
):
    response = alice_web.post(f"/dashboard/programs/{program.pk}/invite/", {"partner": reference})
    assert response.status_code == 200
    assert response.context["invite_form"].errors == {"partner": [error]}
    assert Application.objects.count() == 0


def test_inviting_someone_who_applied_already_changes_nothing(alice_web, program, application):
    response = alice_web.post(
        f"/dashboard/programs/{program.pk}/invite/", {"partner": str(application.partner_id)}
    )
    assert response.context["invite_form"].errors == {
        "partner": ["The partner has already applied to this program"]
    }
    application.refresh_from_db()
    assert (application.status, application.invited) == ("pending", False)


def test_an_erased_partner_cannot_be_invited(alice_web, program, partner):
    partner_services.partner_erase(partner=partner)
    response = alice_web.post(
        f"/dashboard/programs/{program.pk}/invite/", {"partner": str(partner.pk)}
    )
    assert response.context["invite_form"].errors == {
        "partner": ["The partner's data has been erased"]
    }
    assert Application.objects.count() == 0


def test_a_draft_program_takes_no_invitations(alice_web, program):
    Program.objects.filter(pk=program.pk).update(status=ProgramStatus.DRAFT)
    invitee = PartnerFactory()
    assert 'id="invite-heading"' not in page(alice_web.get(f"/dashboard/programs/{program.pk}/"))
    response = alice_web.post(
        f"/dashboard/programs/{program.pk}/invite/", {"partner": str(invitee.pk)}
    )
    assert response.context["invite_form"].non_field_errors() == [
        "Only a published program takes invitations (it is draft)"
    ]
    assert Application.objects.count() == 0


def test_the_partner_table_is_paginated(alice_web, program):
    for _ in range(26):
        ApplicationFactory(program=program)
    response = alice_web.get(f"/dashboard/programs/{program.pk}/?page=2")
    assert len(response.context["rows"]) == 1
    assert Partner.objects.count() == 26
