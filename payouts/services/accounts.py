"""Writes of a partner's payout account and tax profile, their erasure and re-encryption.

Every value is validated by `payouts.validation` / `payouts.tax_forms` before anything
is written; a refused request changes nothing. Log lines name secrets only masked.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Partner
from partners.errors import ParticipantErased
from payouts import tax_forms, validation
from payouts.encryption import mask
from payouts.models import PayoutAccount, PayoutMethod, TaxEntityType, TaxForm, TaxProfile
from payouts.selectors.accounts import describe
from selgeo.api.errors import ValidationFailed

logger = logging.getLogger("selgeo.payouts")

# The fields each method takes (all other fields of the body are refused for it).
METHOD_FIELDS: dict[str, tuple[str, ...]] = {
    PayoutMethod.SEPA: ("account_holder", "iban", "bic"),
    PayoutMethod.PAYPAL: ("email",),
    PayoutMethod.BITCOIN: ("address",),
    PayoutMethod.MANUAL: ("instructions",),
}


def _lock(partner: Partner) -> Partner:
    """The partner row, locked for this transaction; an erased partner takes no writes."""
    locked = Partner.objects.select_for_update(no_key=True).get(pk=partner.pk)
    if locked.erased_at is not None:
        raise ParticipantErased()
    return locked


class _Errors:
    """Collects the field errors of several checks, so that a form shows them all at once."""

    def __init__(self) -> None:
        self.details: list[dict[str, str]] = []

    def check(self, default: Any, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ValidationFailed as exc:
            self.details += exc.details or []
            return default

    def raise_any(self) -> None:
        if self.details:
            first = self.details[0]
            raise ValidationFailed(f"{first['field']}: {first['message']}", details=self.details)


def _account_clean(method: str, details: Mapping[str, Any]) -> tuple[PayoutAccount, _Errors]:
    """The account the details describe, and every error found in them (all at once)."""
    errors = _Errors()
    account = PayoutAccount(partner=None, method=method)
    if method not in METHOD_FIELDS:
        errors.details.append(
            {"field": "method", "message": f"Use one of: {', '.join(METHOD_FIELDS)}"}
        )
        return account, errors
    given = {name for name, value in details.items() if value not in (None, "")}
    errors.details += [
        {"field": name, "message": f"Unknown field for payout method {method}"}
        for name in sorted(given - set(METHOD_FIELDS[method]))
    ]
    if method == PayoutMethod.SEPA:
        account.account_holder = errors.check(
            "", validation.text, details, "account_holder", validation.ACCOUNT_HOLDER_MAX
        )
        sepa = errors.check(None, validation.sepa_account, details.get("iban"), details.get("bic"))
        if sepa is not None:
            account.iban, account.iban_last4, account.bic = sepa.iban, sepa.iban[-4:], sepa.bic
    elif method == PayoutMethod.PAYPAL:
        account.paypal_email = errors.check("", validation.paypal_email, details.get("email"))
    elif method == PayoutMethod.BITCOIN:
        account.bitcoin_address = errors.check(
            "", validation.bitcoin_address, details.get("address")
        )
        account.bitcoin_network = settings.SELGEO_BITCOIN_NETWORK
    else:
        account.instructions = errors.check(
            "", validation.text, details, "instructions", validation.INSTRUCTIONS_MAX
        )
    return account, errors


def payout_account_errors(*, method: str, details: Mapping[str, Any]) -> list[dict[str, str]]:
    """What `payout_account_replace` would refuse in these details, writing nothing."""
    return _account_clean(method, details)[1].details


@transaction.atomic
def payout_account_replace(
    *, partner: Partner, method: str, details: Mapping[str, Any]
) -> PayoutAccount:
    """Validate and store a new active payout account; the previous one is kept inactive."""
    account, errors = _account_clean(method, details)
    errors.raise_any()
    locked = _lock(partner)
    now = timezone.now()
    PayoutAccount.objects.filter(partner=locked, is_active=True).update(
        is_active=False, deactivated_at=now
    )
    account.partner = locked
    account.created_at = now
    account.save()
    logger.info(
        "payout account replaced: partner=%s method=%s destination=%s",
        locked.pk,
        method,
        describe(account),
    )
    return account


@dataclass(frozen=True)
class _TaxValues:
    legal_name: str
    country: str
    entity_type: str
    tax_id_kind: str
    tax_id: str
    form: str
    form_fields: dict[str, str]
    signature: str


def _tax_clean(
    *,
    legal_name: Any,
    country: Any,
    entity_type: Any,
    tax_id: Any,
    form: Any,
    form_fields: Any,
    signature: Any,
) -> tuple[_TaxValues, _Errors]:
    """The tax details cleaned, and every error found in them (all at once: a form shows
    each next to its field rather than one group after another)."""
    errors = _Errors()
    name = errors.check("", validation.text, {"legal_name": legal_name}, "legal_name", 200)
    code = errors.check("", validation.country, country)
    entity_known = entity_type in TaxEntityType.values
    if not entity_known:
        errors.details.append(
            {"field": "entity_type", "message": f"Use one of: {', '.join(TaxEntityType.values)}"}
        )
    if form not in TaxForm.values:
        errors.details.append(
            {"field": "form", "message": f"Use one of: {', '.join(TaxForm.values)}"}
        )
    elif code and entity_known:
        expected = tax_forms.form_for(country=code, entity_type=entity_type)
        if form != expected:
            errors.details.append(
                {
                    "field": "form",
                    "message": f"A partner in {code} who is a"
                    f"{'n' if entity_type == 'individual' else ''} {entity_type} signs "
                    f"{expected}, not {form}",
                }
            )
    fields: dict[str, str] = {}
    if form in TaxForm.values:
        fields = errors.check(
            {},
            tax_forms.clean_form_fields,
            form,
            form_fields,
            entity_type=entity_type if entity_known else None,
        )
    tin_type = fields.get("tin_type", "") if form == "w9" else ""
    kind, number = "", ""
    if code:
        kind, number = errors.check(("", ""), validation.tax_id, tax_id, code, us_tin_type=tin_type)
    typed = errors.check("", validation.text, {"signature": signature}, "signature", 200)
    if typed and name and " ".join(typed.split()).casefold() != " ".join(name.split()).casefold():
        errors.details.append(
            {"field": "signature", "message": "The typed signature must be the legal name"}
        )
    values = _TaxValues(name, code, str(entity_type), kind, number, str(form), fields, typed)
    return values, errors


def tax_profile_errors(**values: Any) -> list[dict[str, str]]:
    """What `tax_profile_save` would refuse in these values, writing nothing."""
    return _tax_clean(**values)[1].details


@transaction.atomic
def tax_profile_save(
    *,
    partner: Partner,
    legal_name: Any,
    country: Any,
    entity_type: Any,
    tax_id: Any,
    form: Any,
    form_fields: Any,
    signature: Any,
) -> TaxProfile:
    """Validate and store the partner's tax details and signed form (replacing any before).

    The form must be the one for the country and entity type (`tax_forms.form_for`); the
    typed signature must be the legal name (case and surrounding spaces aside); the
    signing date is the server's, now. Every error is reported at once.
    """
    values, errors = _tax_clean(
        legal_name=legal_name,
        country=country,
        entity_type=entity_type,
        tax_id=tax_id,
        form=form,
        form_fields=form_fields,
        signature=signature,
    )
    errors.raise_any()
    locked = _lock(partner)
    now = timezone.now()
    profile = TaxProfile.objects.filter(partner=locked).first() or TaxProfile(
        partner=locked, created_at=now
    )
    number = values.tax_id
    profile.legal_name = values.legal_name
    profile.country = values.country
    profile.entity_type = values.entity_type
    profile.tax_id_kind = values.tax_id_kind
    profile.tax_id = number
    profile.tax_id_last4 = number[-4:] if len(number) > 4 else ""
    profile.form = values.form
    profile.form_fields = json.dumps(values.form_fields, sort_keys=True)
    profile.signature = values.signature
    profile.signed_at = now
    profile.updated_at = now
    profile.save()
    logger.info(
        "tax profile signed: partner=%s form=%s tax_id=%s (%s) signature=%s",
        locked.pk,
        values.form,
        mask(number),
        values.tax_id_kind or "unverified",
        mask(values.signature),
    )
    return profile


def payout_secrets_erase(*, partner: Partner) -> None:
    """GDPR erasure: every payout account and the tax profile lose their personal values.

    Rows stay (past payouts keep their method and the masked last four characters of the
    IBAN); accounts are deactivated. Called inside the partner erasure's transaction.
    """
    now = timezone.now()
    PayoutAccount.objects.filter(partner=partner).update(
        account_holder="",
        iban="",
        bic="",
        paypal_email="",
        bitcoin_address="",
        instructions="",
        is_active=False,
    )
    PayoutAccount.objects.filter(partner=partner, deactivated_at__isnull=True).update(
        deactivated_at=now
    )
    TaxProfile.objects.filter(partner=partner).update(
        legal_name="",
        tax_id="",
        tax_id_last4="",
        form_fields="",
        signature="",
        updated_at=now,
    )
    logger.info("payout account and tax details erased: partner=%s", partner.pk)


# Every encrypted column, for the key rotation.
ENCRYPTED_COLUMNS: tuple[tuple[type[PayoutAccount] | type[TaxProfile], tuple[str, ...]], ...] = (
    (PayoutAccount, ("iban",)),
    (TaxProfile, ("tax_id", "form_fields", "signature")),
)


def encryption_rotate(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every encrypted column under the first key of SELGEO_ENCRYPTION_KEYS.

    Reading decrypts with any configured key and writing encrypts with the first, so each
    row is read and written back, a batch per short transaction with the rows locked (a
    concurrent edit waits rather than being overwritten). Returns rows rewritten per table.
    Afterwards the old keys can be removed from the setting.
    """
    rewritten: dict[str, int] = {}
    for model, columns in ENCRYPTED_COLUMNS:
        count = 0
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), batch_size):
            with transaction.atomic():
                batch = pks[start : start + batch_size]
                rows = model.objects.select_for_update().filter(pk__in=batch)
                for row in rows.only("pk", *columns):
                    values = {column: getattr(row, column) for column in columns}
                    model.objects.filter(pk=row.pk).update(**values)
                    count += 1
        rewritten[model._meta.db_table] = count
    logger.info("encrypted columns re-encrypted under the first key: %s", rewritten)
    return rewritten
