"""Applications: partners apply, merchants approve and reject; events follow.

Invitations are in test_invitations.py."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from partners.models import Application, Program, ReferralCode
from tests.conftest import assert_error
from tests.partners.conftest import events
from tests.partners.factories import ApplicationFactory, ProgramFactory


def apply(client: APIClient, program: Program, body: Any = None, mode: str = "live") -> Any:
    return client.post(
        f"/api/v1/partner/programs/{program.pk}/apply?mode={mode}", body or {}, format="json"
    )


def test_partner_applies_to_published_program(
    partner_client: APIClient, partner: Partner, program: Program
) -> None:
    response = apply(partner_client, program, {"message": "Big shoe blog"})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["invited"], body["message"]) == ("pending", False, "Big shoe blog")
    assert body["merchant"]["slug"] == "acme"
    application = Application.objects.get(pk=body["id"])
    assert (application.partner, application.program, application.mode) == (
        partner,
        program,
        "live",
    )
    [event] = events("partner.applied")
    assert event["mode"] == "live"
    assert event["data"]["id"] == body["id"]
    assert event["data"]["status"] == "pending"
    assert event["data"]["partner_display_name"] == partner.display_name
    assert not ReferralCode.objects.exists()


def test_second_application_is_409_duplicate(
    partner_client: APIClient, application: Application, program: Program
) -> None:
    assert_error(apply(partner_client, program), 409, "APPLICATION_DUPLICATE")
    assert Application.objects.count() == 1


def test_applying_to_a_draft_program_is_404(partner_client: APIClient, merchant: Merchant) -> None:
    draft = ProgramFactory(merchant=merchant, status="draft")
    assert_error(apply(partner_client, draft), 404, "NOT_FOUND")
    assert not Application.objects.exists()


@pytest.mark.parametrize("status", ["paused", "archived"])
def test_applying_to_a_program_not_accepting_applications_is_400(
    partner_client: APIClient, merchant: Merchant, status: str
) -> None:
    closed = ProgramFactory(merchant=merchant, status=status)

    body = assert_error(apply(partner_client, closed), 400, "VALIDATION_ERROR")

    assert body["details"] == [
        {
            "field": "status",
            "message": f"This program is not accepting applications (it is {status})",
        }
    ]
    assert not Application.objects.exists()


def test_applying_to_an_invite_only_program_is_404(
    partner_client: APIClient, merchant: Merchant
) -> None:
    private = ProgramFactory(merchant=merchant, is_public=False)
    assert_error(apply(partner_client, private), 404, "NOT_FOUND")
    assert not Application.objects.exists()


def test_applying_in_the_other_mode_is_404(partner_client: APIClient, program: Program) -> None:
    assert_error(apply(partner_client, program, mode="test"), 404, "NOT_FOUND")
    assert not Application.objects.exists()


def test_application_message_is_limited(partner_client: APIClient, program: Program) -> None:
    body = assert_error(
        apply(partner_client, program, {"message": "x" * 2001}), 400, "VALIDATION_ERROR"
    )
    assert body["details"][0]["field"] == "message"
    assert_error(apply(partner_client, program, {"message": 5}), 400, "VALIDATION_ERROR")
    assert_error(apply(partner_client, program, {"status": "approved"}), 400, "VALIDATION_ERROR")
    assert not Application.objects.exists()


def decide(client: APIClient, application: Application, verb: str, body: Any = None) -> Any:
    return client.post(f"/api/v1/applications/{application.pk}/{verb}", body or {}, format="json")


def test_approval_creates_default_referral_code_and_emits(
    alice_client: APIClient, application: Application, partner: Partner
) -> None:
    response = decide(alice_client, application, "approve", {"message": "Welcome"})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["decision_message"]) == ("approved", "Welcome")
    assert body["decided_at"] is not None
    [code] = ReferralCode.objects.filter(partner=partner)
    assert code.is_default and code.program_id == application.program_id and code.mode == "live"
    slug = partner.display_name.lower().replace(" ", "-")
    assert code.code.startswith(f"{slug}-") and len(code.code) == len(slug) + 7
    [event] = events("application.approved")
    assert event["data"] == body


def test_approving_twice_is_400_and_creates_no_second_code(
    alice_client: APIClient, application: Application
) -> None:
    assert decide(alice_client, application, "approve").status_code == 200

    body = assert_error(decide(alice_client, application, "approve"), 400, "VALIDATION_ERROR")

    assert body["details"] == [
        {"field": "status", "message": "This application is already approved"}
    ]
    assert ReferralCode.objects.count() == 1
    assert len(events("application.approved")) == 1


def test_rejection_records_message_and_emits(
    alice_client: APIClient, application: Application
) -> None:
    response = decide(alice_client, application, "reject", {"message": "Not a fit"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_message"]) == (
        "rejected",
        "Not a fit",
    )
    [event] = events("application.rejected")
    assert event["data"]["status"] == "rejected"
    assert not ReferralCode.objects.exists()


def test_rejecting_an_approved_application_is_400(
    alice_client: APIClient, application: Application
) -> None:
    decide(alice_client, application, "approve")

    body = assert_error(decide(alice_client, application, "reject"), 400, "VALIDATION_ERROR")

    assert body["details"][0]["field"] == "status"
    application.refresh_from_db()
    assert application.status == "approved"


def test_a_rejected_application_can_be_reconsidered(
    alice_client: APIClient, application: Application
) -> None:
    decide(alice_client, application, "reject")
    response = decide(alice_client, application, "approve")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert ReferralCode.objects.filter(is_default=True).count() == 1


def test_approving_for_an_archived_program_is_400(
    alice_client: APIClient, merchant: Merchant, partner: Partner
) -> None:
    application = ApplicationFactory(
        program=ProgramFactory(merchant=merchant, status="archived"), partner=partner
    )
    body = assert_error(decide(alice_client, application, "approve"), 400, "VALIDATION_ERROR")
    assert body["details"] == [{"field": "status", "message": "The program is archived"}]
    application.refresh_from_db()
    assert application.status == "pending"


def test_merchant_lists_and_filters_applications(
    alice_client: APIClient,
    merchant: Merchant,
    program: Program,
    partner: Partner,
    other_partner: Partner,
) -> None:
    ApplicationFactory(program=program, partner=partner, status="approved")
    other = ProgramFactory(merchant=merchant, code="HATS")
    ApplicationFactory(program=other, partner=other_partner, invited=True)
    ApplicationFactory(program=ProgramFactory(merchant=merchant, mode="test"), partner=partner)

    def codes(query: str = "") -> list[str]:
        response = alice_client.get(f"/api/v1/applications?{query}")
        assert response.status_code == 200, response.json()
        return sorted(a["program_code"] for a in response.json()["data"])

    assert codes() == ["HATS", "SHOES"]
    assert codes("status=approved") == ["SHOES"]
    assert codes(f"program={other.pk}") == ["HATS"]
    assert codes(f"partner={other_partner.pk}") == ["HATS"]
    assert codes("invited=true") == ["HATS"]
    assert codes("q=other") == ["HATS"]
    assert len(codes("mode=test")) == 1
    assert_error(alice_client.get("/api/v1/applications?program=nope"), 400, "VALIDATION_ERROR")


def test_partner_sees_only_own_applications(
    partner_client: APIClient, partner: Partner, other_partner: Partner, program: Program
) -> None:
    mine = ApplicationFactory(program=program, partner=partner)
    ApplicationFactory(program=program, partner=other_partner)

    body = partner_client.get("/api/v1/partner/applications").json()

    assert [a["id"] for a in body["data"]] == [str(mine.pk)]
    assert partner_client.get("/api/v1/partner/applications?status=rejected").json()["total"] == 0
