"""Staff admin for conversions and commissions: big tables, so the admin never counts them."""

from __future__ import annotations

from django.contrib import admin

from conversions.models import Commission, CommissionAdjustment, Conversion, TestSession
from selgeo.admin_tools import NoCountPaginator


class _BigTableAdmin(admin.ModelAdmin):
    show_full_result_count = False
    paginator = NoCountPaginator


@admin.register(Conversion)
class ConversionAdmin(_BigTableAdmin):
    list_display = (
        "external_transaction_id",
        "merchant",
        "mode",
        "event_type",
        "attributed",
        "status",
        "amount_cents",
        "currency",
        "created_at",
    )
    list_filter = ("mode", "status", "attributed", "event_type")
    search_fields = ("=id", "=external_transaction_id", "=customer_ref")
    raw_id_fields = ("merchant", "program", "partner", "click", "promo_code")
    readonly_fields = ("attribution_explanation", "attribution_steps", "created_at")


@admin.register(Commission)
class CommissionAdmin(_BigTableAdmin):
    list_display = (
        "id",
        "merchant",
        "mode",
        "partner",
        "kind",
        "amount_cents",
        "currency",
        "status",
        "approve_after",
    )
    list_filter = ("mode", "status", "kind")
    search_fields = ("=id", "=conversion__external_transaction_id")
    raw_id_fields = ("conversion", "merchant", "partner", "program")


@admin.register(CommissionAdjustment)
class CommissionAdjustmentAdmin(_BigTableAdmin):
    list_display = ("id", "merchant", "mode", "partner", "amount_cents", "currency", "status")
    list_filter = ("mode", "status", "reason")
    search_fields = ("=id", "=commission__id")
    raw_id_fields = ("commission", "merchant", "partner")


@admin.register(TestSession)
class TestSessionAdmin(admin.ModelAdmin):
    list_display = ("id", "merchant", "program", "created_at", "expires_at", "received_at")
    search_fields = ("=id",)
    raw_id_fields = ("merchant", "program", "click", "conversion")
    exclude = ("token_hash",)
