"""Staff admin for dynamic delivery, read-only: a program's URL is set by its merchant
(API or dashboard) and each partner's delivery by the worker."""

from __future__ import annotations

from django.contrib import admin

from dynamic_delivery.models import DynamicDelivery, DynamicUrl
from selgeo.admin_tools import ReadOnlyMoneyAdmin


@admin.register(DynamicUrl)
class DynamicUrlAdmin(ReadOnlyMoneyAdmin):
    list_display = ("program", "url", "disabled_at")
    search_fields = ("url", "program__code")
    raw_id_fields = ("program",)
    exclude = ("secret",)


@admin.register(DynamicDelivery)
class DynamicDeliveryAdmin(ReadOnlyMoneyAdmin):
    list_display = ("application", "status", "attempts", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("application", "merchant", "program", "partner")
