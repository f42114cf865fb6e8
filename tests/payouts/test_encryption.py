"""Payout and tax secrets are encrypted at rest, readable through the model, rotatable."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.utils import timezone

from payouts import encryption
from payouts.models import PayoutAccount, TaxProfile
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

IBAN = "DE89370400440532013000"


def _raw(table: str, column: str, pk: object) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE id = %s",  # noqa: S608 (names are the test's)
            [pk.hex if connection.vendor == "sqlite" else pk],
        )
        return cursor.fetchone()[0]


def test_rows_hold_tokens_and_the_model_reads_the_plaintext():
    account = PayoutAccount.objects.create(
        partner=PartnerFactory(), method="sepa", account_holder="Jane", iban=IBAN, iban_last4="3000"
    )
    profile = TaxProfile.objects.create(
        partner=account.partner,
        legal_name="Jane Doe",
        country="DE",
        entity_type="individual",
        tax_id="DE136695976",
        form="w8ben",
        signature="Jane Doe",
        signed_at=timezone.now(),
    )

    raw_iban = _raw("payouts_payoutaccount", "iban", account.pk)
    raw_tax_id = _raw("payouts_taxprofile", "tax_id", profile.pk)
    raw_signature = _raw("payouts_taxprofile", "signature", profile.pk)
    assert IBAN not in raw_iban and "136695976" not in raw_tax_id and "Jane" not in raw_signature
    assert encryption.decrypt(raw_iban) == IBAN
    assert PayoutAccount.objects.get(pk=account.pk).iban == IBAN
    assert TaxProfile.objects.get(pk=profile.pk).tax_id == "DE136695976"


def test_an_empty_secret_is_stored_empty():
    account = PayoutAccount.objects.create(
        partner=PartnerFactory(), method="paypal", paypal_email="jane@example.com"
    )
    assert _raw("payouts_payoutaccount", "iban", account.pk) == ""


def test_a_rotated_key_still_reads_old_values_and_rotation_moves_them(settings):
    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    settings.SELGEO_ENCRYPTION_KEYS = [old]
    token = encryption.encrypt(IBAN)

    settings.SELGEO_ENCRYPTION_KEYS = [new, old]
    assert encryption.decrypt(token) == IBAN
    rotated = encryption.rotate(token)

    settings.SELGEO_ENCRYPTION_KEYS = [new]
    assert encryption.decrypt(rotated) == IBAN


@pytest.mark.parametrize(
    ("value", "masked"),
    [("DE89370400440532013000", "•••• 3000"), ("abc", "••••"), ("", ""), ("jane doe", "•••• doe")],
)
def test_masks_show_the_last_four_characters_at_most(value, masked):
    assert encryption.mask(value) == masked
