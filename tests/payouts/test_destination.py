"""What the merchant side reads: payout_destination (decrypted, with a masked description)
and tax_status (ready or why not)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from accounts.models import Partner
from payouts.selectors import Destination, payout_destination, tax_status
from payouts.services import payout_account_replace, tax_profile_save
from tests.payouts.conftest import IBAN, w8ben

pytestmark = pytest.mark.django_db


def test_no_account_no_destination(partner: Partner) -> None:
    assert payout_destination(partner) is None


@pytest.mark.parametrize(
    ("method", "details", "expected"),
    [
        (
            "sepa",
            {"iban": IBAN, "account_holder": "Jane"},
            {
                "account_holder": "Jane",
                "iban": IBAN,
                "bic": "COBADEFFXXX",
                "masked": "SEPA transfer to IBAN •••• 3000",
            },
        ),
        (
            "paypal",
            {"email": "jane@example.com"},
            {"paypal_email": "jane@example.com", "masked": "PayPal to jane@example.com"},
        ),
        (
            "bitcoin",
            {"address": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"},
            {
                "bitcoin_address": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                "bitcoin_network": "mainnet",
                "masked": "Bitcoin (mainnet) to •••• 5mdq",
            },
        ),
        (
            "manual",
            {"instructions": "Cheque"},
            {"instructions": "Cheque", "masked": "Manual payment (instructions on file)"},
        ),
    ],
)
def test_the_active_account_is_the_destination(
    partner: Partner, method: str, details: dict[str, str], expected: dict[str, Any]
) -> None:
    payout_account_replace(partner=partner, method="manual", details={"instructions": "old"})
    account = payout_account_replace(partner=partner, method=method, details=details)

    assert payout_destination(partner) == Destination(
        account_id=account.pk, method=method, **expected
    )


def test_tax_status(partner: Partner) -> None:
    assert tax_status(partner) == (False, "no tax details on file")
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC), tick=False):
        tax_profile_save(partner=partner, **w8ben())
        assert tax_status(partner) == (True, "")
    with time_machine.travel(dt.datetime(2029, 12, 31, 12, tzinfo=dt.UTC), tick=False):
        assert tax_status(partner) == (True, "")
    with time_machine.travel(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC), tick=False):
        assert tax_status(partner) == (False, "W-8BEN expired on 2029-12-31")
