"""Conversions, the commissions they earn, adjustments after paid reversals, test sessions.

A conversion is one sale, lead or signup reported by the merchant's server. It is
stored whether or not it could be attributed: the explanation and every step of the
attribution decision are kept with it, so that "why was this not attributed?" always
has an answer. An attributed conversion earns exactly one commission.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Merchant, Mode, Partner
from fx.models import ExchangeRateSet
from partners.models import CommissionType, Program, PromoCode
from selgeo.db import where_set
from selgeo.ids import uuid7
from tracking.models import Click


class EventType(models.TextChoices):
    PURCHASE = "purchase", "Purchase"
    LEAD = "lead", "Lead"
    SIGNUP = "signup", "Signup"


class ConversionStatus(models.TextChoices):
    # Attributed conversions wait with their commission through the hold period;
    # conversions that earn nothing have nothing to wait for and start approved.
    PENDING = "pending", "Pending (in the hold period)"
    APPROVED = "approved", "Approved"
    REVERSED = "reversed", "Reversed"


class ReversalReason(models.TextChoices):
    REFUND = "refund", "Refund"
    CHARGEBACK = "chargeback", "Chargeback"
    FRAUD = "fraud", "Fraud"
    OTHER = "other", "Other"


class Conversion(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # Every conversion is written with four rows and their index entries: a key that
    # leads a composite index (Meta) has no index of its own.
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="conversions", db_index=False
    )
    mode = models.CharField(max_length=4, choices=Mode.choices)
    # Set only when the conversion is attributed.
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conversions",
        db_index=False,
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conversions",
        db_index=False,
    )
    # Set whenever the signal named a row of this merchant and mode, attributed or not,
    # so that the click audit can show every conversion that arrived with a click.
    # The nullable keys are indexed where set only (Meta): no lookup asks for a NULL.
    click = models.ForeignKey(
        Click, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    promo_code = models.ForeignKey(
        PromoCode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # The signals exactly as the merchant sent them.
    click_id_raw = models.UUIDField(null=True, blank=True)
    promo_code_raw = models.CharField(max_length=100, blank=True)
    event_type = models.CharField(max_length=10, choices=EventType.choices)
    external_transaction_id = models.CharField(max_length=255)
    customer_ref = models.CharField(max_length=255, blank=True)
    amount_cents = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    # A sale in another currency than its program's: the amount in the program's
    # currency, at `fx_rate` (a decimal string, units of it per unit of `currency`)
    # from the rate set in effect at `occurred_at`. The sent amount stays as sent.
    converted_amount_cents = models.BigIntegerField(null=True, blank=True)
    converted_currency = models.CharField(max_length=3, blank=True)
    fx_rate = models.CharField(max_length=48, blank=True)
    fx_rate_set = models.ForeignKey(
        ExchangeRateSet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # The sent amount in the merchant's reporting currency at `occurred_at` (the same
    # rate set), kept as recorded: a later rate never rewrites it. Blank when no
    # stored set has a rate for the currency.
    reporting_currency = models.CharField(max_length=3, blank=True)
    reporting_rate = models.CharField(max_length=48, blank=True)
    reporting_amount_cents = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ConversionStatus.choices, default=ConversionStatus.PENDING
    )
    attributed = models.BooleanField(default=False)
    attribution_explanation = models.JSONField(default=dict)
    attribution_steps = models.JSONField(default=list)
    metadata = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversal_reason = models.CharField(max_length=10, choices=ReversalReason.choices, blank=True)

    class Meta:
        constraints: ClassVar = [
            # The idempotency key: a retry can never record the same sale twice.
            models.UniqueConstraint(
                fields=["merchant", "mode", "external_transaction_id"],
                name="conversions_conversion_unique_txid",
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__isnull=True) | Q(amount_cents__gte=0),
                name="conversions_conversion_amount_not_negative",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["merchant", "mode", "-created_at"], name="conv_merchant_time"),
            where_set("partner", "-created_at", name="conv_partner_time"),
            where_set("program", name="conv_program"),
            where_set("click", name="conv_click"),
            where_set("promo_code", name="conv_promo_code"),
            # CPA once-per-customer and the RevShare window look up a customer's
            # attributed conversions in a program.
            models.Index(
                fields=["program", "customer_ref", "occurred_at"],
                condition=Q(attributed=True),
                name="conv_program_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_transaction_id} ({self.mode})"


class CommissionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    REVERSED = "reversed", "Reversed"


class Commission(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # One commission per conversion, guaranteed by the database.
    conversion = models.OneToOneField(
        Conversion, on_delete=models.PROTECT, related_name="commission"
    )
    # Keys that lead a composite index (Meta) have no index of their own.
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="commissions", db_index=False
    )
    mode = models.CharField(max_length=4, choices=Mode.choices)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="commissions", db_index=False
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="commissions")
    kind = models.CharField(max_length=10, choices=CommissionType.choices)
    # The rate applied for percentage commissions, kept because the program may change.
    rate_bps = models.PositiveIntegerField(null=True, blank=True)
    # The program's terms version in force at the conversion's occurred_at, and which
    # rate applied (`partners.terms`): the program's, a tier's, a group's or the partner's.
    terms_version = models.ForeignKey(
        "partners.TermsVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    terms_source = models.CharField(max_length=10, blank=True)
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    # The amount in the merchant's reporting currency at the conversion's occurred_at.
    reporting_currency = models.CharField(max_length=3, blank=True)
    reporting_rate = models.CharField(max_length=48, blank=True)
    reporting_amount_cents = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=CommissionStatus.choices, default=CommissionStatus.PENDING
    )
    approve_after = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0), name="conversions_commission_amount_not_negative"
            ),
        ]
        indexes: ClassVar = [
            # The approval sweep reads only pending rows, oldest due first.
            models.Index(
                fields=["approve_after"],
                condition=Q(status="pending"),
                name="comm_pending_due",
            ),
            models.Index(fields=["merchant", "mode", "-created_at"], name="comm_merchant_time"),
            models.Index(fields=["partner", "mode", "-created_at"], name="comm_partner_time"),
        ]

    def __str__(self) -> str:
        return f"{self.amount_cents} {self.currency} ({self.status})"


class AdjustmentStatus(models.TextChoices):
    OPEN = "open", "Open (deducted from the next payout)"
    APPLIED = "applied", "Applied"


class CommissionAdjustment(models.Model):
    """A negative amount owed back by a partner whose paid commission was reversed."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    commission = models.OneToOneField(
        Commission, on_delete=models.PROTECT, related_name="adjustment"
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="commission_adjustments"
    )
    mode = models.CharField(max_length=4, choices=Mode.choices)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="commission_adjustments"
    )
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=10, choices=ReversalReason.choices)
    status = models.CharField(
        max_length=10, choices=AdjustmentStatus.choices, default=AdjustmentStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(amount_cents__lt=0), name="conversions_adjustment_amount_negative"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["partner", "merchant", "mode", "status"], name="adj_partner_open"),
        ]

    def __str__(self) -> str:
        return f"{self.amount_cents} {self.currency} ({self.status})"


class TestSessionStatus(models.TextChoices):
    __test__ = False

    WAITING = "waiting", "Waiting for a conversion"
    RECEIVED = "received", "A conversion attempt arrived"
    EXPIRED = "expired", "Expired with nothing received"


class TestSession(models.Model):
    """A test click handed to a merchant checking its integration, and what arrived."""

    # pytest would otherwise try to collect this model as a test class.
    __test__ = False

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices, default=Mode.TEST)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    click = models.OneToOneField(Click, on_delete=models.CASCADE, related_name="+")
    # The token is shown once; only its SHA-256 digest is stored.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    conversion = models.ForeignKey(
        Conversion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    fields_valid = models.BooleanField(null=True, blank=True)
    validation = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"test session {self.id}"


# The daily rollups live in their own module; Django finds models through this one.
from conversions.rollup_models import (  # noqa: E402, F401
    CommissionDailyStat,
    CommissionMonthlyStat,
    ConversionDailyStat,
    ConversionMonthlyStat,
)
