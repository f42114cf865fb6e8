"""Reads of payout accounts and tax profiles, for the partner's pages and for payout runs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from accounts.models import Partner
from payouts import tax_forms
from payouts.encryption import mask
from payouts.models import PayoutAccount, PayoutMethod, TaxForm, TaxProfile


def describe(account: PayoutAccount) -> str:
    """Where the money goes, safe for any answer, page, log line or webhook."""
    if account.method == PayoutMethod.SEPA:
        return f"SEPA transfer to IBAN {mask(account.iban) if account.iban else '••••'}"
    if account.method == PayoutMethod.PAYPAL:
        return f"PayPal to {account.paypal_email}"
    if account.method == PayoutMethod.BITCOIN:
        return f"Bitcoin ({account.bitcoin_network}) to {mask(account.bitcoin_address)}"
    return "Manual payment (instructions on file)"


def active_payout_account(partner: Partner) -> PayoutAccount | None:
    return PayoutAccount.objects.filter(partner=partner, is_active=True).first()


def tax_profile_of(partner: Partner) -> TaxProfile | None:
    return TaxProfile.objects.filter(partner=partner).first()


def form_fields_of(profile: TaxProfile) -> dict[str, str]:
    return json.loads(profile.form_fields) if profile.form_fields else {}


def tax_document(profile: TaxProfile) -> dict[str, Any]:
    """The signed form as a document (title and labelled lines), secrets masked."""
    return tax_forms.document(profile, form_fields_of(profile))


@dataclass(frozen=True)
class Destination:
    """What a payout file needs to pay a partner, and how to show it.

    `method` is a `PayoutMethod` value. Per method the decrypted details are set and the
    others empty: SEPA `account_holder`, `iban` (compact) and `bic` (may be empty when
    schwifty derives none); PayPal `paypal_email`; Bitcoin `bitcoin_address` on
    `bitcoin_network`; manual `instructions`. `masked` is the description safe for any
    page, answer, log line or webhook (`SEPA transfer to IBAN •••• 3000`), never the
    details themselves.
    """

    account_id: Any
    method: str
    masked: str
    account_holder: str = ""
    iban: str = ""
    bic: str = ""
    paypal_email: str = ""
    bitcoin_address: str = ""
    bitcoin_network: str = ""
    instructions: str = ""


def payout_destination(partner: Partner) -> Destination | None:
    """Where `partner` is paid now: its active payout account, decrypted, or None.

    None when the partner has no active account or is erased (erasure deactivates and
    empties the accounts). Holds plaintext: use `masked` for anything shown or logged.
    """
    if partner.erased_at is not None:
        return None
    account = active_payout_account(partner)
    if account is None:
        return None
    return Destination(
        account_id=account.pk,
        method=account.method,
        masked=describe(account),
        account_holder=account.account_holder,
        iban=account.iban,
        bic=account.bic,
        paypal_email=account.paypal_email,
        bitcoin_address=account.bitcoin_address,
        bitcoin_network=account.bitcoin_network,
        instructions=account.instructions,
    )


def tax_status(partner: Partner) -> tuple[bool, str]:
    """(ready, reason): whether `partner` has valid tax details on file for a payout.

    Ready means a signed W-9, or a W-8BEN / W-8BEN-E still in effect (until the end of the
    third calendar year after signing); the reason is then "". Otherwise the reason is a
    sentence for the merchant: "partner erased", "no tax details on file", "tax details
    erased", or "W-8BEN expired on 2029-12-31".
    """
    if partner.erased_at is not None:
        return False, "partner erased"
    profile = tax_profile_of(partner)
    if profile is None:
        return False, "no tax details on file"
    if not profile.signature:
        return False, "tax details erased"
    return form_in_effect(profile.form, profile.signed_at)


def form_in_effect(form: str, signed_at: datetime) -> tuple[bool, str]:
    """(in effect, reason) of a signed form: a W-8 lapses (`tax_forms.expires_on`)."""
    expiry = tax_forms.expires_on(form, signed_at)
    if expiry is not None and expiry < timezone.localdate():
        return False, f"{TaxForm(form).label.split(' ')[0]} expired on {expiry}"
    return True, ""


def partners_with_tax_in_effect(partner_ids: list[Any]) -> set[Any]:
    """Which of `partner_ids` have signed tax details in effect (one query, nothing
    decrypted: an erased signature is stored empty)."""
    signed = (
        TaxProfile.objects.filter(partner_id__in=partner_ids)
        .exclude(signature="")
        .values_list("partner_id", "form", "signed_at")
    )
    return {pk for pk, form, signed_at in signed if form_in_effect(form, signed_at)[0]}
