"""Staff admin for webhooks. Secrets are never displayed; the big tables are never counted."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from selgeo.admin_tools import BigTableAdmin, BoundedTextAdmin
from webhooks import selectors
from webhooks.models import Delivery, Event, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(BoundedTextAdmin):
    list_display = ("url", "merchant", "mode", "disabled_at", "disabled_reason", "created_at")
    list_filter = ("mode", "kind", "disabled_reason")
    search_fields = ("=id", "url", "merchant__name")
    raw_id_fields = ("merchant",)
    # The secrets sign every delivery: staff pages never show them.
    exclude = ("secret", "previous_secret")
    readonly_fields = (
        # A payment forward's endpoint stays one: it is not the merchant's to list.
        "kind",
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


def _event_id(term: str) -> uuid.UUID | None:
    """An event's id as the API shows it (evt_…) or as stored."""
    try:
        return uuid.UUID(term.strip().removeprefix("evt_"))
    except ValueError:
        return None


@admin.register(Event)
class EventAdmin(BigTableAdmin):
    list_display = ("id", "type", "merchant", "mode", "created_at", "dispatched_at")
    list_filter = ("mode", "type")
    search_fields = ("=id",)
    search_help_text = "Event id (evt_… or the bare id)"
    raw_id_fields = ("merchant", "target_endpoint")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Event], search_term: str
    ) -> tuple[QuerySet[Event], bool]:
        if not search_term.strip():
            return queryset, False
        key = _event_id(search_term)
        return (queryset.none() if key is None else queryset.filter(pk=key)), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(BigTableAdmin):
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
    search_help_text = "Delivery id, or its event's id (evt_… or the bare id)"
    raw_id_fields = ("event", "endpoint")
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

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Delivery], search_term: str
    ) -> tuple[QuerySet[Delivery], bool]:
        if not search_term.strip():
            return queryset, False
        key = _event_id(search_term)
        if key is None:
            return queryset.none(), False
        return queryset.filter(Q(pk=key) | Q(event_id=key)), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
