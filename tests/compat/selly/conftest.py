"""Fixtures for the commerce dialect: the reference's auth headers, a program whose
partner's referral code the shop's orders carry, the inbound URL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from accounts.models import Merchant, Partner, User
from compat.selly import services
from compat.selly.models import InboundEndpoint
from partners.models import Program, ReferralCode
from selgeo.celery import app as celery_app
from tests.conftest import Keys
from tests.conversions.conftest import (  # noqa: F401  (fixtures shared with these tests)
    click,
    program,
    sk_live,
    sk_test,
    test_click,
    test_program,
)
from tests.conversions.factories import ApplicationFactory, ProgramFactory, ReferralCodeFactory


def selly_client(email: str, key: str) -> Client:
    return Client(HTTP_X_AUTH_EMAIL=email, HTTP_X_AUTH_KEY=key)


@pytest.fixture
def alice_live(alice: User, keys: Keys) -> Client:
    return selly_client(alice.email, keys.sk_live)


@pytest.fixture
def alice_test(alice: User, keys: Keys) -> Client:
    return selly_client(alice.email, keys.sk_test)


@pytest.fixture
def charlie_live(charlie: User, other_keys: Keys) -> Client:
    return selly_client(charlie.email, other_keys.sk_live)


@pytest.fixture
def shop_program(merchant: Merchant) -> Program:
    """Acme's live program: 10% of each sale, in EUR."""
    return ProgramFactory(merchant=merchant, mode="live", code="SHOP")


@pytest.fixture
def anna_code(shop_program: Program, partner: Partner) -> ReferralCode:
    ApplicationFactory(program=shop_program, partner=partner)
    return ReferralCodeFactory(program=shop_program, partner=partner, code="anna")


@pytest.fixture
def inbound(merchant: Merchant) -> InboundEndpoint:
    return services.inbound_endpoint_ensure(merchant=merchant, mode="live")


@pytest.fixture
def inbound_url(inbound: InboundEndpoint) -> str:
    return f"/compat/selly/webhooks/{inbound.token}"


@pytest.fixture
def tasks_inline() -> Iterator[None]:
    # With REDIS_URL set the app would publish to the broker; here tasks run in-process.
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def post_webhook(url: str, body: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return Client().post(url, data=data, content_type="application/json")
