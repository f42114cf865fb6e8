"""Money out: where a partner is paid (payout accounts) and its tax self-certification.

Secrets (IBANs, tax ids, signatures, the tax form's personal fields) are stored
encrypted (`payouts.encryption`); each has a masked copy, its last four characters,
for lists, answers, pages, logs and webhooks, which never show more.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Partner
from payouts.encryption import EncryptedTextField
from selgeo.ids import uuid7


class PayoutMethod(models.TextChoices):
    SEPA = "sepa", "SEPA bank transfer"
    PAYPAL = "paypal", "PayPal"
    BITCOIN = "bitcoin", "Bitcoin"
    MANUAL = "manual", "Manual / other"


class PayoutAccount(models.Model):
    """Where a partner wants to be paid. One is active per partner; replaced ones are
    kept (inactive) so that past payouts still say where they went."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="payout_accounts")
    method = models.CharField(max_length=10, choices=PayoutMethod.choices)
    # SEPA
    account_holder = models.CharField(max_length=140, blank=True)
    iban = EncryptedTextField(blank=True)
    iban_last4 = models.CharField(max_length=4, blank=True)
    bic = models.CharField(max_length=11, blank=True)
    # PayPal
    paypal_email = models.EmailField(max_length=254, blank=True)
    # Bitcoin: an address valid for SELGEO_BITCOIN_NETWORK when it was given.
    bitcoin_address = models.CharField(max_length=100, blank=True)
    bitcoin_network = models.CharField(max_length=10, blank=True)
    # Manual / other
    instructions = models.TextField(max_length=1000, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["partner"], condition=Q(is_active=True), name="payouts_one_active_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} ({self.pk})"


class TaxEntityType(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    BUSINESS = "business", "Business"


class TaxForm(models.TextChoices):
    W9 = "w9", "W-9 (US persons)"
    W8BEN = "w8ben", "W-8BEN (non-US individuals)"
    W8BENE = "w8bene", "W-8BEN-E (non-US entities)"


class TaxProfile(models.Model):
    """A partner's tax details and signed self-certification (one per partner, replaced
    by a new signature when anything changes)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="tax_profile")
    legal_name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    entity_type = models.CharField(max_length=10, choices=TaxEntityType.choices)
    # What python-stdnum recognised the id as (e.g. `eu.vat`, `us.ein`, `gb.utr`).
    tax_id_kind = models.CharField(max_length=20, blank=True)
    tax_id = EncryptedTextField(blank=True)
    tax_id_last4 = models.CharField(max_length=4, blank=True)
    form = models.CharField(max_length=10, choices=TaxForm.choices)
    # The form's other fields (address, date of birth, treaty claim, …) as JSON text.
    form_fields = EncryptedTextField(blank=True)
    signature = EncryptedTextField(blank=True)
    signed_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.get_form_display()} ({self.partner_id})"


# Settings, runs, payouts and their claims (merchant side) live in their own module.
# Payment forwarding (payouts.forwarding) keeps its tables in this app.
from payouts.forwarding.models import (  # noqa: E402, F401
    ForwardedPayment,
    PaymentForward,
    WatchCursor,
)
from payouts.run_models import (  # noqa: E402, F401
    Payout,
    PayoutAdjustment,
    PayoutCommission,
    PayoutRun,
    PayoutSchedule,
    PayoutSettings,
    PayoutStatus,
    RunStatus,
)
