"""Fixtures for the page tests: logged-in browsers (Django test clients) and Acme's data.

`alice_web` is Acme's owner, `bob_web` a plain member, `charlie_web` the owner of another
merchant, `partner_web` a partner; each looks at live data unless a test switches mode.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import Merchant, Partner, User
from dashboard.access import SESSION_MERCHANT, SESSION_MODE
from partners.models import Application, Program
from tests.conftest import Keys
from tests.dashboard.sales import Sales, record_sales


def browser(
    user: User | None = None, merchant: Merchant | None = None, mode: str = "live"
) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    session = client.session
    if merchant is not None:
        session[SESSION_MERCHANT] = str(merchant.pk)
    session[SESSION_MODE] = mode
    session.save()
    return client


def switch_mode(client: Client, mode: str) -> None:
    session = client.session
    session[SESSION_MODE] = mode
    session.save()


def page(response: Any) -> str:
    return response.content.decode()


def flashed(response: Any) -> list[str]:
    """The messages a redirected-to page would show (follow=True responses)."""
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def alice_web(alice: User, merchant: Merchant) -> Client:
    return browser(alice, merchant)


@pytest.fixture
def bob_web(bob: User, merchant: Merchant) -> Client:
    return browser(bob, merchant)


@pytest.fixture
def charlie_web(charlie: User, other_merchant: Merchant) -> Client:
    return browser(charlie, other_merchant)


@pytest.fixture
def partner_web(partner: Partner) -> Client:
    assert partner.user is not None
    return browser(partner.user)


@pytest.fixture
def other_partner_web(other_partner: Partner) -> Client:
    assert other_partner.user is not None
    return browser(other_partner.user)


@pytest.fixture
def sales(
    time_machine: Any,
    keys: Keys,
    other_keys: Keys,
    merchant: Merchant,
    approved: Application,
    program: Program,
    test_program: Program,
    other_program: Program,
    partner: Partner,
    other_partner: Partner,
) -> Sales:
    """A month of Acme's live sales (see `tests.dashboard.sales`), looked at on May 31 2026."""
    return record_sales(
        time_machine,
        keys=keys,
        other_keys=other_keys,
        merchant=merchant,
        program=program,
        test_program=test_program,
        other_program=other_program,
        partner=partner,
        other_partner=other_partner,
    )
