"""Staff admin for webhooks. Secrets are never displayed; the big tables are never counted."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from selgeo.admin_tools import NoCountPaginator
from webhooks import selectors
from webhooks.models import Delivery, Event, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "merchant", "mode", "disabled_at", "disabled_reason", "created_at")
    list_filter = ("mode", "disabled_reason")
    search_fields = ("=id", "url", "merchant__name")
    raw_id_fields = ("merchant",)
    # The secrets sign every delivery: staff pages never show them.
    exclude = ("secret", "previous_secret")
    readonly_fields = (
        "failing_since",
        "last_success_at",
        "last_failure_at",
        "previous_secret_expires_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Creation checks the URL and the per-merchant limit: the API does that.
        return False

    # Staff may change what an endpoint receives: events emitted here see it at once.
    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        transaction.on_commit(selectors.forget_subscribers)

    def delete_model(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        super().delete_model(request, obj)
        transaction.on_commit(selectors.forget_subscribers)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        transaction.on_commit(selectors.forget_subscribers)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("id", "type", "merchant", "mode", "created_at", "dispatched_at")
    list_filter = ("mode", "type")
    search_fields = ("=id",)
    raw_id_fields = ("merchant", "target_endpoint")
    show_full_result_count = False
    paginator = NoCountPaginator

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "event",
        "endpoint",
        "attempt",
        "trigger",
        "status",
        "response_status",
        "latency_ms",
        "next_attempt_at",
    )
    list_filter = ("status", "trigger")
    search_fields = ("=id", "=event__id")
    raw_id_fields = ("event", "endpoint")
    show_full_result_count = False
    paginator = NoCountPaginator
    readonly_fields = (
        "event",
        "endpoint",
        "attempt",
        "trigger",
        "attempted_at",
        "response_status",
        "latency_ms",
        "response_excerpt",
        "error",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
