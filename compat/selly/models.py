"""The inbound order webhook URL of each merchant and mode, what arrived at it, and the
shop's side of the orders it reported.

The URL's token is its only credential (the shop cannot sign its webhooks), so it is
long, random, and can be rotated from the dashboard: the old URL stops working at once.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from accounts.models import Merchant, Mode
from selgeo.ids import uuid7


class InboundEndpoint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    # Shown to the merchant to paste into the shop, so it is kept as it is (like webhook
    # signing secrets); only this URL accepts the merchant's order webhooks.
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["merchant", "mode"], name="selly_inbound_one_per_mode"),
        ]

    def __str__(self) -> str:
        return f"inbound order webhooks of {self.merchant_id} ({self.mode})"


class InboundOutcome(models.TextChoices):
    RECORDED = "recorded", "Recorded"
    DUPLICATE = "duplicate", "Already recorded (a retry)"
    REVERSED = "reversed", "Conversion reversed"
    ACKNOWLEDGED = "acknowledged", "Acknowledged (nothing to record)"
    REJECTED = "rejected", "Rejected (malformed)"


class InboundDelivery(models.Model):
    """One webhook the shop sent, and what Selgeo did with it: the merchant's log."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    mode = models.CharField(max_length=4, choices=Mode.choices)
    received_at = models.DateTimeField(default=timezone.now)
    webhook_type = models.IntegerField(null=True, blank=True)
    order_id = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=12, choices=InboundOutcome.choices)
    # Why it was rejected, or what was done, in sentences for the merchant.
    messages = models.JSONField(default=list, blank=True)
    # The body as received, cut to BODY_KEPT characters.
    body = models.TextField(blank=True)
    conversion = models.ForeignKey(
        "conversions.Conversion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["merchant", "mode", "-received_at"], name="selly_inbound_time"),
        ]

    def __str__(self) -> str:
        return f"{self.webhook_type} {self.order_id} ({self.outcome})"


class OrderDetail(models.Model):
    """What the shop's order carried beyond the conversion: its side of the order."""

    conversion = models.OneToOneField(
        "conversions.Conversion", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    product_id = models.CharField(max_length=64, blank=True)
    email = models.CharField(max_length=254, blank=True)
    ip_address = models.CharField(max_length=45, blank=True)
    country_code = models.CharField(max_length=2, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    gateway = models.CharField(max_length=40, blank=True)
    risk_level = models.IntegerField(null=True, blank=True)
    status = models.IntegerField(null=True, blank=True)
    delivered = models.TextField(blank=True)
    crypto_value = models.CharField(max_length=40, blank=True)
    crypto_address = models.CharField(max_length=120, blank=True)
    custom = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"order detail of {self.conversion_id}"
