"""Dynamic delivery fixtures: a real receiver on loopback, fake DNS, tasks run inline."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Merchant, Partner
from partners.models import Application, Program
from tests.factories import PartnerFactory
from tests.partners.factories import ApplicationFactory, ProgramFactory

# The webhooks' own: tasks inline, a real receiver on loopback, and fake DNS answers.
from tests.webhooks.conftest import _tasks_run_inline, fake_dns, receiver  # noqa: F401


@pytest.fixture(autouse=True)
def _outbound_settings(settings: Any) -> None:
    # Loopback is refused unless a test runs a receiver; attempts time out quickly.
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = False
    settings.SELGEO_WEBHOOKS_TIMEOUT_SECONDS = 2.0


@pytest.fixture
def serials(merchant: Merchant) -> Program:
    """Acme's test-mode program that sells serial keys (http URLs are allowed in test mode)."""
    return ProgramFactory(merchant=merchant, mode="test", code="KEYS", name="Game Keys")


@pytest.fixture
def program(merchant: Merchant) -> Program:
    return ProgramFactory(merchant=merchant, mode="live", code="KEYS-LIVE", name="Game Keys")


@pytest.fixture
def anna(db: None) -> Partner:
    return PartnerFactory(display_name="Anna Plays", website="https://anna.example.org")


@pytest.fixture
def anna_applies(serials: Program, anna: Partner) -> Application:
    return ApplicationFactory(program=serials, partner=anna, status="pending")
