"""GET /compat/selly/products, /products/<id>, /orders, /orders/<id>: the reference's
shapes, auth headers, pages and errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from accounts.models import Merchant, User
from fx.models import ExchangeRateSet
from products.models import Product
from tests.compat.selly.conftest import post_webhook, selly_client
from tests.compat.selly.reference import AUTH_FAILED, ORDER, PRODUCTS
from tests.conftest import Keys
from tests.conversions.conftest import body, post
from tests.conversions.factories import ClickFactory
from tests.products.conftest import make_product

pytestmark = pytest.mark.django_db


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def reference_products(merchant: Merchant, mode: str = "live") -> list[Product]:
    """The reference's two products, stored with their own dates."""
    made = []
    for shape in PRODUCTS:
        product = make_product(
            merchant,
            mode,
            code=shape["id"],
            title=shape["title"],
            description=shape["description"],
            price_cents=399,
            currency="USD",
            product_type=2,
            stock=0,
            custom=shape["custom"],
        )
        Product.objects.filter(pk=product.pk).update(
            created_at=_moment(shape["created_at"]), updated_at=_moment(shape["updated_at"])
        )
        made.append(product)
    return made


def test_the_products_list_is_the_references_example_field_by_field(
    alice_live: Client, merchant: Merchant
) -> None:
    reference_products(merchant)

    response = alice_live.get("/compat/selly/products")

    assert response.status_code == 200
    assert response["X-Total-Pages"] == "1"
    data = response.json()
    assert len(data) == len(PRODUCTS)
    for got, expected in zip(data, PRODUCTS, strict=True):
        assert list(got) == list(expected)
        for name, value in expected.items():
            assert got[name] == value, name
            assert type(got[name]) is type(value), name


def test_a_product_is_the_references_example_field_by_field(
    alice_live: Client, merchant: Merchant
) -> None:
    reference_products(merchant)

    response = alice_live.get("/compat/selly/products/7b84a62b")

    assert response.status_code == 200
    assert response.json() == PRODUCTS[0]


def test_only_product_type_2_counts_stock_the_others_say_infinity(
    alice_live: Client, merchant: Merchant
) -> None:
    for product_type in (0, 1, 3):
        make_product(merchant, code=f"t{product_type}", product_type=product_type)
    make_product(merchant, code="t2", product_type=2, stock=7)

    data = alice_live.get("/compat/selly/products").json()

    assert {p["id"]: p["stock"] for p in data} == {"t0": "∞", "t1": "∞", "t3": "∞", "t2": 7}
    assert "∞" in alice_live.get("/compat/selly/products").content.decode()


def test_amounts_follow_their_currencys_decimals(alice_live: Client, merchant: Merchant) -> None:
    make_product(merchant, code="yen", price_cents=500, currency="JPY")
    make_product(merchant, code="dinar", price_cents=1500, currency="BHD")

    prices = {p["id"]: p["price"] for p in alice_live.get("/compat/selly/products").json()}

    assert prices == {"yen": "500", "dinar": "1.500"}


def test_products_come_twenty_a_page_with_the_total_in_x_total_pages(
    alice_live: Client, merchant: Merchant
) -> None:
    for n in range(21):
        make_product(merchant, code=f"p{n:02d}")

    first = alice_live.get("/compat/selly/products")
    second = alice_live.get("/compat/selly/products", {"page": 2})
    beyond = alice_live.get("/compat/selly/products", {"page": 3})

    assert (len(first.json()), first["X-Total-Pages"]) == (20, "2")
    assert (len(second.json()), second["X-Total-Pages"]) == (1, "2")
    assert {p["id"] for p in first.json()} | {p["id"] for p in second.json()} == {
        f"p{n:02d}" for n in range(21)
    }
    assert beyond.json() == []


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "99999999"])
def test_a_page_that_is_no_page_number_is_422_in_the_references_envelope(
    alice_live: Client, page: str
) -> None:
    response = alice_live.get("/compat/selly/products", {"page": page})

    assert response.status_code == 422
    assert response.json() == {"status": False, "error": ["page must be a whole number from 1"]}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_X_AUTH_EMAIL": "youremail@email.com", "HTTP_X_AUTH_KEY": "YourKeyHere"},
        {"HTTP_X_AUTH_EMAIL": "", "HTTP_X_AUTH_KEY": "sk_live_x"},
    ],
)
def test_missing_or_wrong_credentials_get_the_references_403(
    headers: dict[str, str], merchant: Merchant
) -> None:
    response = Client(**headers).get("/compat/selly/products")

    assert response.status_code == 403
    assert response.json() == AUTH_FAILED


def test_the_key_must_be_a_secret_key_of_a_merchant_the_email_belongs_to(
    alice: User, charlie: User, keys: Keys, other_keys: Keys, merchant: Merchant
) -> None:
    refused = [
        selly_client(charlie.email, keys.sk_live),  # a stranger's email with Acme's key
        selly_client(alice.email, other_keys.sk_live),  # Acme's owner with another's key
        selly_client(alice.email, keys.pk_live),  # a public key
    ]
    for client in refused:
        response = client.get("/compat/selly/orders")
        assert (response.status_code, response.json()) == (403, AUTH_FAILED)
    accepted = selly_client(alice.email.upper(), keys.sk_live).get("/compat/selly/orders")
    assert accepted.status_code == 200


def test_another_merchants_or_modes_products_and_orders_are_404(
    alice_live: Client,
    alice_test: Client,
    charlie_live: Client,
    merchant: Merchant,
    click: Any,
    sk_live: Any,
) -> None:
    make_product(merchant, code="mine")
    assert (
        post(sk_live, body(click_id=str(click.pk), external_transaction_id="o-1")).status_code
        == 201
    )
    assert alice_live.get("/compat/selly/products/mine").status_code == 200
    assert alice_live.get("/compat/selly/orders/o-1").status_code == 200

    for client in (alice_test, charlie_live):
        product = client.get("/compat/selly/products/mine")
        order = client.get("/compat/selly/orders/o-1")
        assert (product.status_code, product.json()) == (
            404,
            {"status": False, "error": ["Product not found"]},
        )
        assert (order.status_code, order.json()) == (
            404,
            {"status": False, "error": ["Order not found"]},
        )
        assert client.get("/compat/selly/products").json() == []
        assert client.get("/compat/selly/orders").json() == []


def test_an_order_reported_by_the_shops_webhook_is_the_references_example(
    alice_live: Client, anna_code: Any, inbound_url: str
) -> None:
    sent = {**ORDER, "referral": "anna", "webhook_type": 1}
    assert post_webhook(inbound_url, sent).status_code == 200

    got = alice_live.get(f"/compat/selly/orders/{ORDER['id']}").json()
    listed = alice_live.get("/compat/selly/orders").json()

    assert listed == [got]
    assert list(got) == list(ORDER)
    # Every field as the shop sent it; the referral is the partner's code.
    assert got == {**ORDER, "referral": "anna"}


def test_an_order_of_the_conversion_api_shows_its_referral_and_usd_value(
    alice_live: Client, merchant: Merchant, anna_code: Any, sk_live: Any
) -> None:
    moment = datetime(2026, 3, 14, 15, 1, tzinfo=UTC)
    ExchangeRateSet.objects.create(
        fetched_at=moment,
        effective_at=moment,
        confirmed_at=moment,
        source="json",
        base="USD",
        rates={"EUR": "0.8", "JPY": "150"},
    )
    click = ClickFactory(
        program=anna_code.program,
        partner=anna_code.partner,
        referral_code=anna_code,
        created_at=moment,
        expires_at=moment + timedelta(days=30),
    )
    make_product(merchant, code="upgrade")
    sent = body(
        click_id=str(click.pk),
        external_transaction_id="o-9",
        amount_cents=1000,
        currency="EUR",
        occurred_at="2026-03-15T10:00:00Z",
        line_items=[{"product_id": "upgrade", "quantity": 1, "amount_cents": 1000}],
    )
    assert post(sk_live, sent).status_code == 201
    unattributed = body(
        promo_code="NOSUCH",
        external_transaction_id="o-10",
        amount_cents=500,
        currency="JPY",
        occurred_at="2026-03-15T10:00:00Z",
    )
    assert post(sk_live, unattributed).status_code == 201

    orders = {o["id"]: o for o in alice_live.get("/compat/selly/orders").json()}

    order = orders["o-9"]
    assert (order["referral"], order["product_id"]) == ("anna", "upgrade")
    assert (order["value"], order["currency"], order["status"]) == ("10.00", "EUR", 100)
    # 10.00 EUR at 0.8 EUR per dollar.
    assert (order["usd_value"], order["exchange_rate"]) == ("12.50", "0.8")
    assert order["created_at"] == "2026-03-15T10:00:00.000Z"
    other = orders["o-10"]
    assert (other["referral"], other["value"], other["usd_value"], other["exchange_rate"]) == (
        "Direct",
        "500",
        "3.33",
        "150.0",
    )
    assert (other["email"], other["custom"], other["delivered"]) == (None, {}, "")


def test_an_unknown_compat_route_is_404_in_the_references_envelope(alice_live: Client) -> None:
    response = alice_live.get("/compat/selly/exchange/nothing")

    assert (response.status_code, response.json()) == (
        404,
        {"status": False, "error": ["Record/page could not be found"]},
    )


def test_the_api_only_reads(alice_live: Client) -> None:
    response = alice_live.post("/compat/selly/products", {})

    assert response.status_code == 405
    assert response["Allow"] == "GET"


def test_plain_http_is_refused_where_https_is_required(
    alice_live: Client, inbound_url: str, settings: Any
) -> None:
    settings.SELGEO_REQUIRE_HTTPS = True

    api = alice_live.get("/compat/selly/products")
    webhook = alice_live.post(inbound_url, "{}", content_type="application/json")
    secure = alice_live.get("/compat/selly/products", secure=True)

    for response in (api, webhook):
        assert (response.status_code, response.json()) == (
            403,
            {"status": False, "error": ["HTTPS is required; plain-HTTP requests are rejected"]},
        )
    assert secure.status_code == 200
