"""The product form: amounts typed in currency units, percentages in percent, both exact.

A price of `3.99` is 399 cents of USD; `12.5` % is 1250 basis points. The form refuses
more decimals than the currency (or the basis point) has rather than rounding them.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms

from fx.currencies import exponent
from products.models import CommissionRule, Product, ProductType
from selgeo.currencies import CURRENCIES


def minor_units(value: Decimal, currency: str) -> int | None:
    digits = exponent(currency)
    if digits is None:
        return None
    scaled = value.scaleb(digits)
    return int(scaled) if scaled == scaled.to_integral_value() else None


def units(amount_minor: int | None, currency: str) -> Decimal | None:
    if amount_minor is None:
        return None
    return Decimal(amount_minor).scaleb(-(exponent(currency) or 0))


class ProductForm(forms.Form):
    code = forms.CharField(
        max_length=64,
        required=False,
        help_text="Your shop's own product id; line items and the commerce API use it. "
        "Generated when left empty.",
    )
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    price = forms.DecimalField(min_value=0, max_digits=18, help_text="In the currency's units")
    currency = forms.ChoiceField(choices=[(c, c) for c in sorted(CURRENCIES)], initial="EUR")
    product_type = forms.TypedChoiceField(
        choices=ProductType.choices, coerce=int, initial=ProductType.FILE
    )
    stock = forms.IntegerField(
        min_value=0, required=False, help_text="Only for services (type 2); the others are ∞"
    )
    minimum_quantity = forms.IntegerField(min_value=1, initial=1)
    maximum_quantity = forms.IntegerField(min_value=1, required=False)
    private = forms.BooleanField(required=False)
    unlisted = forms.BooleanField(required=False)
    seller_note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    custom = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text='Buyer fields as JSON, e.g. {"0": {"type": "2", "name": "Username", '
        '"required": true}}',
    )
    commission_rule = forms.ChoiceField(choices=CommissionRule.choices)
    commission_percent = forms.DecimalField(
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
        label="Commission (%)",
        help_text="For the rule “own percentage”",
    )
    commission_cpa_amount = forms.DecimalField(
        min_value=0,
        max_digits=18,
        required=False,
        label="Commission per unit",
        help_text="For the rule “fixed amount per unit”, in the product's currency",
    )

    @classmethod
    def initial_of(cls, product: Product) -> dict[str, Any]:
        bps = product.commission_percent_bps
        return {
            "code": product.code,
            "title": product.title,
            "description": product.description,
            "price": units(product.price_cents, product.currency),
            "currency": product.currency,
            "product_type": product.product_type,
            "stock": product.stock,
            "minimum_quantity": product.minimum_quantity,
            "maximum_quantity": product.maximum_quantity,
            "private": product.private,
            "unlisted": product.unlisted,
            "seller_note": product.seller_note,
            "custom": json.dumps(product.custom) if product.custom else "",
            "commission_rule": product.commission_rule,
            "commission_percent": None if bps is None else Decimal(bps) / 100,
            "commission_cpa_amount": units(product.commission_cpa_amount_cents, product.currency),
        }

    def values(self) -> dict[str, Any] | None:
        """The service's values, or None after adding the form's own errors."""
        data = self.cleaned_data
        currency = data["currency"]
        price = minor_units(data["price"], currency)
        if price is None:
            self.add_error("price", f"{currency} has {exponent(currency)} decimals")
        custom: Any = {}
        if data["custom"].strip():
            try:
                custom = json.loads(data["custom"])
            except ValueError:
                self.add_error("custom", "Not valid JSON")
        rule = data["commission_rule"]
        percent = data["commission_percent"] if rule == CommissionRule.CPS else None
        amount = data["commission_cpa_amount"] if rule == CommissionRule.CPA else None
        cpa_cents = None if amount is None else minor_units(amount, currency)
        if amount is not None and cpa_cents is None:
            self.add_error("commission_cpa_amount", f"{currency} has {exponent(currency)} decimals")
        if self.errors:
            return None
        counted = data["product_type"] == ProductType.SERVICE
        return {
            "code": data["code"].strip(),
            "title": data["title"],
            "description": data["description"],
            "price_cents": price,
            "currency": currency,
            "product_type": data["product_type"],
            "stock": (data["stock"] or 0) if counted else None,
            "minimum_quantity": data["minimum_quantity"],
            "maximum_quantity": data["maximum_quantity"],
            "private": data["private"],
            "unlisted": data["unlisted"],
            "seller_note": data["seller_note"],
            "custom": custom,
            "commission_rule": rule,
            "commission_percent_bps": None if percent is None else int(percent * 100),
            "commission_cpa_amount_cents": cpa_cents,
        }


FORM_FIELD = {
    "price_cents": "price",
    "commission_percent_bps": "commission_percent",
    "commission_cpa_amount_cents": "commission_cpa_amount",
}
