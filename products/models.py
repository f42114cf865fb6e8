"""Products a merchant sells, their commission rules, and the line items of conversions.

A product may override its program's commission: its own percentage of the line's
amount (`cps`), a fixed amount per unit sold (`cpa`, in the product's currency), or no
commission at all (`excluded`). The rule `program` leaves the program's terms in force.
A conversion that carries line items records one `LineItem` per line, with the rule
applied and the commission the line earned (`products.rules`).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Merchant, Mode
from selgeo.ids import uuid7


class ProductType(models.IntegerChoices):
    # The commerce reference's numbering; only type 2 keeps a stock count, every other
    # type is delivered without one ("∞").
    FILE = 0, "File download"
    SERIALS = 1, "Serials"
    SERVICE = 2, "Service (counted stock)"
    DYNAMIC = 3, "Dynamic delivery"


COUNTED_STOCK_TYPES = frozenset({ProductType.SERVICE})


class CommissionRule(models.TextChoices):
    PROGRAM = "program", "The program's commission"
    CPS = "cps", "Own percentage of the line's amount"
    CPA = "cpa", "Fixed amount per unit sold"
    EXCLUDED = "excluded", "Excluded from commissions"


class Product(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="products", db_index=False
    )
    mode = models.CharField(max_length=4, choices=Mode.choices)
    # The shop's own product id (`7b84a62b`, `upgrade`): what line items and the commerce
    # dialect name the product by. Unique per merchant and mode.
    code = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    product_type = models.PositiveSmallIntegerField(
        choices=ProductType.choices, default=ProductType.FILE
    )
    # Counted only for the types in COUNTED_STOCK_TYPES; None for the others.
    stock = models.PositiveIntegerField(null=True, blank=True)
    private = models.BooleanField(default=False)
    unlisted = models.BooleanField(default=False)
    seller_note = models.TextField(blank=True)
    minimum_quantity = models.PositiveIntegerField(default=1)
    maximum_quantity = models.PositiveIntegerField(null=True, blank=True)
    # The fields a buyer fills in, in the reference's shape: {"0": {"type", "name", "required"}}.
    custom = models.JSONField(default=dict, blank=True)
    commission_rule = models.CharField(
        max_length=10, choices=CommissionRule.choices, default=CommissionRule.PROGRAM
    )
    commission_percent_bps = models.PositiveIntegerField(null=True, blank=True)
    commission_cpa_amount_cents = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["merchant", "mode", "code"], name="products_product_unique_code"
            ),
            models.CheckConstraint(
                condition=Q(price_cents__gte=0), name="products_product_price_not_negative"
            ),
            # Each rule carries exactly the figure it needs.
            models.CheckConstraint(
                condition=(
                    Q(
                        commission_rule="cps",
                        commission_percent_bps__isnull=False,
                        commission_percent_bps__lte=10_000,
                        commission_cpa_amount_cents__isnull=True,
                    )
                    | Q(
                        commission_rule="cpa",
                        commission_cpa_amount_cents__gte=0,
                        commission_percent_bps__isnull=True,
                    )
                    | Q(
                        commission_rule__in=["program", "excluded"],
                        commission_percent_bps__isnull=True,
                        commission_cpa_amount_cents__isnull=True,
                    )
                ),
                name="products_product_rule_figures",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["merchant", "mode", "-created_at"], name="product_merchant_time"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.code}, {self.mode})"

    @property
    def counts_stock(self) -> bool:
        return self.product_type in COUNTED_STOCK_TYPES


class LineItem(models.Model):
    """One line of a conversion: a product, how many, for how much, and what it earned."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # By name: conversions read products, so this app must not import conversions.
    conversion = models.ForeignKey(
        "conversions.Conversion", on_delete=models.CASCADE, related_name="line_items"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="line_items")
    position = models.PositiveSmallIntegerField()
    quantity = models.PositiveIntegerField()
    # The line's total in the conversion's currency, as sent.
    amount_cents = models.BigIntegerField()
    # The rule applied and the line's commission in the commission's currency; blank and
    # None when the conversion earned no commission.
    rule = models.CharField(max_length=10, choices=CommissionRule.choices, blank=True)
    rate_bps = models.PositiveIntegerField(null=True, blank=True)
    commission_cents = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["conversion", "position"], name="products_lineitem_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0), name="products_lineitem_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"
