"""Fixtures for the AffSpace dialect: Acme's offers as the vendor document shows them.

MYOFFER123 is a live CPS offer (10% in USD, as the reference's example request pays in
USD) with an approved partner and a click of theirs; a CPA offer pays 30.00 USD once
per customer.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from partners.models import Program
from tests.conftest import Keys
from tests.conversions.factories import ApplicationFactory, ClickFactory, ProgramFactory
from tracking.models import Click

BASE = "/compat/affspace"


@pytest.fixture
def offer(merchant: Merchant, partner: Partner) -> Program:
    program = ProgramFactory(
        merchant=merchant,
        mode="live",
        code="MYOFFER123",
        name="My Product Offer",
        currency="USD",
        percent_bps=1000,
        landing_url="https://shop.example.com/",
    )
    ApplicationFactory(program=program, partner=partner)
    return program


@pytest.fixture
def cpa_offer(merchant: Merchant, partner: Partner) -> Program:
    program = ProgramFactory(
        merchant=merchant,
        mode="live",
        code="SIGNUP30",
        name="Signups",
        currency="USD",
        commission_type="cpa",
        cpa_amount_cents=3000,
        percent_bps=None,
    )
    ApplicationFactory(program=program, partner=partner)
    return program


@pytest.fixture
def offer_click(offer: Program, partner: Partner) -> Click:
    return ClickFactory(program=offer, partner=partner)


@pytest.fixture
def cpa_click(cpa_offer: Program, partner: Partner) -> Click:
    return ClickFactory(program=cpa_offer, partner=partner)


def vendor(raw_key: str | None, *, bearer: bool = False) -> APIClient:
    """A client sending the key as the vendor document shows: X-API-Key, or Bearer."""
    client = APIClient()
    if raw_key and bearer:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    elif raw_key:
        client.credentials(HTTP_X_API_KEY=raw_key)
    return client


@pytest.fixture
def live(keys: Keys) -> APIClient:
    return vendor(keys.sk_live)


@pytest.fixture
def test_key(keys: Keys) -> APIClient:
    return vendor(keys.sk_test)


def report(client: APIClient, **fields: Any) -> Any:
    return client.post(f"{BASE}/api/v1/conversions", fields, format="json")


def shape(value: Any) -> Any:
    """A JSON value's shape: its keys (recursively) and the JSON type of each leaf."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value[:1]]
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, str):
        return "string"
    return "null" if value is None else type(value).__name__


def assert_dialect_error(response: Any, status: int, code: str, message: str | None = None) -> None:
    """The dialect's envelope exactly: {"success": false, "error": {"code", "message"}}."""
    assert response.status_code == status, (response.status_code, response.content[:400])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"success", "error"} and body["success"] is False
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code, body
    if message is not None:
        assert body["error"]["message"] == message, body
