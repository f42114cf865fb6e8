"""Acme's programs, an application and an approved partner: shared by the partners and
dashboard tests (registered in `tests/conftest.py`; a folder's own conftest may override).
"""

from __future__ import annotations

import pytest

from accounts.models import Merchant, Partner
from partners.models import Application, ApplicationStatus, Program, ReferralCode
from tests.factories import PartnerFactory
from tests.partners.factories import ApplicationFactory, ProgramFactory, ReferralCodeFactory


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
