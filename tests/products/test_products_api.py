"""/api/v1/products: the merchant's products, by dashboard token or secret key."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Merchant
from products.models import Product
from tests.conftest import Keys, api_client, assert_error
from tests.products.conftest import make_product

pytestmark = pytest.mark.django_db

CREATE = {
    "code": "7b84a62b",
    "title": "My awesome product",
    "description": "This is the description",
    "price_cents": 399,
    "currency": "USD",
    "product_type": 2,
    "stock": 0,
    "custom": {"0": {"type": "2", "name": "Username", "required": True}},
    "commission_rule": "cps",
    "commission_percent_bps": 1500,
}


def test_a_secret_key_creates_a_product_in_its_mode(keys: Keys, merchant: Merchant) -> None:
    response = api_client(keys.sk_test).post("/api/v1/products", CREATE, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    product = Product.objects.get()
    assert data["id"] == str(product.pk)
    assert {k: data[k] for k in CREATE} == CREATE
    assert (data["mode"], product.mode, product.merchant_id) == ("test", "test", merchant.pk)
    assert (data["maximum_quantity"], data["minimum_quantity"], data["private"]) == (None, 1, False)


def test_a_dashboard_token_lists_one_mode_newest_first(
    alice_client: APIClient, merchant: Merchant
) -> None:
    make_product(merchant, code="old")
    make_product(merchant, code="new")
    make_product(merchant, "test", code="sandbox")

    live = alice_client.get("/api/v1/products").json()
    test = alice_client.get("/api/v1/products", {"mode": "test"}).json()

    assert [p["code"] for p in live["data"]] == ["new", "old"]
    assert (live["total"], live["page"], live["limit"]) == (2, 1, 20)
    assert [p["code"] for p in test["data"]] == ["sandbox"]


def test_a_code_is_generated_when_none_is_sent(alice_client: APIClient) -> None:
    body = {"title": "Key", "price_cents": 500, "currency": "EUR"}

    data = alice_client.post("/api/v1/products", body, format="json").json()

    assert len(data["code"]) == 8 and int(data["code"], 16) >= 0
    assert (data["commission_rule"], data["product_type"], data["stock"]) == ("program", 0, None)


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (
            {"commission_rule": "cps"},
            [
                {
                    "field": "commission_percent_bps",
                    "message": "Required when commission_rule is cps",
                }
            ],
        ),
        (
            {"commission_rule": "cpa", "commission_percent_bps": 100},
            [
                {
                    "field": "commission_percent_bps",
                    "message": "Only used when commission_rule is cps",
                },
                {
                    "field": "commission_cpa_amount_cents",
                    "message": "Required when commission_rule is cpa",
                },
            ],
        ),
        (
            {"product_type": 0, "stock": 5},
            [
                {
                    "field": "stock",
                    "message": "Only product_type 2 counts stock; "
                    "the others are unlimited (send null)",
                }
            ],
        ),
        (
            {"minimum_quantity": 5, "maximum_quantity": 2},
            [{"field": "maximum_quantity", "message": "Must not be below minimum_quantity"}],
        ),
        ({"code": "no spaces"}, None),
        (
            {"price_cents": 3.99},
            [{"field": "price_cents", "message": "Expected an integer, received number"}],
        ),
        ({"merchant": "x"}, [{"field": "merchant", "message": "Unknown field"}]),
    ],
)
def test_invalid_products_are_refused_with_every_reason(
    alice_client: APIClient, body: dict[str, Any], details: list[dict[str, str]] | None
) -> None:
    sent = {"title": "Key", "price_cents": 500, "currency": "EUR", **body}

    response = alice_client.post("/api/v1/products", sent, format="json")

    data = assert_error(response, 400, "VALIDATION_ERROR")
    if details is not None:
        assert data["details"] == details
    assert not Product.objects.exists()


def test_a_code_is_unique_in_its_mode_only(alice_client: APIClient, merchant: Merchant) -> None:
    make_product(merchant, code="dup")
    body = {"code": "dup", "title": "Key", "price_cents": 500, "currency": "EUR"}

    taken = alice_client.post("/api/v1/products", body, format="json")
    other_mode = alice_client.post("/api/v1/products?mode=test", body, format="json")

    assert assert_error(taken, 400, "VALIDATION_ERROR")["details"] == [
        {"field": "code", "message": "A product with this code already exists in this mode"}
    ]
    assert other_mode.status_code == 201


def test_a_patch_changes_the_rule_and_clears_the_figure_it_no_longer_uses(
    alice_client: APIClient, merchant: Merchant
) -> None:
    product = make_product(merchant, commission_rule="cps", commission_percent_bps=2000)

    response = alice_client.patch(
        f"/api/v1/products/{product.pk}", {"commission_rule": "excluded"}, format="json"
    )

    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.commission_rule, product.commission_percent_bps) == ("excluded", None)
    assert response.json()["commission_percent_bps"] is None


def test_another_merchants_or_modes_product_is_404_on_every_route(
    alice_client: APIClient,
    charlie_client: APIClient,
    keys: Keys,
    other_keys: Keys,
    merchant: Merchant,
) -> None:
    product = make_product(merchant, code="mine")
    strangers = [
        charlie_client,
        api_client(other_keys.sk_live),
        api_client(keys.sk_test),  # Acme's own key, of the other mode
    ]
    for client in strangers:
        read = client.get(f"/api/v1/products/{product.pk}")
        patch = client.patch(f"/api/v1/products/{product.pk}", {"title": "Mine now"}, format="json")
        assert_error(read, 404, "NOT_FOUND")
        assert_error(patch, 404, "NOT_FOUND")
        assert client.get("/api/v1/products").json()["data"] == []
    assert_error(alice_client.get(f"/api/v1/products/{product.pk}?mode=test"), 404, "NOT_FOUND")
    product.refresh_from_db()
    assert product.title == "Product"


def test_without_credentials_the_products_api_is_401(anon_client: APIClient) -> None:
    assert_error(anon_client.get("/api/v1/products"), 401, "INVALID_API_KEY")


def test_the_openapi_document_describes_the_products_operations(alice_client: APIClient) -> None:
    document = alice_client.get("/api/v1/openapi.json").json()

    for path, method in [
        ("/api/v1/products", "get"),
        ("/api/v1/products", "post"),
        ("/api/v1/products/{id}", "get"),
        ("/api/v1/products/{id}", "patch"),
    ]:
        operation = document["paths"][path][method]
        assert operation["summary"] and operation["description"], (path, method)
        assert operation["tags"] == ["products"]
        statuses = operation["responses"]
        assert any(
            "examples" in content
            for status in statuses.values()
            for content in status.get("content", {}).values()
        ), (path, method)
    line_items = document["components"]["schemas"]["ConversionInRequest"]["properties"][
        "line_items"
    ]
    assert "half to even" in line_items["description"]
