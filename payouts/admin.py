"""Staff admin for payouts. Runs, payouts and their claims are money rows: read-only here
(their status changes only through `payouts.services`), and never counted."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from payouts.run_models import (
    Payout,
    PayoutAdjustment,
    PayoutCommission,
    PayoutRun,
    PayoutSettings,
)
from selgeo.admin_tools import NoCountPaginator


class _ReadOnlyMoneyAdmin(admin.ModelAdmin):
    show_full_result_count = False
    paginator = NoCountPaginator

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PayoutRun)
class PayoutRunAdmin(_ReadOnlyMoneyAdmin):
    list_display = ("id", "merchant", "mode", "status", "partners_total", "created_at")
    list_filter = ("mode", "status")
    search_fields = ("=id",)
    exclude = ("targets",)


@admin.register(Payout)
class PayoutAdmin(_ReadOnlyMoneyAdmin):
    list_display = (
        "id",
        "merchant",
        "mode",
        "partner",
        "amount_cents",
        "currency",
        "rail",
        "status",
        "created_at",
    )
    list_filter = ("mode", "status", "rail")
    search_fields = ("=id", "=reference")
    raw_id_fields = ("run", "merchant", "partner", "payout_account")


@admin.register(PayoutCommission)
class PayoutCommissionAdmin(_ReadOnlyMoneyAdmin):
    list_display = ("id", "payout", "commission", "amount_cents", "live")
    list_filter = ("live",)
    search_fields = ("=payout__id", "=commission__id")
    raw_id_fields = ("payout", "commission")


@admin.register(PayoutAdjustment)
class PayoutAdjustmentAdmin(_ReadOnlyMoneyAdmin):
    list_display = ("id", "payout", "adjustment", "amount_cents", "live")
    list_filter = ("live",)
    search_fields = ("=payout__id", "=adjustment__id")
    raw_id_fields = ("payout", "adjustment")


@admin.register(PayoutSettings)
class PayoutSettingsAdmin(admin.ModelAdmin):
    list_display = ("merchant", "mode", "schedule", "schedule_day", "tax_details_required")
    list_filter = ("mode", "schedule")
    raw_id_fields = ("merchant",)
    # The debtor IBAN stays out of the admin, like every other account number.
    exclude = ("sepa_debtor_iban",)
