"""Payment forwards and the payments that reached them.

A `PaymentForward` is a fresh address of the node's wallet, watched for payments; each
`ForwardedPayment` is one incoming output (txid, vout) and the one transaction that
forwarded it. The forward's send is recorded as an intent (`sending`, with the label the
node transaction carries) before the node is asked, so a worker that dies between the
node's answer and the record leaves a row that is reconciled from the wallet by label,
never sent again.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Merchant, Mode, Partner
from selgeo.ids import uuid7
from webhooks.models import WebhookEndpoint

# Seven webhook calls per payment: confirmations 0 through 6.
LAST_ANNOUNCED_CONFIRMATION = 6


class PaymentForward(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # forward_merchant_mode_time leads with the merchant: no index of its own.
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="payment_forwards", db_index=False
    )
    mode = models.CharField(max_length=4, choices=Mode.choices)
    # Where the payment goes (the merchant's address), on `network`.
    address = models.CharField(max_length=100)
    network = models.CharField(max_length=10)
    # The address of the node's wallet the customer pays to.
    payment_address = models.CharField(max_length=100, unique=True)
    webhook_url = models.CharField(max_length=2000)
    webhook_endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.PROTECT, related_name="payment_forwards"
    )
    # Percent with two decimals, 0 < p <= 50; 0 when there is no processing fee.
    processing_fee_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    processing_fee_address = models.CharField(max_length=100, blank=True)
    # Set when the fee goes to an approved partner's Bitcoin payout address.
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="payment_forwards"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [
            models.Index(
                fields=["merchant", "mode", "created_at"], name="forward_merchant_mode_time"
            ),
        ]

    def __str__(self) -> str:
        return f"forward {self.pk} -> {self.address}"


class SendStatus(models.TextChoices):
    # Seen, not yet spendable by the wallet (or not yet tried).
    WAITING = "waiting", "Waiting to be forwarded"
    # Claimed: the intent is recorded and the node may have sent it.
    SENDING = "sending", "Being forwarded"
    SENT = "sent", "Forwarded"
    FAILED = "failed", "Could not be forwarded"


class ForwardedPayment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    forward = models.ForeignKey(PaymentForward, on_delete=models.CASCADE, related_name="payments")
    txid = models.CharField(max_length=64)
    vout = models.PositiveIntegerField()
    amount_sats = models.BigIntegerField()
    confirmations = models.PositiveIntegerField(default=0)
    # The highest confirmation announced to the webhook URL; -1 before the first (0).
    announced_confirmations = models.SmallIntegerField(default=-1)
    first_seen_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=SendStatus.choices, default=SendStatus.WAITING)
    # The comment the node transaction carries: how a lost answer is found again.
    label = models.CharField(max_length=80, blank=True)
    # The chain tip when the send was claimed: the wallet is searched from there.
    claimed_at_block = models.CharField(max_length=64, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    forward_txid = models.CharField(max_length=64, blank=True)
    forward_to_sats = models.BigIntegerField(null=True, blank=True)
    processing_fee_sats = models.BigIntegerField(null=True, blank=True)
    miner_fee_sats = models.BigIntegerField(null=True, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["txid", "vout"], name="forwarded_payment_output"),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["first_seen_at"],
                condition=Q(status__in=["waiting", "sending"])
                | Q(announced_confirmations__lt=LAST_ANNOUNCED_CONFIRMATION),
                name="forwarded_payment_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.txid}:{self.vout} ({self.status})"


class WatchCursor(models.Model):
    """Per mode, the block the wallet was last listed since (`listsinceblock`)."""

    mode = models.CharField(max_length=4, choices=Mode.choices, primary_key=True)
    block_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.mode}: {self.block_hash or '(start)'}"
