"""The partner's invitations in the portal: the list with accept and decline buttons (plain
forms, no JavaScript) and the emailed link, which makes the partner log in or sign up."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from partners import services
from partners.models import Application, Invitation, ReferralCode
from tests.dashboard.conftest import flashed, page, switch_mode
from tests.dashboard.test_portal_programs import STRONG

pytestmark = pytest.mark.django_db

LINK = re.compile(r"(/partner/invitations/t/[A-Za-z0-9_-]{40,}/)")


@pytest.fixture
def invitation(program, partner):
    invitation, _created = services.invitation_create(
        program=program, email=partner.user.email, message="Come sell shoes"
    )
    return invitation


def emailed_link(program, email, capture) -> str:
    from django.core import mail

    with capture(execute=True):
        services.invitation_create(program=program, email=email)
    found = LINK.search(unquote(mail.outbox[-1].body))
    assert found is not None, mail.outbox[-1].body
    return found.group(1)


def test_the_list_shows_open_invitations_with_plain_form_buttons(partner_web, invitation):
    body = page(partner_web.get("/partner/invitations/"))
    assert "Shoes" in body and "Acme" in body and "Come sell shoes" in body
    for answer in ("accept", "decline"):
        action = f'action="/partner/invitations/{invitation.pk}/{answer}/"'
        assert f'<form method="post" {action}' in body
    assert "<script" not in body.split("<main", 1)[-1]


def test_accepting_in_the_portal_approves_with_a_referral_link(
    partner_web, invitation, partner, program
):
    response = partner_web.post(f"/partner/invitations/{invitation.pk}/accept/", follow=True)

    assert response.redirect_chain == [("/partner/invitations/", 302)]
    assert flashed(response) == [
        "You joined Shoes of Acme. Your referral link is on your programs page."
    ]
    application = Application.objects.get(partner=partner, program=program)
    assert (application.status, application.invited) == ("approved", True)
    assert ReferralCode.objects.filter(partner=partner, program=program, is_default=True).exists()
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert f'action="/partner/invitations/{invitation.pk}/' not in page(response)


def test_declining_in_the_portal(partner_web, invitation, partner):
    response = partner_web.post(f"/partner/invitations/{invitation.pk}/decline/", follow=True)

    assert flashed(response) == ["You declined the invitation to Shoes."]
    invitation.refresh_from_db()
    assert (invitation.status, invitation.partner_id) == ("declined", partner.pk)
    assert not Application.objects.exists()


def test_another_partner_cannot_answer_in_the_portal(other_partner_web, invitation):
    assert "Come sell shoes" not in page(other_partner_web.get("/partner/invitations/"))
    for answer in ("accept", "decline"):
        url = f"/partner/invitations/{invitation.pk}/{answer}/"
        assert other_partner_web.post(url).status_code == 404
    assert other_partner_web.post(f"/partner/invitations/{invitation.pk}/join/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "invited"
    assert not Application.objects.exists()


def test_the_emailed_link_makes_a_new_address_sign_up_then_accept(
    client, program, django_capture_on_commit_callbacks
):
    link = emailed_link(program, "new@partner.example", django_capture_on_commit_callbacks)
    assert client.get(link)["Location"] == f"/partner/login/?next={link}"
    response = client.post(
        f"/partner/signup/?next={link}",
        {"display_name": "Newcomer", "email": "new@partner.example", "password": STRONG},
    )
    assert response["Location"] == link
    body = page(client.get(link))
    assert "Acme invites you to Shoes" in body

    response = client.post(link, {"answer": "accept"}, follow=True)

    assert response.redirect_chain == [("/partner/invitations/", 302)]
    application = Application.objects.get()
    assert (application.partner.display_name, application.status) == ("Newcomer", "approved")
    # The token was single-use: the link is gone once answered.
    assert client.get(link).status_code == 404
    assert client.post(link, {"answer": "decline"}).status_code == 404
    assert Invitation.objects.get().status == "accepted"


def test_the_emailed_link_of_a_test_program_declines_whatever_the_session_mode(
    partner_web, test_program, partner, django_capture_on_commit_callbacks
):
    link = emailed_link(test_program, partner.user.email, django_capture_on_commit_callbacks)
    switch_mode(partner_web, "live")
    assert "This is a test-mode program" in page(partner_web.get(link))

    response = partner_web.post(link, {"answer": "decline"}, follow=True)

    assert flashed(response) == ["You declined the invitation to Shoes (test)."]
    assert Invitation.objects.get().status == "declined"
    assert partner_web.post(link, {"answer": "accept"}).status_code == 404
    assert not Application.objects.exists()


def test_a_wrong_or_revoked_token_is_not_found(
    partner_web, program, django_capture_on_commit_callbacks
):
    link = emailed_link(program, "x@example.com", django_capture_on_commit_callbacks)
    assert partner_web.get("/partner/invitations/t/not-a-real-token/").status_code == 404
    services.invitation_revoke(invitation=Invitation.objects.get())
    assert partner_web.get(link).status_code == 404
    assert partner_web.post(link, {"answer": "accept"}).status_code == 404
    assert not Application.objects.exists()
