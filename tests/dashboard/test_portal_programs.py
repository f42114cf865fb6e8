"""Partner portal: finding programs, a merchant's public page, applying, application status."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Partner
from partners.models import Application, Program, ProgramStatus
from tests.dashboard.conftest import browser, flashed, page, switch_mode
from tests.factories import UserFactory
from tests.partners.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

STRONG = "a-long-passphrase-42"


def test_find_programs_lists_published_public_programs_of_every_merchant(
    partner_web, program, other_program, test_program, merchant
):
    ProgramFactory(merchant=merchant, status=ProgramStatus.DRAFT, name="Secret draft")
    ProgramFactory(merchant=merchant, is_public=False, name="Invite only")
    ProgramFactory(merchant=merchant, status=ProgramStatus.PAUSED, name="Paused one")
    response = partner_web.get("/partner/programs/")
    assert list(response.context["page_obj"]) == [program, other_program]  # Acme, then Other
    body = page(response)
    for hidden in ("Secret draft", "Invite only", "Paused one", "Shoes (test)"):
        assert hidden not in body
    assert f'href="/partner/programs/{program.pk}/apply/"' in body


def test_find_programs_filters_by_merchant_in_place(partner_web, program, other_program):
    response = partner_web.get("/partner/programs/?merchant=other", HTTP_HX_REQUEST="true")
    assert list(response.context["page_obj"]) == [other_program]
    assert [value for value, _ in response.context["filters"].fields["merchant"].choices] == [
        "",
        "acme",
        "other",
    ]


def test_find_programs_shows_the_partners_application_status(partner_web, application, program):
    body = page(partner_web.get("/partner/programs/"))
    assert '<span class="pill pending">pending</span>' in body
    assert f"/partner/programs/{program.pk}/apply/" not in body


def test_partners_can_switch_to_test_programs(partner_web, program, test_program):
    switch_mode(partner_web, "test")
    response = partner_web.get("/partner/programs/")
    assert list(response.context["page_obj"]) == [test_program]
    assert "test programs" in page(response)


def test_the_public_page_shows_a_merchants_open_programs_to_anyone(client, program, merchant):
    ProgramFactory(merchant=merchant, status=ProgramStatus.DRAFT, name="Secret draft")
    Program.objects.filter(pk=program.pk).update(terms="No brand bidding.")
    response = client.get("/p/acme/")
    assert response.status_code == 200
    body = page(response)
    assert "Partner programs of Acme" in body
    assert "Shoes" in body and "No brand bidding." in body and "15% of each sale" in body
    assert f'href="/partner/programs/{program.pk}/apply/">Apply</a>' in body
    assert "Secret draft" not in body
    assert client.get("/p/no-such-merchant/").status_code == 404


def test_the_public_page_shows_a_partner_their_status(partner_web, approved):
    body = page(partner_web.get("/p/acme/"))
    assert "You are a partner" in body


def test_apply_from_the_public_page_through_signup_and_back(client, program):
    apply_url = f"/partner/programs/{program.pk}/apply/"
    response = client.get(apply_url)
    assert response["Location"] == f"/partner/login/?next={apply_url}"
    login_page = page(client.get(response["Location"]))
    signup_link = f"/partner/signup/?next={apply_url}"
    assert signup_link in login_page
    response = client.post(
        signup_link,
        {
            "display_name": "Newcomer",
            "email": "new@partner.example",
            "password": STRONG,
            "next": apply_url,
        },
    )
    assert response["Location"] == apply_url
    form_page = client.get(apply_url)
    assert flashed(form_page) == ["Your partner account is ready. Find a program to promote."]
    assert "No brand bidding" not in page(form_page) and "15% of each sale" in page(form_page)
    response = client.post(apply_url, {"message": "I review shoes"}, follow=True)
    assert response.redirect_chain == [("/partner/applications/", 302)]
    assert flashed(response) == ["You applied to Shoes. Acme will review it."]
    application = Application.objects.get()
    assert (application.partner.display_name, application.status, application.message) == (
        "Newcomer",
        "pending",
        "I review shoes",
    )
    assert list(response.context["page_obj"]) == [application]


def test_a_merchant_user_creates_a_partner_profile_then_applies(program):
    user = UserFactory()
    web = browser(user)
    apply_url = f"/partner/programs/{program.pk}/apply/"
    response = web.get(apply_url)
    assert response["Location"] == f"/partner/profile/new/?next={apply_url.replace('/', '%2F')}"
    response = web.post(response["Location"], {"display_name": "Sideline", "next": apply_url})
    assert response["Location"] == apply_url
    assert Partner.objects.get(user=user).display_name == "Sideline"


def test_applying_twice_or_to_a_closed_program_is_refused(partner_web, application, merchant):
    response = partner_web.post(
        f"/partner/programs/{application.program_id}/apply/", {"message": "again"}
    )
    assert response.status_code == 200
    assert "You already applied" in page(response)
    paused = ProgramFactory(merchant=merchant, status=ProgramStatus.PAUSED)
    response = partner_web.post(f"/partner/programs/{paused.pk}/apply/", {"message": ""})
    assert response.context["form"].non_field_errors() == [
        "This program is not accepting applications (it is paused)"
    ]
    assert Application.objects.count() == 1


def test_drafts_and_invite_only_programs_are_not_found(partner_web, merchant, partner):
    draft = ProgramFactory(merchant=merchant, status=ProgramStatus.DRAFT)
    private = ProgramFactory(merchant=merchant, is_public=False)
    for hidden in (draft, private):
        assert partner_web.get(f"/partner/programs/{hidden.pk}/apply/").status_code == 404
        assert partner_web.post(f"/partner/programs/{hidden.pk}/apply/").status_code == 404
    assert Application.objects.count() == 0


def test_another_modes_program_is_not_found(partner_web, test_program):
    assert partner_web.post(f"/partner/programs/{test_program.pk}/apply/").status_code == 404
    assert Application.objects.count() == 0


def test_a_partner_sees_only_their_own_applications(partner_web, application, program):
    ApplicationFactory(program=program)
    response = partner_web.get("/partner/applications/")
    assert list(response.context["page_obj"]) == [application]


def test_partner_signup_with_a_taken_email_keeps_the_form(client: Client, partner):
    response = client.post(
        "/partner/signup/",
        {"display_name": "Dup", "email": partner.user.email, "password": STRONG},
    )
    assert response.context["form"].errors == {
        "email": ["An account with this email already exists"]
    }
    assert Partner.objects.count() == 1
