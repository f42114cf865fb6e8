"""A program's page: the snippet with the mode's public key, link format, partners and codes,
and invitations (offers the partner accepts or declines)."""

from __future__ import annotations

import pytest

from accounts import services as account_services
from accounts.models import Partner
from partners import services as partner_services
from partners.models import Application, Invitation, Program, ProgramStatus, ReferralCode
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


def test_inviting_an_account_and_an_unknown_address_answers_the_same(
    alice_web, program, mailoutbox, django_capture_on_commit_callbacks
):
    invitee = PartnerFactory(display_name="Invited Ivy")
    flashes = []
    for email in (invitee.user.email.upper(), "new.person@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = alice_web.post(
                f"/dashboard/programs/{program.pk}/invite/",
                {"email": email, "message": "Welcome!"},
                follow=True,
            )
        flashes.append(flashed(response))
    assert flashes == [
        [f"{invitee.user.email.lower()} is invited to Shoes."],
        ["new.person@example.com is invited to Shoes."],
    ]
    # An offer only: nobody is approved, nobody is the merchant's partner yet.
    assert Application.objects.count() == 0
    assert not ReferralCode.objects.exists()
    assert [mail.to for mail in mailoutbox] == [
        [invitee.user.email.lower()],
        ["new.person@example.com"],
    ]
    body = page(alice_web.get(f"/dashboard/programs/{program.pk}/"))
    assert body.count('<span class="pill invited">Invited</span>') == 2
    assert "Invited Ivy" not in body and invitee.website not in body


def test_inviting_the_same_address_again_says_so(alice_web, program):
    url = f"/dashboard/programs/{program.pk}/invite/"
    alice_web.post(url, {"email": "a@example.com"}, follow=True)
    response = alice_web.post(url, {"email": "A@example.com"}, follow=True)
    assert flashed(response) == ["a@example.com is already invited to Shoes."]
    assert Invitation.objects.count() == 1


def test_past_the_hours_invitations_the_page_says_when_to_try_again(settings, alice_web, program):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "invitations": "1/h"}
    url = f"/dashboard/programs/{program.pk}/invite/"
    alice_web.post(url, {"email": "a@example.com"})
    response = alice_web.post(url, {"email": "b@example.com"})
    assert response.status_code == 200
    assert "You have sent as many invitations as an hour allows" in page(response)
    assert list(Invitation.objects.values_list("email", flat=True)) == ["a@example.com"]


def test_a_merchant_revokes_an_open_invitation(alice_web, charlie_web, program):
    invitation, _created = partner_services.invitation_create(program=program, email="a@b.org")
    assert charlie_web.post(f"/dashboard/invitations/{invitation.pk}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "invited"
    response = alice_web.post(f"/dashboard/invitations/{invitation.pk}/revoke/", follow=True)
    assert flashed(response) == ["The invitation of a@b.org is revoked."]
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_an_invalid_address_shows_the_error_by_the_field(alice_web, program):
    response = alice_web.post(f"/dashboard/programs/{program.pk}/invite/", {"email": "nope"})
    assert response.status_code == 200
    assert response.context["invite_form"].errors == {"email": ["Enter a valid email address."]}
    assert Invitation.objects.count() == 0


def test_a_draft_program_takes_no_invitations(alice_web, program):
    Program.objects.filter(pk=program.pk).update(status=ProgramStatus.DRAFT)
    assert 'id="invite-heading"' not in page(alice_web.get(f"/dashboard/programs/{program.pk}/"))
    response = alice_web.post(
        f"/dashboard/programs/{program.pk}/invite/", {"email": "a@example.com"}
    )
    assert response.context["invite_form"].non_field_errors() == [
        "Only a published program takes invitations (it is draft)"
    ]
    assert Invitation.objects.count() == 0


def test_the_partner_table_is_paginated(alice_web, program):
    for _ in range(26):
        ApplicationFactory(program=program)
    response = alice_web.get(f"/dashboard/programs/{program.pk}/?page=2")
    assert len(response.context["rows"]) == 1
    assert Partner.objects.count() == 26
