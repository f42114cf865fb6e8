"""Products pages: list and add in the current mode, edit the commission rule, 404 for
anyone else's product."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Merchant, Partner
from products.models import Product
from tests.conftest import Keys, api_client
from tests.conversions.factories import ClickFactory, ProgramFactory
from tests.dashboard.conftest import flashed, page, switch_mode
from tests.products.conftest import make_product

pytestmark = pytest.mark.django_db

LIST = "/dashboard/products/"
FORM = {
    "code": "licence",
    "title": "Licence key",
    "description": "",
    "price": "49.99",
    "currency": "EUR",
    "product_type": "0",
    "stock": "",
    "minimum_quantity": "1",
    "maximum_quantity": "",
    "seller_note": "",
    "custom": '{"0": {"type": "2", "name": "Username", "required": true}}',
    "commission_rule": "cps",
    "commission_percent": "12.5",
    "commission_cpa_amount": "",
}


def test_a_product_is_added_in_the_current_mode_with_exact_amounts(
    alice_web: Client, merchant: Merchant
) -> None:
    switch_mode(alice_web, "test")

    response = alice_web.post(LIST, FORM, follow=True)

    assert "Licence key (licence) added." in flashed(response)
    product = Product.objects.get()
    assert (product.mode, product.price_cents, product.commission_percent_bps) == (
        "test",
        4999,
        1250,
    )
    assert product.custom == {"0": {"type": "2", "name": "Username", "required": True}}
    assert "licence" in page(alice_web.get(LIST))


def test_too_many_decimals_and_missing_figures_are_shown_next_to_their_fields(
    alice_web: Client,
) -> None:
    response = alice_web.post(
        LIST, {**FORM, "price": "49.999", "commission_rule": "cpa", "commission_percent": ""}
    )

    text = page(response)
    assert response.status_code == 200
    assert "EUR has 2 decimals" in text
    assert not Product.objects.exists()
    response = alice_web.post(LIST, {**FORM, "commission_rule": "cpa"})
    assert "Required when commission_rule is cpa" in page(response)
    assert not Product.objects.exists()


def test_the_list_shows_this_modes_products_only(alice_web: Client, merchant: Merchant) -> None:
    make_product(merchant, code="live-one", title="Live thing")
    make_product(merchant, "test", code="test-one", title="Test thing")

    text = page(alice_web.get(LIST))

    assert "Live thing" in text and "Test thing" not in text


def test_editing_changes_the_rule(alice_web: Client, merchant: Merchant) -> None:
    product = make_product(merchant, code="licence")

    response = alice_web.post(
        f"{LIST}{product.pk}/",
        {
            **FORM,
            "commission_rule": "cpa",
            "commission_percent": "",
            "commission_cpa_amount": "2.50",
        },
        follow=True,
    )

    assert "Licence key saved." in flashed(response)
    product.refresh_from_db()
    assert (product.commission_rule, product.commission_cpa_amount_cents) == ("cpa", 250)
    assert product.commission_percent_bps is None


def test_another_merchants_or_modes_product_is_404(
    alice_web: Client, charlie_web: Client, merchant: Merchant
) -> None:
    product = make_product(merchant, code="mine")

    assert charlie_web.get(f"{LIST}{product.pk}/").status_code == 404
    assert charlie_web.post(f"{LIST}{product.pk}/", FORM).status_code == 404
    switch_mode(alice_web, "test")
    assert alice_web.get(f"{LIST}{product.pk}/").status_code == 404
    product.refresh_from_db()
    assert product.title == "Product"


def test_a_conversions_page_shows_each_lines_rule_and_commission(
    alice_web: Client, merchant: Merchant, keys: Keys, partner: Partner
) -> None:
    program = ProgramFactory(merchant=merchant, mode="live")
    click = ClickFactory(program=program, partner=partner)
    make_product(merchant, code="licence", title="Licence key", commission_rule="cpa",
                 commission_cpa_amount_cents=250)  # fmt: skip
    sent = {
        "click_id": str(click.pk),
        "external_transaction_id": "o-1",
        "currency": "EUR",
        "line_items": [{"product_id": "licence", "quantity": 2, "amount_cents": 9998}],
    }
    conversion_id = (
        api_client(keys.sk_live).post("/api/v1/conversions", sent, format="json").json()["id"]
    )

    text = page(alice_web.get(f"/dashboard/conversions/{conversion_id}/"))

    assert "Licence key" in text
    assert "Fixed amount per unit sold" in text
    assert "99.98 EUR" in text and "5.00 EUR" in text
