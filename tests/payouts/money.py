"""Rows for payout tests: approved commissions, adjustments, payout accounts, tax profiles."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from accounts.models import Merchant, Partner
from conversions.models import Commission, CommissionAdjustment, Conversion
from partners.models import Program
from payouts.models import PayoutAccount, TaxProfile

IBAN = "DE89370400440532013000"


def commission(
    program: Program,
    partner: Partner,
    amount_cents: int,
    *,
    status: str = "approved",
    currency: str | None = None,
) -> Commission:
    now = timezone.now()
    conversion = Conversion.objects.create(
        merchant=program.merchant,
        mode=program.mode,
        program=program,
        partner=partner,
        event_type="purchase",
        external_transaction_id=f"order-{uuid.uuid4().hex}",
        amount_cents=amount_cents * 10,
        currency=currency or program.currency,
        status="approved" if status != "pending" else "pending",
        attributed=True,
        attribution_explanation={"code": "attributed", "message": "Attributed"},
        occurred_at=now,
    )
    return Commission.objects.create(
        conversion=conversion,
        merchant=program.merchant,
        mode=program.mode,
        partner=partner,
        program=program,
        kind="cps",
        rate_bps=1000,
        amount_cents=amount_cents,
        currency=currency or program.currency,
        status=status,
        approve_after=now - timedelta(days=1),
        approved_at=now if status == "approved" else None,
    )


def adjustment(program: Program, partner: Partner, amount_cents: int) -> CommissionAdjustment:
    """A paid commission reversed: its negative adjustment, open."""
    paid = commission(program, partner, -amount_cents, status="paid")
    return CommissionAdjustment.objects.create(
        commission=paid,
        merchant=program.merchant,
        mode=program.mode,
        partner=partner,
        amount_cents=amount_cents,
        currency=paid.currency,
        reason="refund",
    )


def sepa_account(partner: Partner, holder: str = "Jane Doe") -> PayoutAccount:
    return PayoutAccount.objects.create(
        partner=partner,
        method="sepa",
        account_holder=holder,
        iban=IBAN,
        iban_last4=IBAN[-4:],
        bic="COBADEFFXXX",
    )


def paypal_account(partner: Partner, email: str = "jane@example.org") -> PayoutAccount:
    return PayoutAccount.objects.create(partner=partner, method="paypal", paypal_email=email)


def tax_profile(partner: Partner) -> TaxProfile:
    return TaxProfile.objects.create(
        partner=partner,
        legal_name="Jane Doe",
        country="DE",
        entity_type="individual",
        tax_id="DE136695976",
        tax_id_last4="5976",
        form="w8ben",
        signature="Jane Doe",
        signed_at=timezone.now(),
    )


def merchant_of(program: Program) -> Merchant:
    return program.merchant
