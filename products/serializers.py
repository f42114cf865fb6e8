"""Input and output shapes of the products API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from products.models import CommissionRule, Product, ProductType
from products.services import CUSTOM_MAX_BYTES, CUSTOM_MAX_FIELDS, custom_problem
from selgeo.api.serializers import (
    AmountCentsField,
    CurrencyField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
)

DESCRIPTION_MAX = 5000
QUANTITY_MAX = 1_000_000
STOCK_MAX = 1_000_000_000


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "maxProperties": CUSTOM_MAX_FIELDS,
        "description": (
            "The fields a buyer fills in, as the commerce reference writes them: "
            '`{"0": {"type": "2", "name": "Username", "required": true}}`. At most '
            f"{CUSTOM_MAX_FIELDS} fields and {CUSTOM_MAX_BYTES} bytes of JSON."
        ),
    }
)
class CustomFieldsField(serializers.Field):
    def to_internal_value(self, data: Any) -> dict[str, Any]:
        problem = custom_problem(data)
        if problem is not None:
            raise serializers.ValidationError(problem)
        return data

    def to_representation(self, value: Any) -> Any:
        return value


def _rule_shape(rules: list[str], figure: str | None) -> dict[str, Any]:
    figures = ["commission_percent_bps", "commission_cpa_amount_cents"]
    properties: dict[str, Any] = {"commission_rule": {"enum": rules}}
    properties.update({name: {"enum": [None]} for name in figures if name != figure})
    if figure is None:
        return {"properties": properties}
    properties[figure] = {"type": "integer"}
    return {"properties": properties, "required": ["commission_rule", figure]}


class ProductIn(StrictSerializer):
    # What `services.product_errors` asks: each rule's figure, and a stock count for
    # product_type 2 only.
    openapi_rules: dict[str, Any] | None = {
        "allOf": [
            {
                "anyOf": [
                    _rule_shape(["program", "excluded"], None),
                    _rule_shape(["cps"], "commission_percent_bps"),
                    _rule_shape(["cpa"], "commission_cpa_amount_cents"),
                ]
            },
            {
                "anyOf": [
                    {"properties": {"product_type": {"enum": [2]}}, "required": ["product_type"]},
                    {
                        "properties": {
                            "product_type": {"enum": [0, 1, 3]},
                            "stock": {"enum": [None]},
                        }
                    },
                ]
            },
        ]
    }

    code = StrictCharField(
        max_length=64,
        required=False,
        help_text="The shop's own product id (letters, digits, `_`, `.`, `-`; unique in the "
        "mode). Generated (8 hex digits) when omitted.",
    )
    title = StrictCharField(max_length=200)
    description = StrictCharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True)
    price_cents = AmountCentsField()
    currency = CurrencyField()
    product_type = StrictIntegerField(
        min_value=0,
        max_value=3,
        required=False,
        help_text="0 file, 1 serials, 2 service (the only type with a stock count), 3 dynamic",
    )
    stock = StrictIntegerField(
        min_value=0,
        max_value=STOCK_MAX,
        required=False,
        allow_null=True,
        help_text="Units in stock, for product_type 2 only (0 when omitted); null otherwise",
    )
    private = StrictBooleanField(required=False)
    unlisted = StrictBooleanField(required=False)
    seller_note = StrictCharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True)
    minimum_quantity = StrictIntegerField(min_value=1, max_value=QUANTITY_MAX, required=False)
    maximum_quantity = StrictIntegerField(
        min_value=1, max_value=QUANTITY_MAX, required=False, allow_null=True
    )
    custom = CustomFieldsField(required=False)
    commission_rule = serializers.ChoiceField(
        choices=CommissionRule.choices,
        required=False,
        help_text="program (the program's terms, the default), cps (commission_percent_bps "
        "of the line's amount), cpa (commission_cpa_amount_cents per unit, in the product's "
        "currency) or excluded (no commission)",
    )
    commission_percent_bps = StrictIntegerField(
        min_value=0, max_value=10_000, required=False, allow_null=True
    )
    commission_cpa_amount_cents = AmountCentsField(required=False, allow_null=True)


class ProductUpdateIn(ProductIn):
    """PATCH: every field optional; which figures apply depends on the stored product."""

    openapi_rules = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class ProductOut(serializers.ModelSerializer):
    product_type = serializers.ChoiceField(choices=ProductType.choices)
    custom = CustomFieldsField()

    class Meta:
        model = Product
        fields = [
            "id",
            "mode",
            "code",
            "title",
            "description",
            "price_cents",
            "currency",
            "product_type",
            "stock",
            "private",
            "unlisted",
            "seller_note",
            "minimum_quantity",
            "maximum_quantity",
            "custom",
            "commission_rule",
            "commission_percent_bps",
            "commission_cpa_amount_cents",
            "created_at",
            "updated_at",
        ]
