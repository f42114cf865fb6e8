"""Concurrent replacements leave exactly one active payout account: the partner row lock
serialises them and the partial unique index would refuse a second active one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts.models import Partner
from payouts.models import PayoutAccount
from payouts.services import payout_account_replace


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_replacements_leave_one_active_account(partner: Partner) -> None:
    def replace(n: int) -> str:
        try:
            account = payout_account_replace(
                partner=partner, method="manual", details={"instructions": f"Cheque {n}"}
            )
            return str(account.pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        created = list(pool.map(replace, range(10)))

    assert PayoutAccount.objects.filter(partner=partner).count() == 10
    active = PayoutAccount.objects.filter(partner=partner, is_active=True)
    assert active.count() == 1
    assert str(active.get().pk) in created
