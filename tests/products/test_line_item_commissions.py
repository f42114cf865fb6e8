"""Line items: each line's commission follows its product's rule, rounded half to even per
line; the conversion's commission is their sum."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Merchant, Partner
from conversions.models import Commission, Conversion
from partners.models import Program
from products.models import LineItem, Product
from products.rules import Line, lines_commission
from tests.conftest import assert_error
from tests.conversions.conftest import body, post
from tests.conversions.factories import ClickFactory, ProgramFactory
from tests.products.conftest import make_product

pytestmark = pytest.mark.django_db


def line(product: str, quantity: int, amount_cents: int) -> dict[str, Any]:
    return {"product_id": product, "quantity": quantity, "amount_cents": amount_cents}


def test_each_line_is_priced_by_its_products_rule_and_rounded_half_even_on_its_own(
    sk_live: Any, click: Any, products: dict[str, Product]
) -> None:
    # Program: 10%. plain 10% of 1005 = 100.5 -> 100 (even); promo25 25% of 1002 = 250.5
    # -> 250 (even); licence 3 x 250 = 750; giftcard excluded = 0. Rounding the sum
    # instead (10% of 1005 + 25% of 1002 = 351.0) would give 1101, not 1100.
    response = post(
        sk_live,
        body(
            click_id=str(click.pk),
            amount_cents=6007,
            line_items=[
                line("plain", 1, 1005),
                line("promo25", 2, 1002),
                line("licence", 3, 3000),
                line("giftcard", 1, 1000),
            ],
        ),
    )

    assert response.status_code == 201, response.content
    assert response.json()["commission"]["amount_cents"] == 1100
    assert response.json()["commission"]["rate_bps"] is None
    conversion = Conversion.objects.get(pk=response.json()["id"])
    assert conversion.commission.amount_cents == 1100
    rows = list(
        LineItem.objects.filter(conversion=conversion)
        .order_by("position")
        .values_list(
            "product__code", "quantity", "amount_cents", "rule", "rate_bps", "commission_cents"
        )
    )
    assert rows == [
        ("plain", 1, 1005, "program", 1000, 100),
        ("promo25", 2, 1002, "cps", 2500, 250),
        ("licence", 3, 3000, "cpa", None, 750),
        ("giftcard", 1, 1000, "excluded", None, 0),
    ]


def test_half_even_per_line_rounds_an_odd_half_up(
    sk_live: Any, click: Any, products: dict[str, Product]
) -> None:
    # 10% of 1015 = 101.5 -> 102 (even), 10% of 1025 = 102.5 -> 102 (even): 204.
    response = post(
        sk_live,
        body(
            click_id=str(click.pk),
            amount_cents=2040,
            line_items=[line("plain", 1, 1015), line("plain", 1, 1025)],
        ),
    )

    assert response.json()["commission"]["amount_cents"] == 204


def test_only_excluded_products_earn_a_zero_commission(
    sk_live: Any, click: Any, products: dict[str, Product]
) -> None:
    response = post(
        sk_live,
        body(click_id=str(click.pk), amount_cents=5000, line_items=[line("giftcard", 5, 5000)]),
    )

    assert response.status_code == 201
    assert response.json()["commission"]["amount_cents"] == 0


def test_a_cpa_program_pays_its_amount_once_per_conversion_and_products_on_top(
    sk_live: Any, merchant: Merchant, partner: Partner, products: dict[str, Product]
) -> None:
    program = ProgramFactory(
        merchant=merchant, commission_type="cpa", cpa_amount_cents=3000, percent_bps=None
    )
    click = ClickFactory(program=program, partner=partner)

    response = post(
        sk_live,
        body(
            click_id=str(click.pk),
            amount_cents=9000,
            customer_id="c1",
            line_items=[
                line("plain", 1, 2000),
                line("plain", 2, 4000),
                line("licence", 2, 2000),
                line("promo25", 1, 1000),
            ],
        ),
    )

    # 3000 once (not per plain line) + 2 x 250 + 25% of 1000.
    assert response.json()["commission"]["amount_cents"] == 3000 + 500 + 250
    assert list(
        LineItem.objects.order_by("position").values_list("commission_cents", flat=True)
    ) == [3000, 0, 500, 250]


def test_without_amount_cents_the_sale_is_the_sum_of_its_lines(
    sk_live: Any, click: Any, products: dict[str, Product]
) -> None:
    response = post(
        sk_live,
        body(
            click_id=str(click.pk),
            drop=("amount_cents",),
            line_items=[line("plain", 1, 1000), line("promo25", 1, 2000)],
        ),
    )

    assert response.status_code == 201
    assert response.json()["amount_cents"] == 3000
    assert response.json()["commission"]["amount_cents"] == 100 + 500


def test_lines_may_name_a_product_by_its_id(
    sk_live: Any, click: Any, products: dict[str, Product]
) -> None:
    response = post(
        sk_live,
        body(
            click_id=str(click.pk),
            amount_cents=1000,
            line_items=[line(str(products["cps"].pk), 1, 1000)],
        ),
    )

    assert response.json()["commission"]["amount_cents"] == 250


def test_an_unknown_product_is_refused_and_nothing_is_recorded(
    sk_live: Any, click: Any, products: dict[str, Product], other_merchant: Merchant
) -> None:
    make_product(other_merchant, code="theirs")
    make_product(click.merchant, mode="test", code="sandboxed")

    response = post(
        sk_live,
        body(
            click_id=str(click.pk),
            line_items=[line("plain", 1, 100), line("theirs", 1, 100), line("sandboxed", 1, 1)],
        ),
    )

    data = assert_error(response, 400, "VALIDATION_ERROR")
    assert data["details"] == [
        {"field": "line_items.1.product_id", "message": "No product 'theirs' in live mode"},
        {"field": "line_items.2.product_id", "message": "No product 'sandboxed' in live mode"},
    ]
    assert not Conversion.objects.exists()
    assert not LineItem.objects.exists()


def test_a_null_line_is_refused_not_a_server_error(
    sk_live: Any, click: Any, products: dict[str, Product]
) -> None:
    response = post(
        sk_live, body(click_id=str(click.pk), line_items=[None, line("plain", 1, 100), None])
    )

    data = assert_error(response, 400, "VALIDATION_ERROR")
    assert data["details"] == [
        {"field": "line_items[0]", "message": "This field may not be null."},
        {"field": "line_items[2]", "message": "This field may not be null."},
    ]
    assert not Conversion.objects.exists()


def test_lines_adding_up_to_more_than_the_amount_are_refused(
    sk_live: Any, click: Any, products: dict[str, Product]
) -> None:
    response = post(
        sk_live,
        body(click_id=str(click.pk), amount_cents=999, line_items=[line("plain", 1, 1000)]),
    )

    data = assert_error(response, 400, "VALIDATION_ERROR")
    assert data["details"] == [
        {
            "field": "line_items",
            "message": "The line items add up to 1000, more than amount_cents (999)",
        }
    ]
    assert not Conversion.objects.exists()


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"product_id": "plain", "quantity": 0, "amount_cents": 1}, "line_items.0.quantity"),
        ({"product_id": "plain", "quantity": 1, "amount_cents": 1.5}, "line_items.0.amount_cents"),
        ({"product_id": "plain", "quantity": 1, "amount_cents": -1}, "line_items.0.amount_cents"),
        ({"product_id": "plain", "quantity": 1}, "line_items.0.amount_cents"),
        ({"product_id": "plain", "quantity": 1, "amount_cents": 1, "x": 1}, "line_items.0.x"),
    ],
)
def test_malformed_lines_are_refused_field_by_field(
    sk_live: Any, click: Any, products: dict[str, Product], item: dict[str, Any], field: str
) -> None:
    response = post(sk_live, body(click_id=str(click.pk), line_items=[item]))

    data = assert_error(response, 400, "VALIDATION_ERROR")
    assert [d["field"] for d in data["details"]] == [field]


def test_a_sale_in_another_currency_converts_each_line_before_pricing_it(
    sk_live: Any, click: Any, program: Program, products: dict[str, Product]
) -> None:
    # The snapshot's rates: the stored conversion says which rate was applied.
    response = post(
        sk_live,
        body(
            click_id=str(click.pk),
            currency="USD",
            amount_cents=2000,
            line_items=[line("plain", 1, 1000), line("licence", 1, 1000)],
        ),
    )

    assert response.status_code == 201, response.content
    conversion = Conversion.objects.get(pk=response.json()["id"])
    from decimal import Decimal

    from fx.rates import convert_minor

    rate = Decimal(conversion.fx_rate)
    first = convert_minor(1000, source="USD", target="EUR", rate=rate)
    # licence's 2.50 is in EUR, the program's currency: no conversion.
    assert Commission.objects.get().amount_cents == round(first * 1000 / 10000) + 250


def test_lines_commission_is_a_pure_function_of_the_base_terms() -> None:
    lines = [Line("program", 1, 1005), Line("cpa", 2, 0, cpa_amount_cents=100)]

    def total(kind: str, cpa: int, bps: int | None) -> int:
        return lines_commission(
            lines, kind=kind, cpa_amount_cents=cpa, percent_bps=bps
        ).commission_cents

    assert total("cps", 0, 1000) == 100 + 200
    # 20% of 1005 = 201.0.
    assert total("revshare", 0, 2000) == 201 + 200
    assert total("cpa", 700, None) == 700 + 200


def test_at_most_a_hundred_lines_are_taken(
    sk_live: Any, click: Any, products: dict[str, Product]
) -> None:
    response = post(sk_live, body(click_id=str(click.pk), line_items=[line("plain", 1, 1)] * 101))

    data = assert_error(response, 400, "VALIDATION_ERROR")
    assert [d["field"] for d in data["details"]] == ["line_items"]
    assert not Conversion.objects.exists()
