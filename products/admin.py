from django.contrib import admin

from products.models import LineItem, Product
from selgeo.admin_tools import ReadOnlyMoneyAdmin


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "code",
        "merchant",
        "mode",
        "price_cents",
        "currency",
        "commission_rule",
    )
    list_filter = ("mode", "commission_rule", "product_type")
    search_fields = ("title", "code")
    raw_id_fields = ("merchant",)


@admin.register(LineItem)
class LineItemAdmin(ReadOnlyMoneyAdmin):
    """A conversion's lines, priced when it was reported: read-only like the conversion."""

    list_display = ("conversion", "position", "product", "quantity", "amount_cents", "rule")
    raw_id_fields = ("conversion", "product")
