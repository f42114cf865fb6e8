"""Webhook events (the outbox). Endpoints and deliveries build on these rows."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils import timezone

from accounts.models import Merchant, Mode


class Event(models.Model):
    """One thing that happened, written in the same transaction as the change itself."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="events")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    type = models.CharField(max_length=60)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["merchant", "mode", "created_at"], name="event_merchant_time"),
            models.Index(fields=["dispatched_at", "created_at"], name="event_dispatch"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"

    @property
    def public_id(self) -> str:
        return f"evt_{self.id.hex}"
