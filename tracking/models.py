"""Clicks: the hot, append-only table."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from accounts.models import Merchant, Mode, Partner
from partners.models import Program, ReferralCode
from selgeo.ids import uuid7


class Click(models.Model):
    # Time-ordered ids keep inserts at the right edge of the primary-key index.
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="+", db_constraint=True
    )
    mode = models.CharField(max_length=4, choices=Mode.choices)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    referral_code = models.ForeignKey(
        ReferralCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    landing_url = models.CharField(max_length=2000, blank=True)
    referrer = models.CharField(max_length=2000, blank=True)
    user_agent = models.CharField(max_length=1000, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    country = models.CharField(max_length=2, blank=True)
    is_bot = models.BooleanField(default=False)
    source = models.CharField(max_length=10, default="api")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["merchant", "mode", "created_at"], name="click_merchant_time"),
            models.Index(fields=["program", "created_at"], name="click_program_time"),
            models.Index(fields=["partner", "created_at"], name="click_partner_time"),
        ]

    def __str__(self) -> str:
        return str(self.id)
