"""Twenty runs created at the same instant on PostgreSQL pay each commission exactly once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum

from accounts.models import Merchant
from conversions.models import Commission
from partners.models import Program
from payouts import services
from payouts.models import Payout, PayoutAdjustment, PayoutCommission
from payouts.run_errors import PayoutTransitionRefused
from tests.factories import PartnerFactory
from tests.payouts.money import adjustment, commission, sepa_account
from webhooks.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


# Concurrent writers need PostgreSQL; SQLite runs one writer at a time.
@pytest.mark.postgresql
def test_20_concurrent_runs_pay_every_commission_exactly_once(
    merchant: Merchant, program: Program
) -> None:
    partners = [PartnerFactory(display_name=f"P{i}") for i in range(6)]
    owed = {}
    for partner in partners:
        sepa_account(partner)
        for amount in (3000, 2500, 1700, 900):
            commission(program, partner, amount)
        owed[partner.pk] = adjustment(program, partner, -1100)
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def create() -> None:
        try:
            barrier.wait()
            services.payout_run_create(merchant=merchant, mode="live")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    earned = Commission.objects.filter(status="approved")
    claims = Counter(
        PayoutCommission.objects.filter(live=True).values_list("commission_id", flat=True)
    )
    assert set(claims) == set(earned.values_list("pk", flat=True))
    assert set(claims.values()) == {1}
    assert Payout.objects.count() == 6
    assert sorted(Payout.objects.values_list("partner_id", "amount_cents")) == sorted(
        (partner.pk, 8100 - 1100) for partner in partners
    )
    deducted = PayoutAdjustment.objects.values("adjustment_id").annotate(total=Sum("amount_cents"))
    assert sorted(row["total"] for row in deducted) == [-1100] * 6
    assert Event.objects.filter(type="payout.created").count() == 6


# Concurrent writers need PostgreSQL; SQLite runs one writer at a time.
@pytest.mark.postgresql
def test_20_concurrent_paid_and_failed_marks_move_a_payout_once(
    merchant: Merchant, program: Program
) -> None:
    partner = PartnerFactory(display_name="Jane")
    sepa_account(partner)
    earned = commission(program, partner, 7000)
    services.payout_run_create(merchant=merchant, mode="live")
    payout = Payout.objects.get()
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def mark(index: int) -> None:
        try:
            barrier.wait()
            services.payout_transition(
                merchant=merchant,
                mode="live",
                payout_id=payout.pk,
                to="paid" if index % 2 else "failed",
            )
            outcomes.append("ok")
        except PayoutTransitionRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=mark, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    payout.refresh_from_db()
    assert len(outcomes) == 20
    # The first to commit wins; the same mark again is a no-op, the other one is refused.
    assert Counter(outcomes) == {"ok": 10, "refused": 10}
    final = payout.status
    assert final in {"paid", "failed"}
    assert Event.objects.filter(type=f"payout.{final}").count() == 1
    assert Event.objects.filter(type__in=["payout.paid", "payout.failed"]).count() == 1
    earned.refresh_from_db()
    assert earned.status == ("paid" if final == "paid" else "approved")
