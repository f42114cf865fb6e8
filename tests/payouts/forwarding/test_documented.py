"""The payment-forwarding answers and examples fit the OpenAPI document, strictly."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import api_client
from tests.payouts.schema_check import assert_documented, check, response_schema

pytestmark = pytest.mark.django_db
LIST, DETAIL = "/api/v1/payment-forwards", "/api/v1/payment-forwards/{id}"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    body: dict[str, Any] = Client().get("/api/v1/openapi.json").json()
    return body


def test_every_example_fits_its_schema(document):
    for path, method in ((LIST, "post"), (LIST, "get"), (DETAIL, "get")):
        responses = document["paths"][path][method]["responses"]
        for status, response in responses.items():
            examples = response.get("content", {}).get("application/json", {}).get("examples", {})
            for example in examples.values():
                check(
                    document, response_schema(document, path, method, int(status)), example["value"]
                )


def test_answers_fit_the_document(document, node_addresses, keys, settings):
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    client = api_client(keys.sk_test)
    created = client.post(
        LIST,
        {"address": node_addresses.node.customer_address(), "webhook_url": "http://127.0.0.1/h"},
        format="json",
    )
    forward = assert_documented(document, created, LIST, "post")
    assert_documented(document, client.get(LIST), LIST)
    assert_documented(document, client.get(f"{LIST}/{forward['id']}"), DETAIL)
    assert_documented(document, client.get(f"{LIST}/{'0' * 32}"), DETAIL)
    assert_documented(document, client.post(LIST, {"address": 1}, format="json"), LIST, "post")
    settings.SELGEO_BITCOIN_TEST_RPC_URL = ""
    assert_documented(document, client.get(LIST), LIST)
