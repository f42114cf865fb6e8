"""Dynamic delivery: a program's URL that makes each approved partner's personal text.

When a partner is approved, Selgeo POSTs the partner and the program (JSON, signed the
Standard Webhooks way with the program's own secret) to the program's dynamic URL;
the plain-text answer, cut to 500 characters, becomes the partner's promo code or
delivery text for that program (the commerce platform's "dynamic products").

A URL that Selgeo refuses (a private address) is disabled at once; one that fails
`DISABLE_AFTER_FAILURES` attempts in a row (errors, timeouts, non-2xx answers, across
all of its deliveries) is disabled too, and the merchant is told.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils import timezone

from accounts.models import Merchant, Mode, Partner
from partners.models import Application, Program

TEXT_MAX = 500
# Failed attempts in a row (over all of a URL's deliveries) after which the URL is
# disabled: five, the first attempt and four retries of one partner's request, spread
# over about 45 minutes (see `services.RETRY_DELAYS`), so a receiver that is down for a
# deploy is not dropped, and one that never works is dropped the first day.
DISABLE_AFTER_FAILURES = 5
DISABLE_AFTER_FAILURES_DOC = (
    f"one whose requests fail {DISABLE_AFTER_FAILURES} times in a row (network errors, "
    "timeouts, answers other than 2xx, empty answers; each partner's request is tried "
    "5 times over about 45 minutes: at once, then after 30 s, 2, 10 and 30 minutes) is "
    "disabled too."
)


class DynamicUrl(models.Model):
    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, primary_key=True, related_name="dynamic_url"
    )
    url = models.CharField(max_length=2000)
    secret = models.CharField(max_length=100)
    # Failed attempts in a row, over all of the URL's deliveries; a success resets it.
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.url

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class DynamicDelivery(models.Model):
    """One approved partner's request to a program's dynamic URL, and its answer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="dynamic_delivery"
    )
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    # When the next attempt is due; a worker holds it by moving it past its deadline.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    text = models.TextField(blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "dynamic deliveries"
        indexes: ClassVar = [
            models.Index(fields=["status", "next_attempt_at"], name="dynamic_delivery_due"),
            models.Index(fields=["partner", "mode"], name="dynamic_delivery_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} → {self.partner_id} ({self.status})"
