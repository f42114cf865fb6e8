"""Who may open which page: logins, the merchant/partner split, and scoping by merchant and
mode (another merchant's or the other mode's ids are 404, never 403)."""

from __future__ import annotations

import uuid

import pytest

from partners.models import Program
from tests.dashboard.conftest import browser, page
from tests.dashboard.test_programs import form_data
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SOME_ID = uuid.UUID("00000000-0000-0000-0000-000000000001")

MERCHANT_PAGES = [
    "/dashboard/",
    "/dashboard/programs/",
    "/dashboard/programs/new/",
    f"/dashboard/programs/{SOME_ID}/",
    f"/dashboard/programs/{SOME_ID}/edit/",
    f"/dashboard/programs/{SOME_ID}/terms/",
    "/dashboard/partner-groups/",
    "/dashboard/applications/",
    "/dashboard/partners/",
    f"/dashboard/partners/{SOME_ID}/",
    f"/dashboard/partners/{SOME_ID}/erase/",
    "/dashboard/team/",
    "/dashboard/developers/keys/",
    "/dashboard/developers/affspace/",
]
MERCHANT_POSTS = [
    "/dashboard/programs/validate/",
    f"/dashboard/programs/{SOME_ID}/status/publish/",
    f"/dashboard/programs/{SOME_ID}/invite/",
    f"/dashboard/invitations/{SOME_ID}/revoke/",
    f"/dashboard/applications/{SOME_ID}/approve/",
    f"/dashboard/partners/{SOME_ID}/promo-codes/",
    f"/dashboard/referral-codes/{SOME_ID}/disable/",
    f"/dashboard/promo-codes/{SOME_ID}/disable/",
    f"/dashboard/programs/{SOME_ID}/rates/{SOME_ID}/delete/",
    f"/dashboard/programs/{SOME_ID}/tiers/{SOME_ID}/delete/",
    f"/dashboard/partner-groups/{SOME_ID}/delete/",
    f"/dashboard/partner-groups/{SOME_ID}/members/{SOME_ID}/remove/",
]
PARTNER_PAGES = [
    "/partner/",
    "/partner/programs/",
    f"/partner/programs/{SOME_ID}/apply/",
    f"/partner/programs/{SOME_ID}/terms/",
    "/partner/applications/",
    "/partner/invitations/",
    "/partner/invitations/t/some-token/",
    "/partner/profile/",
    "/partner/erase/",
]


@pytest.mark.parametrize("url", MERCHANT_PAGES)
def test_merchant_pages_send_visitors_to_the_merchant_login(client, url):
    assert client.get(url)["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("url", MERCHANT_POSTS)
def test_merchant_actions_send_visitors_to_the_merchant_login(client, url):
    assert client.post(url)["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("url", PARTNER_PAGES)
def test_partner_pages_send_visitors_to_the_partner_login(client, url):
    assert client.get(url)["Location"] == f"/partner/login/?next={url}"


def test_a_partner_without_merchant_is_sent_to_the_portal(partner_web):
    assert partner_web.get("/dashboard/programs/")["Location"] == "/partner/"
    assert partner_web.get("/")["Location"] == "/partner/"


def test_a_user_without_partner_profile_is_asked_to_create_one(alice_web):
    assert alice_web.get("/partner/")["Location"] == "/partner/profile/new/?next=%2Fpartner%2F"


def test_an_erased_partner_cannot_use_the_portal(partner, partner_web):
    partner.erased_at = partner.created_at
    partner.save()
    assert partner_web.get("/partner/")["Location"].startswith("/partner/profile/new/")


def test_every_merchant_page_renders_for_its_owner_and_member(
    alice_web, bob_web, program, approved, partner
):
    owner_pages = [
        url.replace(str(SOME_ID), str(program.pk if "programs" in url else partner.pk))
        for url in MERCHANT_PAGES
    ]
    for url in owner_pages:
        assert alice_web.get(url).status_code == 200, url
    member_forbidden = {"/dashboard/developers/keys/", f"/dashboard/partners/{partner.pk}/erase/"}
    for url in owner_pages:
        assert bob_web.get(url).status_code == (403 if url in member_forbidden else 200), url


def test_another_merchants_program_is_not_found_anywhere(alice_web, other_program):
    base = f"/dashboard/programs/{other_program.pk}"
    for url in (f"{base}/", f"{base}/edit/"):
        assert alice_web.get(url).status_code == 404
    assert alice_web.post(f"{base}/edit/", form_data(name="Taken over")).status_code == 404
    assert alice_web.post(f"{base}/status/archive/").status_code == 404
    assert alice_web.post(f"{base}/invite/", {"email": "x@example.com"}).status_code == 404
    other_program.refresh_from_db()
    assert (other_program.name, other_program.status) == ("Hats", "published")


def test_the_other_modes_program_is_not_found(alice_web, test_program):
    assert alice_web.get(f"/dashboard/programs/{test_program.pk}/").status_code == 404
    assert alice_web.post(f"/dashboard/programs/{test_program.pk}/status/pause/").status_code == 404
    test_program.refresh_from_db()
    assert test_program.status == "published"


def test_a_program_created_in_test_mode_stays_out_of_live(alice_web, merchant):
    session = alice_web.session
    session["selgeo_mode"] = "test"
    session.save()
    alice_web.post("/dashboard/programs/new/", form_data())
    program = Program.objects.get()
    assert alice_web.get(f"/dashboard/programs/{program.pk}/").status_code == 200
    live = browser(merchant.memberships.get().user, merchant, mode="live")
    assert live.get(f"/dashboard/programs/{program.pk}/").status_code == 404
    assert "Summer shoes" not in page(live.get("/dashboard/programs/"))


def test_a_user_of_two_merchants_sees_the_one_in_the_session(alice, merchant, other_merchant):
    MembershipFactory(user=alice, merchant=other_merchant, role="member")
    web = browser(alice, other_merchant)
    assert web.get("/dashboard/programs/").context["current_merchant"] == other_merchant
    web.post("/dashboard/merchant/", {"merchant_id": str(merchant.pk)})
    assert web.get("/dashboard/programs/").context["current_merchant"] == merchant
    # A merchant the user does not belong to is ignored.
    stranger = UserFactory()
    lone = browser(stranger)
    lone.post("/dashboard/merchant/", {"merchant_id": str(merchant.pk)})
    assert lone.get("/dashboard/programs/")["Location"] == "/dashboard/new-merchant/"
