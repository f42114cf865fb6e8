"""Fixtures for the conversion tests: Acme's programs, a partner's click and promo code."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from partners.models import Program, PromoCode
from tests.conftest import Keys, api_client
from tests.conversions.factories import (
    ApplicationFactory,
    ClickFactory,
    ProgramFactory,
    PromoCodeFactory,
)
from tracking.models import Click


@pytest.fixture
def program(merchant: Merchant) -> Program:
    """Acme's live CPS program: 10% of the sale in EUR, 30-day cookie, 30-day hold."""
    return ProgramFactory(merchant=merchant, mode="live", code="SUMMER")


@pytest.fixture
def test_program(merchant: Merchant) -> Program:
    return ProgramFactory(merchant=merchant, mode="test", code="SANDBOX")


@pytest.fixture
def click(program: Program, partner: Partner) -> Click:
    return ClickFactory(program=program, partner=partner)


@pytest.fixture
def test_click(test_program: Program, partner: Partner) -> Click:
    return ClickFactory(program=test_program, partner=partner)


@pytest.fixture
def promo(program: Program, partner: Partner) -> PromoCode:
    return PromoCodeFactory(program=program, partner=partner, code="ANNA10")


@pytest.fixture
def approved(program: Program, partner: Partner) -> Any:
    return ApplicationFactory(program=program, partner=partner)


@pytest.fixture
def sk_live(keys: Keys) -> APIClient:
    return api_client(keys.sk_live)


@pytest.fixture
def sk_test(keys: Keys) -> APIClient:
    return api_client(keys.sk_test)


@pytest.fixture
def other_sk_live(other_keys: Keys) -> APIClient:
    return api_client(other_keys.sk_live)


def body(*, drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    """A valid conversion body with `fields` overriding and `drop` removing fields."""
    data: dict[str, Any] = {
        "event_type": "purchase",
        "external_transaction_id": "order_456",
        "amount_cents": 4900,
        "currency": "EUR",
        **fields,
    }
    for name in drop:
        data.pop(name, None)
    return data


def post(client: APIClient, data: Any, **extra: Any) -> Any:
    return client.post("/api/v1/conversions", data, format="json", **extra)


@pytest.fixture
def revshare(merchant: Merchant, partner: Partner) -> Program:
    """A published RevShare program of 20% over 3 months, with an approved partner whose
    promo code is SUBS (the time-rule tests move `recurring_months` as they need)."""
    program = Program.objects.create(
        merchant=merchant,
        mode="live",
        code="SUBS",
        name="Subscriptions",
        status="published",
        currency="EUR",
        commission_type="revshare",
        percent_bps=2000,
        recurring_months=3,
        landing_url="https://shop.example.com/",
    )
    ApplicationFactory(program=program, partner=partner)
    PromoCodeFactory(program=program, partner=partner, code="SUBS")
    return program
