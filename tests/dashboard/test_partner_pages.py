"""Partners of the merchant: list, detail, promo codes, disabling codes, erasure."""

from __future__ import annotations

import pytest

from accounts.models import Partner
from partners.models import Application, Program, PromoCode, ReferralCode
from tests.dashboard.conftest import flashed, page
from tests.factories import PartnerFactory
from tests.partners.factories import ApplicationFactory, PromoCodeFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_partners_of_this_merchant_and_mode(
    alice_web, application, other_program, test_program
):
    elsewhere = ApplicationFactory(program=other_program).partner
    in_test = ApplicationFactory(program=test_program).partner
    response = alice_web.get("/dashboard/partners/")
    assert list(response.context["page_obj"]) == [application.partner]
    body = page(response)
    assert elsewhere.display_name not in body and in_test.display_name not in body


def test_the_list_searches_in_place(alice_web, program):
    ApplicationFactory(
        program=program, partner=PartnerFactory(display_name="Shoe Blog", website="")
    )
    ApplicationFactory(program=program, partner=PartnerFactory(display_name="Hat Vlog", website=""))
    response = alice_web.get("/dashboard/partners/?q=blog", HTTP_HX_REQUEST="true")
    assert [p.display_name for p in response.context["page_obj"]] == ["Shoe Blog"]


def test_the_detail_shows_profile_applications_and_codes(alice_web, approved, partner, program):
    PromoCodeFactory(program=program, partner=partner, code="SUMMER10")
    response = alice_web.get(f"/dashboard/partners/{partner.pk}/")
    assert response.status_code == 200
    assert list(response.context["applications"]) == [approved]
    assert [c.code for c in response.context["referral_codes"]] == ["partner-default"]
    assert [c.code for c in response.context["promo_codes"]] == ["SUMMER10"]
    body = page(response)
    assert '<h2 id="activity-heading">Activity</h2>' in body
    assert partner.website in body and str(partner.pk) in body


def test_creating_a_promo_code_for_an_approved_program(alice_web, approved, partner, program):
    response = alice_web.post(
        f"/dashboard/partners/{partner.pk}/promo-codes/",
        {"program": str(program.pk), "code": "SPRING15"},
        follow=True,
    )
    assert flashed(response) == [f"Promo code SPRING15 now attributes to {partner.display_name}."]
    promo = PromoCode.objects.get()
    assert (promo.code, promo.program, promo.partner, promo.mode) == (
        "SPRING15",
        program,
        partner,
        "live",
    )


def test_a_taken_or_invalid_promo_code_is_shown_by_the_field(alice_web, approved, partner, program):
    PromoCodeFactory(program=program, code="TAKEN")
    url = f"/dashboard/partners/{partner.pk}/promo-codes/"
    response = alice_web.post(url, {"program": str(program.pk), "code": "taken"})
    assert response.context["promo_form"].errors == {"code": ["Promo code already taken"]}
    response = alice_web.post(url, {"program": str(program.pk), "code": "a b"})
    assert response.context["promo_form"].errors == {
        "code": ["A code is 3 to 40 characters: letters, digits, '-' and '_'"]
    }
    assert PromoCode.objects.filter(partner=partner).count() == 0


def test_promo_codes_only_for_programs_the_partner_is_approved_in(
    alice_web, application, partner, merchant, other_program
):
    response = alice_web.post(
        f"/dashboard/partners/{partner.pk}/promo-codes/",
        {"program": str(application.program_id), "code": "NOPE1"},
    )
    assert "program" in response.context["promo_form"].errors
    response = alice_web.post(
        f"/dashboard/partners/{partner.pk}/promo-codes/",
        {"program": str(other_program.pk), "code": "NOPE2"},
    )
    assert "program" in response.context["promo_form"].errors
    assert PromoCode.objects.count() == 0


def test_disabling_codes(alice_web, default_code, partner, program):
    promo = PromoCodeFactory(program=program, partner=partner)
    response = alice_web.post(f"/dashboard/referral-codes/{default_code.pk}/disable/")
    assert response["Location"] == f"/dashboard/partners/{partner.pk}/"
    alice_web.post(
        f"/dashboard/promo-codes/{promo.pk}/disable/",
        {"next": f"/dashboard/programs/{program.pk}/"},
    )
    default_code.refresh_from_db()
    promo.refresh_from_db()
    assert default_code.disabled_at is not None and promo.disabled_at is not None


def test_codes_of_another_merchant_or_mode_are_not_found(alice_web, other_program, test_program):
    theirs = PromoCodeFactory(program=other_program)
    test_code = PromoCodeFactory(program=test_program)
    for code in (theirs, test_code):
        assert alice_web.post(f"/dashboard/promo-codes/{code.pk}/disable/").status_code == 404
        code.refresh_from_db()
        assert code.disabled_at is None
    assert alice_web.post(f"/dashboard/referral-codes/{theirs.pk}/disable/").status_code == 404


def test_erasure_asks_to_type_the_name_and_then_erases_this_merchants_data_only(
    alice_web, approved, partner, other_program
):
    elsewhere = ApplicationFactory(program=other_program, partner=partner, status="approved")
    url = f"/dashboard/partners/{partner.pk}/erase/"
    confirm_page = alice_web.get(url)
    assert f"Type “{partner.display_name}” to confirm" in page(confirm_page)
    assert "applies to your merchant account only, in both test and live mode" in page(confirm_page)
    response = alice_web.post(url, {"confirm": "someone else"})
    assert response.context["form"].errors == {
        "confirm": ["This does not match the name; nothing was erased."]
    }
    assert Application.objects.filter(pk=approved.pk).exists()
    name = partner.display_name
    response = alice_web.post(url, {"confirm": name}, follow=True)
    assert flashed(response) == [
        "The partner was removed from your programs and your data about it erased."
    ]
    assert response.redirect_chain[-1][0] == "/dashboard/partners/"
    assert not Application.objects.filter(pk=approved.pk).exists()
    assert not ReferralCode.objects.filter(program=approved.program, disabled_at=None).exists()
    partner.refresh_from_db()
    assert (partner.display_name, partner.erased_at) == (name, None)
    assert partner.user is not None and partner.user.is_active
    elsewhere.refresh_from_db()
    assert elsewhere.status == "approved"
    assert alice_web.get(url).status_code == 404


def test_a_member_cannot_erase_a_partner(bob_web, approved, partner):
    response = bob_web.get(f"/dashboard/partners/{partner.pk}/")
    assert "Erase personal data" not in page(response)
    url = f"/dashboard/partners/{partner.pk}/erase/"
    assert bob_web.get(url).status_code == 403
    assert bob_web.post(url, {"confirm": partner.display_name}).status_code == 403
    partner.refresh_from_db()
    assert partner.erased_at is None


def test_partners_of_another_merchant_or_mode_are_not_found(
    alice_web, other_program, test_program, merchant
):
    theirs = ApplicationFactory(program=other_program).partner
    in_test = ApplicationFactory(program=test_program).partner
    for partner in (theirs, in_test):
        assert alice_web.get(f"/dashboard/partners/{partner.pk}/").status_code == 404
        response = alice_web.post(
            f"/dashboard/partners/{partner.pk}/erase/", {"confirm": partner.display_name}
        )
        assert response.status_code == 404
        assert (
            alice_web.post(
                f"/dashboard/partners/{partner.pk}/promo-codes/", {"code": "X123"}
            ).status_code
            == 404
        )
    assert Partner.objects.filter(erased_at__isnull=False).count() == 0
    assert PromoCode.objects.count() == 0
    assert Application.objects.count() == 2 and Program.objects.count() == 2
    assert ReferralCode.objects.count() == 0
