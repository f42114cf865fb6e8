"""Acme's published programs in both modes, each with a partner's referral code."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from partners.models import Program, ReferralCode
from tests.conftest import Keys, api_client
from tests.tracking.factories import ProgramFactory, ReferralCodeFactory

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


@pytest.fixture
def program(merchant: Merchant) -> Program:
    return ProgramFactory(
        merchant=merchant,
        mode="test",
        code="SPRING",
        cookie_days=45,
        landing_url="https://acme.example.com/shop?lang=en#top",
    )


@pytest.fixture
def live_program(merchant: Merchant) -> Program:
    return ProgramFactory(merchant=merchant, mode="live", code="SUMMER", cookie_days=30)


@pytest.fixture
def code(program: Program, partner: Partner) -> ReferralCode:
    return ReferralCodeFactory(program=program, partner=partner, code="JaneDoe")


@pytest.fixture
def live_code(live_program: Program, partner: Partner) -> ReferralCode:
    return ReferralCodeFactory(program=live_program, partner=partner, code="JaneLive")


@pytest.fixture
def pk_test_client(keys: Keys) -> APIClient:
    return api_client(keys.pk_test, HTTP_USER_AGENT=BROWSER_UA)


@pytest.fixture
def pk_live_client(keys: Keys) -> APIClient:
    return api_client(keys.pk_live, HTTP_USER_AGENT=BROWSER_UA)


def post_click(client: APIClient, body: dict[str, Any], **headers: Any) -> Any:
    return client.post("/v1/clicks", body, format="json", **headers)
