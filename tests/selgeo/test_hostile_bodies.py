"""Every operation that takes a JSON body, sent values no column can hold: never a 500.

For each such operation of the OpenAPI document, each property of its request body is
given, in turn, text with a NUL character, an object keyed and valued with one, a lone
surrogate, an integer beyond 64 bits and a deep nesting; the rest of the body is left
out. The answer may be any 4xx (or a success where the value is harmless), never a
server error. Path ids are real rows where the collection lists one.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from accounts import services
from accounts.models import Merchant, Partner, User
from tests.conftest import jwt_for
from tests.conversions.factories import ClickFactory
from tests.partners.factories import (
    ApplicationFactory,
    ProgramFactory,
    PromoCodeFactory,
    ReferralCodeFactory,
)
from tests.webhooks.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
HOSTILE: dict[str, Any] = {
    "nul-text": json.dumps(NUL),
    "nul-object": json.dumps({NUL: NUL, "k": [NUL]}),
    "nul-list": json.dumps([NUL]),
    "lone-surrogate": '"\\ud800"',
    "huge-integer": str(10**30),
    "deep": "[" * 5000 + "]" * 5000,
}


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if method in {"post", "put", "patch"} and "application/json" in content:
                yield method, path, operation


def _properties(schema: dict[str, Any], body: dict[str, Any]) -> list[str]:
    ref = body["content"]["application/json"]["schema"].get("$ref", "")
    component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    return sorted(component.get("properties", {})) or ["anything"]


@pytest.fixture
def world(alice: User, merchant: Merchant, partner: Partner) -> dict[str, str]:
    """One row of each kind a path can name, and a credential for each security scheme."""
    program = ProgramFactory(merchant=merchant, mode="live")
    ApplicationFactory(program=program, partner=partner, status="pending")
    ProgramFactory(merchant=merchant, mode="live", status="published", is_public=True)
    ReferralCodeFactory(program=program, partner=partner)
    PromoCodeFactory(program=program, partner=partner)
    ClickFactory(program=program, partner=partner)
    WebhookEndpointFactory(merchant=merchant, mode="live")
    assert partner.user is not None
    return {
        "merchant": jwt_for(alice, merchant),
        "partner": jwt_for(partner.user),
        "secretKey": services.api_key_create(merchant=merchant, kind="secret", mode="live").raw,
        "publicKey": services.api_key_create(merchant=merchant, kind="public", mode="live").raw,
    }


def _credential(path: str, operation: dict[str, Any], world: dict[str, str]) -> str | None:
    schemes = {name for option in operation.get("security", []) for name in option}
    if "secretKey" in schemes:
        return world["secretKey"]
    if "publicKey" in schemes:
        return world["publicKey"]
    if "dashboardJWT" in schemes:
        return world["partner"] if path.startswith("/api/v1/partner/") else world["merchant"]
    return None


def _real_path(client: Client, path: str) -> str:
    # /things/{id}/act: the first thing the collection lists, else an id that is none.
    match = re.search(r"\{(\w+)\}", path)
    if match is None:
        return path
    listed = client.get(path[: match.start() - 1])
    results = listed.json().get("data") if listed.status_code == 200 else None
    ident = str(results[0]["id"]) if results else str(uuid.uuid4())
    return path[: match.start()] + ident + path[match.end() :]


def test_no_operation_answers_a_hostile_value_with_a_server_error(
    world: dict[str, str], settings: Any
) -> None:
    settings.SELGEO_RATELIMITS_ENABLED = False
    schema = Client().get("/api/v1/openapi.json").json()
    failures = []
    checked = 0
    for method, path, operation in _operations(schema):
        token = _credential(path, operation, world)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        client = Client(raise_request_exception=False, **headers)
        url = _real_path(client, path)
        for prop in _properties(schema, operation["requestBody"]):
            for name, value in HOSTILE.items():
                raw = "{" + json.dumps(prop) + ": " + value + "}"
                response = getattr(client, method)(url, raw, content_type="application/json")
                checked += 1
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {url} {prop}={name}: {response.status_code}")
    assert checked > 200
    assert failures == []
