"""The partner's balance: "owed back" is what open adjustments still deduct, without the
parts that payouts not failed already take (pending, processing, or paid for part of a
larger debt); a failed payout's parts count again."""

from __future__ import annotations

import pytest

from conversions.models import CommissionAdjustment
from payouts import services
from payouts.models import Payout, PayoutAdjustment, PayoutRun
from tests.conftest import api_client, jwt_for
from tests.payouts.money import adjustment, commission

pytestmark = pytest.mark.django_db


def _balance(partner):
    (row,) = api_client(jwt_for(partner.user)).get("/api/v1/partner/payouts/balance").json()["data"]
    return row


def test_a_deduction_in_a_pending_payout_is_not_owed_back_again(merchant, program, jane):
    commission(program, jane, 7000)
    owed = adjustment(program, jane, -1500)
    assert _balance(jane)["open_adjustments_cents"] == -1500

    services.payout_run_create(merchant=merchant, mode="live")
    payout = Payout.objects.get()
    assert (payout.status, payout.adjustments_cents) == ("pending", -1500)

    row = _balance(jane)
    assert (row["in_payout_cents"], row["open_adjustments_cents"]) == (7000, 0)
    services.payout_transition(merchant=merchant, mode="live", payout_id=payout.pk, to="processing")
    assert _balance(jane)["open_adjustments_cents"] == 0

    services.payout_transition(merchant=merchant, mode="live", payout_id=payout.pk, to="failed")

    row = _balance(jane)
    assert (row["approved_cents"], row["in_payout_cents"], row["open_adjustments_cents"]) == (
        7000,
        0,
        -1500,
    )
    owed.refresh_from_db()
    assert owed.status == "open"


def test_what_is_left_of_a_debt_larger_than_a_payout_is_owed_back(merchant, program, jane):
    commission(program, jane, 7000)
    owed = adjustment(program, jane, -9000)

    # The partner owes more than earned: a run's build (here one payout of it) deducts
    # what the commissions cover and settles the payout at once.
    run = PayoutRun.objects.create(merchant=merchant, mode="live", targets=[f"{jane.pk}:EUR"])
    payout = services.payout_build(run=run, partner_id=jane.pk, currency="EUR")

    assert payout is not None
    assert (payout.status, payout.amount_cents) == ("paid", 0)
    assert PayoutAdjustment.objects.get().amount_cents == -7000
    assert CommissionAdjustment.objects.get(pk=owed.pk).status == "open"
    row = _balance(jane)
    assert (row["approved_cents"], row["in_payout_cents"], row["open_adjustments_cents"]) == (
        0,
        0,
        -2000,
    )
