"""Fixtures for the products tests: Acme's products with each commission rule."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Merchant
from products.models import Product
from products.services import product_create
from tests.conversions.conftest import (  # noqa: F401  (fixtures shared with these tests)
    click,
    other_sk_live,
    program,
    sk_live,
    sk_test,
    test_click,
    test_program,
)


def make_product(merchant: Merchant, mode: str = "live", **values: Any) -> Product:
    base = {"title": "Product", "price_cents": 1000, "currency": "EUR"}
    return product_create(merchant=merchant, mode=mode, values={**base, **values})


@pytest.fixture
def products(merchant: Merchant) -> dict[str, Product]:
    """One product per rule: its program's terms, 25%, 2.50 EUR per unit, excluded."""
    return {
        "program": make_product(merchant, code="plain"),
        "cps": make_product(
            merchant, code="promo25", commission_rule="cps", commission_percent_bps=2500
        ),
        "cpa": make_product(
            merchant, code="licence", commission_rule="cpa", commission_cpa_amount_cents=250
        ),
        "excluded": make_product(merchant, code="giftcard", commission_rule="excluded"),
    }
