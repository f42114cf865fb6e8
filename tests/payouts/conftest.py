"""Payout tests: partners with payout accounts and tax details, programs and sales to pay."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from partners.models import Program
from selgeo.celery import app as celery_app
from tests.conftest import api_client, jwt_for
from tests.factories import PartnerFactory
from tests.partners.factories import ProgramFactory
from tests.payouts.money import sepa_account

IBAN = "DE89370400440532013000"
W8BEN_FIELDS = {
    "citizenship_country": "DE",
    "permanent_address": "Hauptstraße 1",
    "permanent_city": "10115 Berlin",
    "permanent_country": "DE",
    "date_of_birth": "1990-04-01",
}


def raw_rows(table: str, partner: Partner) -> list[dict[str, Any]]:
    """Every column of the partner's rows as PostgreSQL or SQLite stores them."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {table} WHERE partner_id = %s",  # noqa: S608 (the test's names)
            [partner.pk.hex if connection.vendor == "sqlite" else partner.pk],
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def raw_text(table: str, partner: Partner) -> str:
    return " ".join(str(value) for row in raw_rows(table, partner) for value in row.values())


def w8ben(**overrides: Any) -> dict[str, Any]:
    body = {
        "legal_name": "Jane Doe",
        "country": "DE",
        "entity_type": "individual",
        "tax_id": "DE136695976",
        "form": "w8ben",
        "form_fields": dict(W8BEN_FIELDS),
        "signature": "jane doe",
    }
    body.update(overrides)
    return body


@pytest.fixture
def other_partner(db: None) -> Partner:
    return PartnerFactory()


@pytest.fixture
def other_partner_client(other_partner: Partner) -> APIClient:
    assert other_partner.user is not None
    return api_client(jwt_for(other_partner.user))


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
