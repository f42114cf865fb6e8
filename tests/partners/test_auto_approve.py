"""Auto-approve: a program can approve every application as it arrives."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from partners.models import Application, Program, ReferralCode
from tests.conftest import assert_error
from tests.partners.conftest import events
from tests.partners.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def apply(client: APIClient, program: Program) -> dict[str, object]:
    response = client.post(f"/api/v1/partner/programs/{program.pk}/apply", {}, format="json")
    assert response.status_code == 201, response.content
    data: dict[str, object] = response.json()
    return data


def test_the_merchant_turns_auto_approve_on_and_an_application_is_approved_at_once(
    alice_client: APIClient, partner_client: APIClient, merchant: Merchant, partner: Partner
) -> None:
    program = ProgramFactory(merchant=merchant, code="AUTO")

    switched = alice_client.patch(
        f"/api/v1/programs/{program.pk}", {"auto_approve_applications": True}, format="json"
    )
    application = apply(partner_client, program)

    assert switched.status_code == 200 and switched.json()["auto_approve_applications"] is True
    assert application["status"] == "approved"
    stored = Application.objects.get(pk=application["id"])
    assert stored.status == "approved" and stored.decided_at is not None
    assert (
        ReferralCode.objects.filter(partner=partner, program=program, is_default=True).count() == 1
    )
    # The application arrived (pending), then was approved: both events, in order.
    assert [e["data"]["status"] for e in events("partner.applied")] == ["pending"]
    assert [e["data"]["id"] for e in events("application.approved")] == [application["id"]]


def test_without_auto_approve_an_application_waits(
    partner_client: APIClient, merchant: Merchant, partner: Partner
) -> None:
    program = ProgramFactory(merchant=merchant, code="MANUAL")

    application = apply(partner_client, program)

    assert application["status"] == "pending"
    assert not ReferralCode.objects.filter(partner=partner, program=program).exists()
    assert events("application.approved") == []


def test_auto_approve_must_be_a_boolean(alice_client: APIClient, merchant: Merchant) -> None:
    program = ProgramFactory(merchant=merchant, code="AUTO")

    error = assert_error(
        alice_client.patch(
            f"/api/v1/programs/{program.pk}", {"auto_approve_applications": "yes"}, format="json"
        ),
        400,
        "VALIDATION_ERROR",
    )

    assert error["details"] == [
        {"field": "auto_approve_applications", "message": "Expected a boolean"}
    ]
    program.refresh_from_db()
    assert program.auto_approve_applications is False
