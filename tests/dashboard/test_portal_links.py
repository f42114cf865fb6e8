"""My programs: referral links and codes to copy, promo codes, and creating another link."""

from __future__ import annotations

import re

import pytest

from partners.models import Program, ProgramStatus, ReferralCode
from tests.dashboard.conftest import flashed, page
from tests.partners.factories import ApplicationFactory, PromoCodeFactory, ReferralCodeFactory

pytestmark = pytest.mark.django_db

PUBLIC = "https://track.example.com"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.SELGEO_PUBLIC_URL = PUBLIC


def test_my_programs_shows_links_and_codes_of_approved_programs(
    partner_web, approved, default_code, program, partner, other_program
):
    PromoCodeFactory(program=program, partner=partner, code="SUMMER10")
    ApplicationFactory(program=other_program, partner=partner)  # pending: no card
    someone_else = ReferralCodeFactory(program=program, code="not-mine")
    response = partner_web.get("/partner/")
    assert [card["program"] for card in response.context["cards"]] == [program]
    assert response.context["pending"] == 1
    body = page(response)
    assert f'<code id="link-{default_code.pk}">{PUBLIC}/r/acme/partner-default</code>' in body
    assert f'data-copy="link-{default_code.pk}"' in body
    assert f'<code id="code-{default_code.pk}">partner-default</code>' in body
    assert "SUMMER10" in body
    assert someone_else.code not in body


def test_creating_a_chosen_referral_code(partner_web, approved, program, partner):
    response = partner_web.post(
        "/partner/", {"program": str(program.pk), "code": "my-shoes"}, follow=True
    )
    assert flashed(response) == ["Your new referral code my-shoes is ready."]
    code = ReferralCode.objects.get(code="my-shoes")
    assert (code.partner, code.program, code.mode, code.is_default) == (
        partner,
        program,
        "live",
        False,
    )


def test_a_blank_code_is_generated(partner_web, approved, program, partner):
    partner_web.post("/partner/", {"program": str(program.pk), "code": ""})
    codes = ReferralCode.objects.filter(partner=partner, is_default=False)
    assert codes.count() == 1
    assert re.fullmatch(r"partner-\d+-[a-z2-9]{6}", codes.get().code)


def test_a_taken_code_is_shown_by_the_field_of_that_program(partner_web, approved, program):
    ReferralCodeFactory(program=program, code="taken-code")
    response = partner_web.post("/partner/", {"program": str(program.pk), "code": "TAKEN-code"})
    assert response.status_code == 200
    form = response.context["cards"][0]["code_form"]
    assert form.errors == {"code": ["Referral code already taken"]}
    assert f'id="code-{program.pk}-code_error"' in page(response)
    assert ReferralCode.objects.filter(code__iexact="taken-code").count() == 1


def test_no_code_for_a_program_the_partner_is_not_approved_in(
    partner_web, application, other_program
):
    for program_id in (application.program_id, other_program.pk, "not-an-id"):
        response = partner_web.post(
            "/partner/", {"program": str(program_id), "code": "sneaky-code"}, follow=True
        )
        assert flashed(response) == ["You are not approved in this program."]
    assert ReferralCode.objects.count() == 0


def test_an_archived_program_takes_no_new_codes(partner_web, approved, program):
    Program.objects.filter(pk=program.pk).update(status=ProgramStatus.ARCHIVED)
    response = partner_web.get("/partner/")
    assert response.context["cards"][0]["takes_codes"] is False
    assert "Create link" not in page(response)


def test_an_empty_portal_points_to_find_programs(partner_web):
    body = page(partner_web.get("/partner/"))
    assert "You are not in any program yet" in body and 'href="/partner/programs/"' in body
