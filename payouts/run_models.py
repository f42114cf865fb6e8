"""Money out, merchant side: payout settings, payout runs, payouts and what they claim.

A payout is the sum of the rows it claims (STYLE rule 16): one `PayoutCommission` per
commission it pays and one `PayoutAdjustment` per negative adjustment it deducts, with
the amount deducted (an adjustment larger than one payout is deducted over several).
A claim is *live* until its payout fails; a partial unique index on the commission of
live claims is what guarantees that concurrent runs pay every commission exactly once.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Merchant, Mode, Partner
from conversions.models import Commission, CommissionAdjustment
from payouts.encryption import EncryptedTextField
from selgeo.ids import uuid7


class PayoutSchedule(models.TextChoices):
    MANUAL = "manual", "Manual"
    MONTHLY = "monthly", "Monthly"


class PayoutSettings(models.Model):
    """How one merchant pays its partners in one mode."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    # Minimum payout per currency in minor units ({"EUR": 5000}); a currency not listed
    # has the default of 50 major units (`payouts.services.settings.default_minimum`).
    minimums = models.JSONField(default=dict, blank=True)
    tax_details_required = models.BooleanField(default=False)
    schedule = models.CharField(
        max_length=10, choices=PayoutSchedule.choices, default=PayoutSchedule.MANUAL
    )
    # Day of the month (1-28, so that every month has it) for the monthly schedule.
    schedule_day = models.PositiveSmallIntegerField(null=True, blank=True)
    # The merchant's own account, the debtor of SEPA credit transfer files.
    sepa_debtor_name = models.CharField(max_length=70, blank=True)
    sepa_debtor_iban = EncryptedTextField(blank=True)
    sepa_debtor_bic = models.CharField(max_length=11, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "payout settings"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["merchant", "mode"], name="payouts_settings_unique"),
            models.CheckConstraint(
                condition=Q(schedule_day__isnull=True)
                | (Q(schedule_day__gte=1) & Q(schedule_day__lte=28)),
                name="payouts_settings_day_1_28",
            ),
        ]

    def __str__(self) -> str:
        return f"payout settings {self.merchant_id} ({self.mode})"


class RunStatus(models.TextChoices):
    BUILDING = "building", "Building"
    READY = "ready", "Ready"


class PayoutRun(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.BUILDING)
    # What the run pays, fixed when it is created: ["<partner id>:<currency>", ...].
    targets = models.JSONField(default=list, blank=True)
    # Progress of the build: partners to go through, partners done.
    partners_total = models.PositiveIntegerField(default=0)
    partners_done = models.PositiveIntegerField(default=0)
    # Set for the run the monthly schedule prepared: the first day of its month.
    scheduled_month = models.DateField(null=True, blank=True)
    created_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            # The monthly schedule prepares one run per merchant, mode and month.
            models.UniqueConstraint(
                fields=["merchant", "mode", "scheduled_month"],
                condition=Q(scheduled_month__isnull=False),
                name="payouts_run_one_per_month",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["merchant", "mode", "-created_at"], name="payout_run_time")
        ]

    def __str__(self) -> str:
        return f"payout run {self.pk} ({self.mode})"


class PayoutStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"


class Payout(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    run = models.ForeignKey(PayoutRun, on_delete=models.PROTECT, related_name="payouts")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="payouts")
    currency = models.CharField(max_length=3)
    # The sum of its claims, written once with them: commissions minus deductions.
    commissions_cents = models.BigIntegerField()
    adjustments_cents = models.BigIntegerField(default=0)
    amount_cents = models.BigIntegerField()
    # Where it goes: the partner's active account when the payout was created.
    rail = models.CharField(max_length=10)
    # Kept when the account is replaced (accounts are deactivated, not deleted); cleared
    # rather than blocking should an account row ever be deleted.
    payout_account = models.ForeignKey(
        "payouts.PayoutAccount", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.PENDING
    )
    reference = models.CharField(max_length=140, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    processing_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            # A run pays a partner once per currency, also when its build is resumed.
            models.UniqueConstraint(
                fields=["run", "partner", "currency"], name="payouts_payout_once_per_run"
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0), name="payouts_payout_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(
                    amount_cents=models.F("commissions_cents") + models.F("adjustments_cents")
                ),
                name="payouts_payout_amount_is_its_rows",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["merchant", "mode", "-created_at"], name="payout_merchant_time"),
            models.Index(fields=["partner", "mode", "-created_at"], name="payout_partner_time"),
        ]

    def __str__(self) -> str:
        return f"payout {self.amount_cents} {self.currency} ({self.status})"


class PayoutCommission(models.Model):
    """A commission claimed by a payout; live until the payout fails."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="commission_claims")
    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="+")
    amount_cents = models.BigIntegerField()
    live = models.BooleanField(default=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["commission"],
                condition=Q(live=True),
                name="payouts_commission_claimed_once",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["payout"], name="payout_commission_payout")]

    def __str__(self) -> str:
        return f"claim of {self.commission_id} by {self.payout_id}"


class PayoutAdjustment(models.Model):
    """The part (negative) of an adjustment deducted by a payout; live until it fails."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="adjustment_claims")
    adjustment = models.ForeignKey(CommissionAdjustment, on_delete=models.PROTECT, related_name="+")
    amount_cents = models.BigIntegerField()
    live = models.BooleanField(default=True)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(amount_cents__lt=0), name="payouts_adjustment_claim_negative"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["adjustment"], condition=Q(live=True), name="payout_adj_live"),
            models.Index(fields=["payout"], name="payout_adjustment_payout"),
        ]

    def __str__(self) -> str:
        return f"deduction of {self.adjustment_id} by {self.payout_id}"
