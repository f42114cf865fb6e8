"""Runs pay approved commissions once, deduct open adjustments, carry debts forward."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from conversions.models import Commission, CommissionAdjustment
from payouts import selectors, services
from payouts.models import Payout, PayoutAdjustment, PayoutCommission, PayoutRun, TaxProfile
from selgeo.api.errors import ValidationFailed
from tests.factories import PartnerFactory
from tests.payouts.money import adjustment, commission, sepa_account, tax_profile

pytestmark = pytest.mark.django_db


def test_preview_sums_each_partner_and_says_why_one_is_not_payable(merchant, program, jane):
    commission(program, jane, 4000)
    commission(program, jane, 3000)
    commission(program, jane, 999, status="pending")
    adjustment(program, jane, -500)
    nobody = PartnerFactory(display_name="Kim")
    commission(program, nobody, 9000)
    small = PartnerFactory(display_name="Lou")
    sepa_account(small)
    commission(program, small, 4999)

    rows = selectors.preview(merchant=merchant, mode="live")

    assert [
        (
            r.display_name,
            r.currency,
            r.commissions_count,
            r.commissions_cents,
            r.adjustments_count,
            r.adjustments_cents,
            r.net_cents,
            r.minimum_cents,
            r.reasons,
        )
        for r in rows
    ] == [
        ("Jane", "EUR", 2, 7000, 1, -500, 6500, 5000, []),
        ("Kim", "EUR", 1, 9000, 0, 0, 9000, 5000, ["no_payout_method"]),
        ("Lou", "EUR", 1, 4999, 0, 0, 4999, 5000, ["below_minimum"]),
    ]
    assert selectors.preview(merchant=merchant, mode="test") == []


def test_preview_requires_tax_details_when_the_merchant_says_so(merchant, program, jane):
    commission(program, jane, 8000)
    services.payout_settings_update(merchant=merchant, mode="live", tax_details_required=True)
    assert selectors.preview(merchant=merchant, mode="live")[0].reasons == ["tax_details_missing"]
    tax_profile(jane)
    assert selectors.preview(merchant=merchant, mode="live")[0].reasons == []


def test_an_expired_or_erased_tax_form_counts_as_missing(merchant, program, jane):
    commission(program, jane, 8000)
    services.payout_settings_update(merchant=merchant, mode="live", tax_details_required=True)
    profile = tax_profile(jane)
    # A W-8BEN signed in 2021 lapsed at the end of 2024.
    TaxProfile.objects.filter(pk=profile.pk).update(signed_at=datetime(2021, 6, 1, tzinfo=UTC))
    assert selectors.preview(merchant=merchant, mode="live")[0].reasons == ["tax_details_missing"]
    TaxProfile.objects.filter(pk=profile.pk).update(signed_at=timezone.now(), signature="")
    assert selectors.preview(merchant=merchant, mode="live")[0].reasons == ["tax_details_missing"]
    # A W-9 does not lapse.
    TaxProfile.objects.filter(pk=profile.pk).update(
        form="w9", signed_at=datetime(2021, 6, 1, tzinfo=UTC), signature="Jane Doe"
    )
    assert selectors.preview(merchant=merchant, mode="live")[0].reasons == []


def test_an_erased_partner_without_an_account_has_nothing_to_pay_to(merchant, program):
    from django.utils import timezone

    gone = PartnerFactory(display_name="Gone", erased_at=timezone.now())
    commission(program, gone, 8000)
    assert selectors.preview(merchant=merchant, mode="live")[0].reasons == ["erased"]


def test_a_run_pays_the_payable_partners_and_deducts_open_adjustments(merchant, program, jane):
    paid = [commission(program, jane, 4000), commission(program, jane, 3000)]
    owed = adjustment(program, jane, -500)
    commission(program, PartnerFactory(), 9000)  # no payout method: left out

    run = services.payout_run_create(merchant=merchant, mode="live")

    assert (run.status, run.partners_total, run.partners_done) == ("ready", 1, 1)
    (payout,) = Payout.objects.all()
    assert (payout.partner_id, payout.amount_cents, payout.commissions_cents) == (
        jane.pk,
        6500,
        7000,
    )
    assert (payout.adjustments_cents, payout.status, payout.rail) == (-500, "pending", "sepa")
    assert set(PayoutCommission.objects.values_list("commission_id", flat=True)) == {
        c.pk for c in paid
    }
    assert list(PayoutAdjustment.objects.values_list("adjustment_id", "amount_cents")) == [
        (owed.pk, -500)
    ]
    # Claimed: a second run finds nothing more to pay.
    assert selectors.preview(merchant=merchant, mode="live")[0].display_name != "Jane"
    again = services.payout_run_create(merchant=merchant, mode="live")
    assert again.partners_total == 0
    assert Payout.objects.count() == 1


def test_paid_marks_commissions_paid_and_the_adjustment_applied(merchant, program, jane):
    claimed = commission(program, jane, 7000)
    owed = adjustment(program, jane, -500)
    services.payout_run_create(merchant=merchant, mode="live")
    payout = Payout.objects.get()

    services.payout_transition(merchant=merchant, mode="live", payout_id=payout.pk, to="processing")
    done = services.payout_transition(
        merchant=merchant, mode="live", payout_id=payout.pk, to="paid", reference="BANK-1"
    )

    assert (done.status, done.reference) == ("paid", "BANK-1")
    claimed.refresh_from_db()
    owed.refresh_from_db()
    assert (claimed.status, claimed.paid_at) == ("paid", done.paid_at)
    assert (owed.status, owed.applied_at) == ("applied", done.paid_at)


def test_failed_releases_the_commissions_for_the_next_run(merchant, program, jane):
    claimed = commission(program, jane, 7000)
    owed = adjustment(program, jane, -500)
    services.payout_run_create(merchant=merchant, mode="live")
    first = Payout.objects.get()

    services.payout_transition(
        merchant=merchant,
        mode="live",
        payout_id=first.pk,
        to="failed",
        failure_reason="IBAN refused",
    )

    claimed.refresh_from_db()
    owed.refresh_from_db()
    assert (claimed.status, owed.status) == ("approved", "open")
    assert PayoutCommission.objects.filter(live=True).count() == 0
    services.payout_run_create(merchant=merchant, mode="live")
    second = Payout.objects.exclude(pk=first.pk).get()
    assert (second.amount_cents, second.status) == (6500, "pending")


def test_a_reversal_after_payment_is_deducted_from_the_next_payout(merchant, program, jane):
    from conversions.services import conversion_reverse

    sold = commission(program, jane, 7000)
    services.payout_run_create(merchant=merchant, mode="live")
    services.payout_run_transition(
        merchant=merchant, mode="live", run_id=Payout.objects.get().run_id, to="paid"
    )
    conversion_reverse(
        merchant=merchant, mode="live", conversion_id=sold.conversion_id, reason="refund"
    )
    assert CommissionAdjustment.objects.get().amount_cents == -7000
    commission(program, jane, 13000)

    second = services.payout_run_create(merchant=merchant, mode="live")

    latest = Payout.objects.get(run=second)
    assert (latest.commissions_cents, latest.adjustments_cents, latest.amount_cents) == (
        13000,
        -7000,
        6000,
    )


def test_a_negative_net_pays_nothing_until_earnings_cover_the_debt(merchant, program, jane):
    owed = adjustment(program, jane, -9000)
    commission(program, jane, 6000)

    # Net -3000 is not payable; the merchant names the partner to settle what can be.
    assert selectors.preview(merchant=merchant, mode="live")[0].reasons == ["below_minimum"]
    assert services.payout_run_create(merchant=merchant, mode="live").partners_total == 0
    with pytest.raises(ValidationFailed) as refused:
        services.payout_run_create(merchant=merchant, mode="live", partner_ids=[jane.pk])
    assert refused.value.details == [
        {"field": "partner_ids", "message": "None of these partners can be paid now"}
    ]
    assert Payout.objects.count() == 0
    commission(program, jane, 4000)
    services.payout_run_create(merchant=merchant, mode="live", partner_ids=[jane.pk])

    payout = Payout.objects.get()
    assert (payout.commissions_cents, payout.adjustments_cents, payout.amount_cents) == (
        10000,
        -9000,
        1000,
    )
    owed.refresh_from_db()
    assert owed.status == "open"
    services.payout_transition(merchant=merchant, mode="live", payout_id=payout.pk, to="paid")
    owed.refresh_from_db()
    assert owed.status == "applied"


def test_a_debt_larger_than_the_payout_is_partly_applied_and_the_rest_stays_open(
    merchant, program, jane
):
    first = adjustment(program, jane, -3000)
    second = adjustment(program, jane, -5000)
    commission(program, jane, 6000)
    # The merchant may pay below the minimum, but not a partner who owes more than earned.
    commission(program, jane, 1)  # net -1999, still owing
    run_rows = selectors.preview(merchant=merchant, mode="live")
    assert run_rows[0].net_cents == -1999

    from payouts.run_models import PayoutRun
    from payouts.services.runs import payout_build

    run = PayoutRun.objects.create(merchant=merchant, mode="live", targets=[f"{jane.pk}:EUR"])
    payout = payout_build(run=run, partner_id=jane.pk, currency="EUR")

    assert (payout.commissions_cents, payout.adjustments_cents, payout.amount_cents) == (
        6001,
        -6001,
        0,
    )
    assert payout.status == "paid"
    assert list(
        PayoutAdjustment.objects.order_by("amount_cents").values_list(
            "adjustment_id", "amount_cents"
        )
    ) == [(second.pk, -3001), (first.pk, -3000)]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("applied", "open")
    claimed = PayoutCommission.objects.filter(payout=payout).values_list("commission_id")
    assert sorted(
        Commission.objects.filter(pk__in=claimed).values_list("amount_cents", "status")
    ) == [(1, "paid"), (6000, "paid")]
    (row,) = selectors.preview(merchant=merchant, mode="live")
    assert (row.commissions_cents, row.adjustments_cents, row.net_cents) == (0, -1999, -1999)


def test_test_mode_runs_never_touch_live_commissions(merchant, program, test_program, jane):
    live = commission(program, jane, 7000)
    commission(test_program, jane, 8000)

    services.payout_run_create(merchant=merchant, mode="test")

    (payout,) = Payout.objects.all()
    assert (payout.mode, payout.amount_cents) == ("test", 8000)
    assert not PayoutCommission.objects.filter(commission=live).exists()


def test_a_commission_reversed_while_its_payout_was_on_its_way_is_owed_back(
    merchant, program, jane
):
    from conversions.services import conversion_reverse

    sold = commission(program, jane, 7000)
    services.payout_run_create(merchant=merchant, mode="live")
    conversion_reverse(
        merchant=merchant, mode="live", conversion_id=sold.conversion_id, reason="chargeback"
    )
    sold.refresh_from_db()
    assert sold.status == "reversed"

    services.payout_run_transition(
        merchant=merchant, mode="live", run_id=Payout.objects.get().run_id, to="paid"
    )

    sold.refresh_from_db()
    assert sold.status == "paid"
    owed = CommissionAdjustment.objects.get(commission=sold)
    assert (owed.amount_cents, owed.status, owed.reason) == (-7000, "open", "chargeback")


def test_a_large_run_is_built_by_the_task_with_progress(
    merchant, program, monkeypatch, django_capture_on_commit_callbacks
):
    from payouts.services import runs

    monkeypatch.setattr(runs, "INLINE_BUILD_LIMIT", 2)
    monkeypatch.setattr(runs, "BATCH_SIZE", 2)
    seen: list[int] = []
    build = runs._payout_build

    def watched(**kwargs):
        seen.append(PayoutRun.objects.get(pk=kwargs["run"].pk).partners_done)
        return build(**kwargs)

    monkeypatch.setattr(runs, "_payout_build", watched)
    for i in range(5):
        partner = PartnerFactory(display_name=f"P{i}")
        sepa_account(partner)
        commission(program, partner, 6000)

    with django_capture_on_commit_callbacks() as queued:
        run = services.payout_run_create(merchant=merchant, mode="live")
    # Queued for when the run is committed: nothing built inside the request.
    assert (run.status, run.partners_total, run.partners_done) == ("building", 5, 0)
    assert Payout.objects.count() == 0
    assert len(queued) == 1

    queued[0]()  # the task (run inline here)

    run.refresh_from_db()
    assert (run.status, run.partners_done) == ("ready", 5)
    assert seen == [0, 0, 2, 2, 4]
    assert Payout.objects.filter(run=run).count() == 5
    # A redelivered message finds the run built and changes nothing.
    from payouts.tasks import build_run

    build_run.delay(str(run.pk))
    assert Payout.objects.filter(run=run).count() == 5
