"""Shared fixtures: alice owns Acme, bob is her teammate, charlie owns another merchant.

Each has dashboard clients (JWT) and Acme has its four keys, so every endpoint can be
tested for its owner, a teammate and an outsider.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Membership, Merchant, Partner, Role, User
from accounts.tokens import issue_tokens
from tests.factories import MembershipFactory, PartnerFactory

# Acme's programs and an approved partner, for the folders that use them.
pytest_plugins = ["tests.partners.programs", "tests.selgeo.listening", "tests.bitcoin_node"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgresql` need PostgreSQL's own behaviour (LISTEN/NOTIFY, SKIP
    LOCKED, prepared statements, buffered clicks, a server that can go away). The
    embedded mode skips them; a run that must be on PostgreSQL (CI's, with
    SELGEO_TEST_DATABASE=postgresql) refuses to start anywhere else, so they never
    go missing quietly."""
    from django.db import connection

    on_postgresql = connection.vendor == "postgresql"
    if os.environ.get("SELGEO_TEST_DATABASE") == "postgresql" and not on_postgresql:
        raise pytest.UsageError(
            "SELGEO_TEST_DATABASE=postgresql, but DATABASE_URL "
            f"({os.environ.get('DATABASE_URL', 'unset')!r}) is not a postgresql database"
        )
    if on_postgresql:
        return
    needs = pytest.mark.skip(reason="needs postgresql: run with DATABASE_URL=postgres://…")
    for item in items:
        if item.get_closest_marker("postgresql"):
            item.add_marker(needs)


@pytest.fixture(autouse=True)
def _fresh_exchange_rate_caches() -> Iterator[None]:
    # Each process keeps the rate sets it read and which one is in effect; the database
    # under them is emptied between tests.
    from fx.selectors import caches_clear

    caches_clear()
    yield
    caches_clear()


@pytest.fixture(autouse=True)
def _isolated_rate_limits(settings: Any) -> None:
    # Each test counts in its own namespace so that limits never leak between tests,
    # without flushing a Redis database that other processes may share.
    settings.SELGEO_RATELIMIT_NAMESPACE = f"t{uuid.uuid4().hex}"


@dataclass
class Keys:
    pk_test: str
    sk_test: str
    pk_live: str
    sk_live: str


def api_client(token: str | None = None, **headers: str) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", **headers)
    return client


def jwt_for(user: User, merchant: Merchant | None = None) -> str:
    return str(
        issue_tokens(user=user, merchant_id=str(merchant.pk) if merchant else None)["access"]
    )


@pytest.fixture
def alice_membership(db: None) -> Membership:
    return MembershipFactory(role=Role.OWNER, merchant__name="Acme", merchant__slug="acme")


@pytest.fixture
def alice(alice_membership: Membership) -> User:
    return alice_membership.user


@pytest.fixture
def merchant(alice_membership: Membership) -> Merchant:
    return alice_membership.merchant


@pytest.fixture
def bob(merchant: Merchant) -> User:
    return MembershipFactory(merchant=merchant, role=Role.MEMBER).user


@pytest.fixture
def charlie_membership(db: None) -> Membership:
    return MembershipFactory(role=Role.OWNER, merchant__name="Other", merchant__slug="other")


@pytest.fixture
def charlie(charlie_membership: Membership) -> User:
    return charlie_membership.user


@pytest.fixture
def other_merchant(charlie_membership: Membership) -> Merchant:
    return charlie_membership.merchant


@pytest.fixture
def keys(merchant: Merchant) -> Keys:
    return Keys(
        **{
            f"{'pk' if kind == 'public' else 'sk'}_{mode}": services.api_key_create(
                merchant=merchant, kind=kind, mode=mode
            ).raw
            for mode in ("test", "live")
            for kind in ("public", "secret")
        }
    )


@pytest.fixture
def other_keys(other_merchant: Merchant) -> Keys:
    return Keys(
        **{
            f"{'pk' if kind == 'public' else 'sk'}_{mode}": services.api_key_create(
                merchant=other_merchant, kind=kind, mode=mode
            ).raw
            for mode in ("test", "live")
            for kind in ("public", "secret")
        }
    )


@pytest.fixture
def alice_client(alice: User, merchant: Merchant) -> APIClient:
    return api_client(jwt_for(alice, merchant))


@pytest.fixture
def bob_client(bob: User, merchant: Merchant) -> APIClient:
    return api_client(jwt_for(bob, merchant))


@pytest.fixture
def charlie_client(charlie: User, other_merchant: Merchant) -> APIClient:
    return api_client(jwt_for(charlie, other_merchant))


@pytest.fixture
def partner(db: None) -> Partner:
    return PartnerFactory()


@pytest.fixture
def partner_client(partner: Partner) -> APIClient:
    assert partner.user is not None
    return api_client(jwt_for(partner.user))


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture
def mailoutbox_clear(mailoutbox: list[Any]) -> Iterator[list[Any]]:
    mailoutbox.clear()
    yield mailoutbox


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The reference envelope, exactly: statusCode, message, error, code (+ details on 400)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["statusCode"] == status
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["error"], str) and body["error"]
    expected = {"statusCode", "message", "error", "code"} | (
        {"details"} if status == 400 else set()
    )
    assert set(body) - {"details"} == expected - {"details"}
    if status == 400:
        assert isinstance(body["details"], list)
    return body
