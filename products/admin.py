from django.contrib import admin

from products.models import Product


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
