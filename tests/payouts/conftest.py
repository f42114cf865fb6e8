"""Payout fixtures: Acme's live and test EUR programs, a partner paid by SEPA."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accounts.models import Merchant, Partner
from partners.models import Program
from selgeo.celery import app as celery_app
from tests.factories import PartnerFactory
from tests.partners.factories import ProgramFactory
from tests.payouts.money import sepa_account


@pytest.fixture(autouse=True)
def _tasks_run_inline() -> Iterator[None]:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def program(merchant: Merchant) -> Program:
    return ProgramFactory(merchant=merchant, mode="live", code="SHOES", currency="EUR")


@pytest.fixture
def test_program(merchant: Merchant) -> Program:
    return ProgramFactory(merchant=merchant, mode="test", code="SHOES-TEST", currency="EUR")


@pytest.fixture
def other_program(other_merchant: Merchant) -> Program:
    return ProgramFactory(merchant=other_merchant, mode="live", code="HATS", currency="EUR")


@pytest.fixture
def jane(db: None) -> Partner:
    partner = PartnerFactory(display_name="Jane")
    sepa_account(partner)
    return partner
