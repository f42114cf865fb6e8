"""Staff admin for webhook events."""

from __future__ import annotations

from django.contrib import admin

from webhooks.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("id", "type", "merchant", "mode", "created_at", "dispatched_at")
    list_filter = ("mode", "type")
    search_fields = ("=id", "type", "merchant__name")
    raw_id_fields = ("merchant",)
    show_full_result_count = False
