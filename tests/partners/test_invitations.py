"""Invitations: an offer to an email address that only the partner's acceptance turns into
an approved partnership. The merchant learns nothing of the account behind the address."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from partners import services
from partners.models import Application, Invitation, Program, ReferralCode
from selgeo.api.errors import ValidationFailed
from tests.conftest import api_client, assert_error, jwt_for
from tests.factories import PartnerFactory
from tests.partners.conftest import events
from tests.partners.factories import ProgramFactory
from webhooks.models import Event

UNKNOWN = "nobody.yet@example.com"
INVITATION_KEYS = {
    "id",
    "mode",
    "program",
    "program_code",
    "program_name",
    "email",
    "message",
    "status",
    "application",
    "created_at",
    "answered_at",
}
LINK = re.compile(r"/partner/invitations/t/([A-Za-z0-9_-]{40,})/")


def invite(client: APIClient, program: Program, email: str, message: str = "") -> Any:
    return client.post(
        f"/api/v1/programs/{program.pk}/invite",
        {"email": email, "message": message},
        format="json",
    )


def email_of(partner: Partner) -> str:
    assert partner.user is not None
    return partner.user.email


def token_in(mail: Any) -> str:
    found = LINK.search(unquote(mail.body))
    assert found is not None, mail.body
    return found.group(1)


@pytest.fixture
def invited(
    charlie_client: APIClient,
    other_program: Program,
    partner: Partner,
    django_capture_on_commit_callbacks: Any,
) -> Invitation:
    """Charlie (another merchant) invited the partner's email to his live program Hats."""
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(charlie_client, other_program, email_of(partner), "Join Hats!")
    assert response.status_code == 201, response.json()
    return Invitation.objects.get(pk=response.json()["id"])


def test_an_invite_answers_the_same_for_an_account_and_an_unknown_email(
    charlie_client: APIClient,
    other_program: Program,
    partner: Partner,
    approved: Application,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The partner is Acme's (approved); Charlie invites its address and an unknown one.
    answers = []
    for email in (email_of(partner), UNKNOWN):
        with (
            django_capture_on_commit_callbacks(execute=True),
            CaptureQueriesContext(connection) as queries,
        ):
            response = invite(charlie_client, other_program, email.upper(), "Hello")
        answers.append((response.status_code, response.json(), len(queries.captured_queries)))

    (known_status, known, known_queries), (unknown_status, unknown, unknown_queries) = answers
    assert known_status == unknown_status == 201
    assert set(known) == set(unknown) == INVITATION_KEYS

    def comparable(body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if k not in ("id", "email", "created_at")}

    assert (
        comparable(known)
        == comparable(unknown)
        == {
            "mode": "live",
            "program": str(other_program.pk),
            "program_code": "HATS",
            "program_name": "Hats",
            "message": "Hello",
            "status": "invited",
            "application": None,
            "answered_at": None,
        }
    )
    assert (known["email"], unknown["email"]) == (email_of(partner).lower(), UNKNOWN)
    assert known_queries == unknown_queries
    # Each address got its mail: the account its invitation page, the new address sign-up.
    assert [mail.to for mail in mailoutbox] == [[email_of(partner).lower()], [UNKNOWN]]
    assert all(mail.subject == "Other invites you to Hats on Selgeo" for mail in mailoutbox)
    assert "Log in to accept or decline" in mailoutbox[0].body
    assert "/partner/signup/?next=%2Fpartner%2Finvitations%2Ft%2F" in mailoutbox[1].body
    assert token_in(mailoutbox[0]) != token_in(mailoutbox[1])
    # Nothing about the partner reached Charlie, and the partner is not his yet.
    assert partner.display_name not in str(known)
    assert not Application.objects.filter(merchant=other_program.merchant).exists()
    assert not Event.objects.filter(merchant=other_program.merchant).exists()


def test_only_the_digest_of_the_emailed_token_is_stored(
    invited: Invitation, mailoutbox: list[Any]
) -> None:
    token = token_in(mailoutbox[0])
    assert invited.token_digest == Invitation.digest_of(token)
    assert token not in str(list(Invitation.objects.values()))


def test_the_merchant_sees_no_profile_field_before_acceptance(
    charlie_client: APIClient, invited: Invitation, partner: Partner, other_program: Program
) -> None:
    listing = charlie_client.get("/api/v1/invitations")
    detail = charlie_client.get(f"/api/v1/invitations/{invited.pk}")

    assert listing.status_code == detail.status_code == 200
    assert listing.json()["total"] == 1
    assert listing.json()["data"] == [detail.json()]
    assert set(detail.json()) == INVITATION_KEYS
    for text in (partner.display_name, partner.website, str(partner.pk)):
        assert text not in listing.content.decode()
    assert charlie_client.get("/api/v1/partners").json()["total"] == 0
    assert charlie_client.get("/api/v1/applications").json()["total"] == 0
    assert_error(charlie_client.get(f"/api/v1/partners/{partner.pk}"), 404, "NOT_FOUND")


def test_the_merchant_cannot_give_an_invited_partner_codes_before_acceptance(
    charlie_client: APIClient, invited: Invitation, partner: Partner, other_program: Program
) -> None:
    body = {"program": str(other_program.pk), "partner": str(partner.pk)}
    error = assert_error(
        charlie_client.post("/api/v1/referral-codes", body, format="json"), 400, "VALIDATION_ERROR"
    )
    assert error["details"] == [{"field": "partner", "message": "No such partner in this mode"}]
    assert not ReferralCode.objects.filter(partner=partner).exists()


def test_the_partner_lists_and_accepts_an_invitation_through_the_api(
    charlie_client: APIClient,
    partner_client: APIClient,
    invited: Invitation,
    partner: Partner,
    other_program: Program,
) -> None:
    listing = partner_client.get("/api/v1/partner/invitations")
    assert listing.status_code == 200
    [row] = listing.json()["data"]
    assert (row["id"], row["status"], row["message"], row["merchant"]["name"]) == (
        str(invited.pk),
        "invited",
        "Join Hats!",
        "Other",
    )

    response = partner_client.post(f"/api/v1/partner/invitations/{invited.pk}/accept")

    assert response.status_code == 200, response.json()
    application = Application.objects.get(partner=partner, program=other_program)
    assert (response.json()["status"], response.json()["application"]) == (
        "accepted",
        str(application.pk),
    )
    assert (application.status, application.invited, application.decision_message) == (
        "approved",
        True,
        "Join Hats!",
    )
    assert ReferralCode.objects.filter(
        partner=partner, program=other_program, is_default=True
    ).exists()
    [approved_event] = events("application.approved")
    assert approved_event["data"]["id"] == str(application.pk)
    # From now on the partner is Charlie's partner, and the invitation says so.
    partners = charlie_client.get("/api/v1/partners").json()["data"]
    assert [p["id"] for p in partners] == [str(partner.pk)]
    seen = charlie_client.get(f"/api/v1/invitations/{invited.pk}").json()
    assert (seen["status"], seen["application"]) == ("accepted", str(application.pk))


def test_the_partner_declines_through_the_api(
    charlie_client: APIClient, partner_client: APIClient, invited: Invitation, partner: Partner
) -> None:
    response = partner_client.post(f"/api/v1/partner/invitations/{invited.pk}/decline")

    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["application"]) == ("declined", None)
    assert not Application.objects.filter(partner=partner).exists()
    assert Event.objects.count() == 0
    assert charlie_client.get(f"/api/v1/invitations/{invited.pk}").json()["status"] == "declined"
    assert charlie_client.get("/api/v1/partners").json()["total"] == 0


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_another_partner_cannot_answer_someone_elses_invitation(
    other_partner_client: APIClient, invited: Invitation, answer: str
) -> None:
    assert other_partner_client.get("/api/v1/partner/invitations").json()["total"] == 0
    assert_error(
        other_partner_client.post(f"/api/v1/partner/invitations/{invited.pk}/{answer}"),
        404,
        "NOT_FOUND",
    )
    invited.refresh_from_db()
    assert (invited.status, invited.partner_id) == ("invited", None)
    assert not Application.objects.exists()


def test_an_answered_invitation_cannot_be_answered_again(
    partner_client: APIClient, invited: Invitation
) -> None:
    accepted = partner_client.post(f"/api/v1/partner/invitations/{invited.pk}/accept")
    assert accepted.status_code == 200
    error = assert_error(
        partner_client.post(f"/api/v1/partner/invitations/{invited.pk}/decline"),
        400,
        "VALIDATION_ERROR",
    )
    assert error["details"] == [
        {"field": "status", "message": "This invitation is already accepted"}
    ]
    invited.refresh_from_db()
    assert invited.status == "accepted"


def test_inviting_the_same_address_again_is_idempotent(
    charlie_client: APIClient,
    invited: Invitation,
    other_program: Program,
    partner: Partner,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        again = invite(charlie_client, other_program, f"  {email_of(partner).upper()} ")

    assert again.status_code == 200, again.json()
    assert again.json()["id"] == str(invited.pk)
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_revoked_invitation_can_no_longer_be_accepted_and_a_new_one_can_be_sent(
    charlie_client: APIClient,
    partner_client: APIClient,
    invited: Invitation,
    other_program: Program,
    partner: Partner,
) -> None:
    revoked = charlie_client.post(f"/api/v1/invitations/{invited.pk}/revoke")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"

    error = assert_error(
        partner_client.post(f"/api/v1/partner/invitations/{invited.pk}/accept"),
        400,
        "VALIDATION_ERROR",
    )
    assert error["message"] == "This invitation is already revoked"
    assert not Application.objects.exists()
    assert invite(charlie_client, other_program, email_of(partner)).status_code == 201


def test_accepting_approves_the_partners_own_pending_application(
    alice_client: APIClient,
    partner_client: APIClient,
    application: Application,
    program: Program,
    partner: Partner,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation_id = invite(alice_client, program, email_of(partner), "Welcome").json()["id"]
    # The invitation alone approves nothing: the pending application stays pending.
    application.refresh_from_db()
    assert application.status == "pending"

    response = partner_client.post(f"/api/v1/partner/invitations/{invitation_id}/accept")

    assert response.json()["application"] == str(application.pk)
    application.refresh_from_db()
    assert (application.status, application.invited, application.message) == (
        "approved",
        True,
        "I run a blog about shoes",
    )
    assert Application.objects.count() == 1


def test_accepting_when_already_approved_changes_nothing_else(
    alice_client: APIClient,
    partner_client: APIClient,
    approved: Application,
    program: Program,
    partner: Partner,
) -> None:
    invitation_id = invite(alice_client, program, email_of(partner)).json()["id"]
    response = partner_client.post(f"/api/v1/partner/invitations/{invitation_id}/accept")

    assert (response.json()["status"], response.json()["application"]) == (
        "accepted",
        str(approved.pk),
    )
    assert events("application.approved") == []
    assert ReferralCode.objects.filter(partner=partner).count() == 1


def test_accepting_for_an_archived_program_is_refused(
    alice_client: APIClient, partner_client: APIClient, program: Program, partner: Partner
) -> None:
    invitation_id = invite(alice_client, program, email_of(partner)).json()["id"]
    assert alice_client.post(f"/api/v1/programs/{program.pk}/archive").status_code == 200

    error = assert_error(
        partner_client.post(f"/api/v1/partner/invitations/{invitation_id}/accept"),
        400,
        "VALIDATION_ERROR",
    )
    assert error["message"] == "The program is archived"
    assert Invitation.objects.get().status == "invited"
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"partner_id": "00000000-0000-0000-0000-000000000001"}, "partner_id"),
        ({"email": "a@example.com", "message": "x" * 2001}, "message"),
    ],
)
def test_invite_bad_input_is_400(
    alice_client: APIClient, program: Program, body: dict[str, Any], field: str
) -> None:
    response = alice_client.post(f"/api/v1/programs/{program.pk}/invite", body, format="json")
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in [detail["field"] for detail in error["details"]]
    assert not Invitation.objects.exists()


def test_the_service_refuses_an_address_that_is_not_an_email(program: Program) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.invitation_create(program=program, email="not an address")
    assert refused.value.details == [{"field": "email", "message": "Enter a valid email address"}]
    assert not Invitation.objects.exists()


def test_an_accepted_invite_only_program_is_visible_and_cannot_be_applied_to_again(
    alice_client: APIClient, partner_client: APIClient, merchant: Merchant, partner: Partner
) -> None:
    private = ProgramFactory(merchant=merchant, is_public=False)
    invitation_id = invite(alice_client, private, email_of(partner)).json()["id"]
    assert_error(partner_client.get(f"/api/v1/partner/programs/{private.pk}"), 404, "NOT_FOUND")

    partner_client.post(f"/api/v1/partner/invitations/{invitation_id}/accept")

    detail = partner_client.get(f"/api/v1/partner/programs/{private.pk}")
    assert detail.status_code == 200 and detail.json()["application_status"] == "approved"
    applied = partner_client.post(f"/api/v1/partner/programs/{private.pk}/apply")
    assert_error(applied, 409, "APPLICATION_DUPLICATE")


@pytest.mark.parametrize("status", ["draft", "paused", "archived"])
def test_invite_needs_a_published_program(
    alice_client: APIClient, merchant: Merchant, status: str
) -> None:
    closed = ProgramFactory(merchant=merchant, status=status)
    error = assert_error(invite(alice_client, closed, UNKNOWN), 400, "VALIDATION_ERROR")
    assert error["details"][0]["field"] == "status"
    assert not Invitation.objects.exists()


def test_an_unknown_address_signs_up_and_finds_the_invitation_waiting(
    alice_client: APIClient, program: Program, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation_id = invite(alice_client, program, UNKNOWN).json()["id"]
    newcomer = PartnerFactory(user__email="Nobody.Yet@example.com")
    assert newcomer.user is not None
    client = api_client(jwt_for(newcomer.user))

    assert [row["id"] for row in client.get("/api/v1/partner/invitations").json()["data"]] == [
        invitation_id
    ]
    assert client.post(f"/api/v1/partner/invitations/{invitation_id}/accept").status_code == 200
    assert Application.objects.get(partner=newcomer).status == "approved"


def test_the_partner_lists_invitations_of_one_mode_and_filters_by_status(
    alice_client: APIClient,
    partner_client: APIClient,
    program: Program,
    test_program: Program,
    partner: Partner,
) -> None:
    live_id = invite(alice_client, program, email_of(partner)).json()["id"]
    test_response = alice_client.post(
        f"/api/v1/programs/{test_program.pk}/invite?mode=test",
        {"email": email_of(partner)},
        format="json",
    )
    assert test_response.status_code == 201, test_response.json()

    def ids(query: str) -> list[str]:
        response = partner_client.get(f"/api/v1/partner/invitations?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["data"]]

    assert ids("") == [live_id]
    assert ids("mode=test") == [test_response.json()["id"]]
    assert ids("status=accepted") == []
    assert ids("status=invited") == [live_id]
    merchant_ids = [row["id"] for row in alice_client.get("/api/v1/invitations").json()["data"]]
    assert merchant_ids == [live_id]


def test_invitations_are_in_the_openapi_document(anon_client: APIClient) -> None:
    paths = anon_client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/invitations",
        "/api/v1/invitations/{id}",
        "/api/v1/invitations/{id}/revoke",
        "/api/v1/partner/invitations",
        "/api/v1/partner/invitations/{id}",
        "/api/v1/partner/invitations/{id}/accept",
        "/api/v1/partner/invitations/{id}/decline",
    ):
        assert path in paths, path


def test_a_second_merchant_invitation_does_not_touch_the_first_merchants_partner(
    charlie_client: APIClient,
    partner_client: APIClient,
    approved: Application,
    default_code: ReferralCode,
    invited: Invitation,
    partner: Partner,
) -> None:
    # Acme's partner declined Charlie's invitation: Acme's rows are as they were.
    before = list(Application.objects.filter(pk=approved.pk).values())
    partner_client.post(f"/api/v1/partner/invitations/{invited.pk}/decline")
    assert list(Application.objects.filter(pk=approved.pk).values()) == before
    default_code.refresh_from_db()
    assert default_code.disabled_at is None


def test_a_merchant_sends_at_most_the_hours_invitations_and_another_is_unaffected(
    settings: Any,
    charlie_client: APIClient,
    alice_client: APIClient,
    other_program: Program,
    program: Program,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "invitations": "2/h"}
    with django_capture_on_commit_callbacks(execute=True):
        sent = [invite(charlie_client, other_program, f"p{n}@example.org") for n in range(3)]
        acme = invite(alice_client, program, "p9@example.org")

    assert [r.status_code for r in sent[:2]] == [201, 201]
    assert_error(sent[2], 429, "RATE_LIMIT_EXCEEDED")
    assert 60 < int(sent[2]["Retry-After"]) <= 3600
    assert acme.status_code == 201
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "p0@example.org",
        "p1@example.org",
        "p9@example.org",
    ]
    assert len(mailoutbox) == 3
