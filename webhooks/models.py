"""Webhook endpoints, events (the outbox) and delivery attempts.

An `Event` is written in the same transaction as the change it reports. Fanning it out
creates one `Delivery` row per subscribed endpoint; every later attempt is a row of its
own, so the log shows each request that was (or should have been) made. A delivery row
is work to do while its status is `pending`: workers and the sweep claim it with a
conditional UPDATE on that status, never by reading first.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Merchant, Mode
from selgeo.db import where_set
from selgeo.ids import uuid7


class DisabledReason(models.TextChoices):
    MANUAL = "manual", "Disabled by the merchant"
    GONE = "gone", "The endpoint answered 410 Gone"
    FAILING = "failing", "Every attempt failed for days"


class EndpointStatus(models.TextChoices):
    """How the API shows `disabled_at`: not a column of its own."""

    ENABLED = "enabled", "Enabled"
    DISABLED = "disabled", "Disabled"


class EndpointKind(models.TextChoices):
    MERCHANT = "merchant", "The merchant's endpoint"
    # The `webhook_url` of one payment forward: it receives that forward's events only
    # and is not listed among (nor counted with) the merchant's endpoints.
    PAYMENT_FORWARD = "payment_forward", "A payment forward's webhook URL"


class WebhookEndpoint(models.Model):
    """A URL of the merchant's that receives signed events of one mode."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    mode = models.CharField(max_length=4, choices=Mode.choices)
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=500, blank=True)
    # An empty list subscribes to every type that is not opt-in (see the catalogue).
    event_types = models.JSONField(default=list, blank=True)
    secret = models.CharField(max_length=100)
    # During a rotation the old secret signs too, until it expires.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(
        max_length=10, choices=DisabledReason.choices, blank=True, default=""
    )
    # The first failed attempt since the last success: sustained failure is measured
    # from here, so a short outage never disables an endpoint.
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(
        max_length=20, choices=EndpointKind.choices, default=EndpointKind.MERCHANT
    )

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["merchant", "mode", "created_at"], name="endpoint_merchant_mode"),
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def is_enabled(self) -> bool:
        return self.disabled_at is None

    def signing_secrets(self, now: datetime | None = None) -> list[str]:
        """The current secret, then the previous one while its rotation window lasts."""
        moment = now or timezone.now()
        secrets = [self.secret]
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires is not None and expires > moment:
            secrets.append(self.previous_secret)
        return secrets


class Event(models.Model):
    """One thing that happened, written in the same transaction as the change itself."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # event_merchant_time leads with the merchant: no index of its own.
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    mode = models.CharField(max_length=4, choices=Mode.choices)
    type = models.CharField(max_length=60)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # Set for events meant for one endpoint only (the test ping).
    target_endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targeted_events",
        db_index=False,
    )

    class Meta:
        # Every reported conversion writes two events: the indexes that serve the sweep
        # and the endpoint key hold only the rows those look for.
        indexes: ClassVar = [
            models.Index(fields=["merchant", "mode", "created_at"], name="event_merchant_time"),
            models.Index(
                fields=["created_at"],
                condition=Q(dispatched_at__isnull=True),
                name="event_undispatched",
            ),
            where_set("target_endpoint", name="event_target_endpoint"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"

    @property
    def public_id(self) -> str:
        return f"evt_{self.id.hex}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting for its time"
    SENDING = "sending", "Claimed by a worker"
    SUCCEEDED = "succeeded", "Delivered (2xx)"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Not sent"


class DeliveryTrigger(models.TextChoices):
    AUTOMATIC = "automatic", "Automatic (first send or scheduled retry)"
    MANUAL = "manual", "Replayed by the merchant"


class Delivery(models.Model):
    """One attempt to send one event to one endpoint."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    attempt = models.PositiveIntegerField()
    trigger = models.CharField(
        max_length=10, choices=DeliveryTrigger.choices, default=DeliveryTrigger.AUTOMATIC
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    next_attempt_at = models.DateTimeField()
    # While pending: until when a queued task is trusted to come (the sweep re-queues
    # after). While sending: the worker's lease; past it the worker is presumed dead.
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    attempted_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    # From the event's creation (its transaction's commit, near enough) to this request
    # leaving Selgeo: how late the receiver heard of it. Kept for first attempts, where
    # it measures the delivery pipeline rather than the retry schedule.
    lag_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["event", "endpoint", "attempt"], name="delivery_event_endpoint_attempt"
            )
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=Q(status="pending"),
            ),
            models.Index(
                fields=["claimed_until"],
                name="delivery_in_flight",
                condition=Q(status="sending"),
            ),
            models.Index(fields=["endpoint", "created_at"], name="delivery_endpoint_time"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id} #{self.attempt} {self.status}"
