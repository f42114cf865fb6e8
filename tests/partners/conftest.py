"""Fixtures for the partners tests: Acme's programs in both modes and an approved partner."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from partners.models import Application, ApplicationStatus, Program, ReferralCode
from tests.conftest import api_client, jwt_for
from tests.factories import PartnerFactory
from tests.partners.factories import ApplicationFactory, ProgramFactory, ReferralCodeFactory
from webhooks.models import Event


@pytest.fixture
def program(merchant: Merchant) -> Program:
    return ProgramFactory(merchant=merchant, mode="live", code="SHOES", name="Shoes")


@pytest.fixture
def test_program(merchant: Merchant) -> Program:
    return ProgramFactory(merchant=merchant, mode="test", code="SHOES-TEST", name="Shoes (test)")


@pytest.fixture
def other_program(other_merchant: Merchant) -> Program:
    return ProgramFactory(merchant=other_merchant, mode="live", code="HATS", name="Hats")


@pytest.fixture
def application(program: Program, partner: Partner) -> Application:
    return ApplicationFactory(program=program, partner=partner)


@pytest.fixture
def approved(program: Program, partner: Partner) -> Application:
    """The partner approved into Acme's live program, with its default code."""
    application = ApplicationFactory(
        program=program, partner=partner, status=ApplicationStatus.APPROVED
    )
    ReferralCodeFactory(program=program, partner=partner, code="partner-default", is_default=True)
    return application


@pytest.fixture
def default_code(approved: Application) -> ReferralCode:
    return ReferralCode.objects.get(partner=approved.partner, program=approved.program)


@pytest.fixture
def other_partner(db: None) -> Partner:
    return PartnerFactory(display_name="Other Partner")


@pytest.fixture
def other_partner_client(other_partner: Partner) -> APIClient:
    assert other_partner.user is not None
    return api_client(jwt_for(other_partner.user))


def events(type: str) -> list[dict[str, Any]]:
    return [e.payload for e in Event.objects.filter(type=type).order_by("created_at")]
