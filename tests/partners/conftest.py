"""Fixtures for the partners tests: Acme's programs in both modes and an approved partner."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Partner
from tests.conftest import api_client, jwt_for
from webhooks.models import Event


@pytest.fixture
def other_partner_client(other_partner: Partner) -> APIClient:
    assert other_partner.user is not None
    return api_client(jwt_for(other_partner.user))


def events(type: str) -> list[dict[str, Any]]:
    return [e.payload for e in Event.objects.filter(type=type).order_by("created_at")]
