"""A run's payouts read where each partner is paid through the accounts selector
(`payout_destination`): one account query per payout, the partners once per batch."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payouts import services
from payouts.models import Payout, PayoutAccount
from tests.factories import PartnerFactory
from tests.payouts.money import commission, paypal_account, sepa_account

pytestmark = pytest.mark.django_db


def _selects_from(queries: list[dict[str, str]], table: str) -> int:
    return sum(
        1 for q in queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    )


def _run_of(merchant, program, count: int, first: int = 0) -> list[dict[str, str]]:
    for i in range(first, first + count):
        partner = PartnerFactory(display_name=f"P{i}")
        (sepa_account if i % 2 else paypal_account)(partner)
        commission(program, partner, 7000)
    with CaptureQueriesContext(connection) as ctx:
        services.payout_run_create(merchant=merchant, mode="live")
    return ctx.captured_queries


def test_each_payout_reads_its_destination_with_one_query(merchant, program):
    small = _run_of(merchant, program, 2)
    large = _run_of(merchant, program, 4, first=2)

    accounts = [_selects_from(run, "payouts_payoutaccount") for run in (small, large)]
    partners = [_selects_from(run, "accounts_partner") for run in (small, large)]
    assert (accounts, partners) == ([2, 4], [1, 1])
    for payout in Payout.objects.select_related("partner"):
        account = PayoutAccount.objects.get(partner=payout.partner, is_active=True)
        assert (payout.rail, payout.payout_account_id) == (account.method, account.pk)
