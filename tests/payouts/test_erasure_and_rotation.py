"""The partner's erasure empties its payout secrets; rotation re-encrypts under a new key."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import Partner
from payouts import encryption
from payouts.models import PayoutAccount, TaxProfile
from payouts.selectors import payout_destination, tax_status
from payouts.services import payout_account_replace, tax_profile_save
from tests.payouts.conftest import IBAN, raw_rows, w8ben

pytestmark = pytest.mark.django_db


def test_self_erasure_empties_every_secret_in_the_raw_rows(
    partner_client: APIClient, partner: Partner
) -> None:
    payout_account_replace(partner=partner, method="paypal", details={"email": "jane@example.com"})
    payout_account_replace(
        partner=partner, method="sepa", details={"iban": IBAN, "account_holder": "Jane Doe"}
    )
    tax_profile_save(partner=partner, **w8ben())

    assert partner_client.post("/api/v1/partner/erase").status_code == 200

    accounts = raw_rows("payouts_payoutaccount", partner)
    assert len(accounts) == 2
    for row in accounts:
        assert (row["iban"], row["account_holder"], row["bic"], row["paypal_email"]) == (
            "",
            "",
            "",
            "",
        )
        assert (row["bitcoin_address"], row["instructions"], row["is_active"]) == ("", "", False)
        assert row["deactivated_at"] is not None
    [tax] = raw_rows("payouts_taxprofile", partner)
    assert (tax["legal_name"], tax["tax_id"], tax["tax_id_last4"]) == ("", "", "")
    assert (tax["form_fields"], tax["signature"]) == ("", "")
    partner.refresh_from_db()
    assert payout_destination(partner) is None
    assert tax_status(partner) == (False, "partner erased")


def test_rotation_re_encrypts_every_column_under_the_new_key(
    settings: Any, partner: Partner
) -> None:
    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    settings.SELGEO_ENCRYPTION_KEYS = [old]
    payout_account_replace(
        partner=partner, method="sepa", details={"iban": IBAN, "account_holder": "Jane"}
    )
    tax_profile_save(partner=partner, **w8ben())
    before_account = raw_rows("payouts_payoutaccount", partner)[0]

    settings.SELGEO_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("selgeo_rotate_encryption", stdout=out)

    assert out.getvalue() == (
        "payouts_payoutaccount: 1 rows re-encrypted\npayouts_taxprofile: 1 rows re-encrypted\n"
    )
    settings.SELGEO_ENCRYPTION_KEYS = [new]
    new_only = Fernet(new.encode())
    account = raw_rows("payouts_payoutaccount", partner)[0]
    assert account["iban"] != before_account["iban"]
    assert new_only.decrypt(account["iban"].encode()).decode() == IBAN
    tax = raw_rows("payouts_taxprofile", partner)[0]
    for column in ("tax_id", "form_fields", "signature"):
        new_only.decrypt(tax[column].encode())
    assert PayoutAccount.objects.get(partner=partner).iban == IBAN
    assert TaxProfile.objects.get(partner=partner).tax_id == "DE136695976"
    with pytest.raises(InvalidToken):
        Fernet(old.encode()).decrypt(account["iban"].encode())
    assert encryption.decrypt(account["iban"]) == IBAN
