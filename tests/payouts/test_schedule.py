"""The monthly schedule prepares one draft run per merchant, mode and month, and emails."""

from __future__ import annotations

from datetime import date

import pytest

from payouts import services
from payouts.models import Payout, PayoutRun
from payouts.services.schedule import scheduled_runs_prepare
from payouts.tasks import prepare_scheduled_runs
from tests.factories import MembershipFactory
from tests.payouts.money import commission

pytestmark = pytest.mark.django_db


def test_on_its_day_a_draft_run_is_prepared_once_and_the_admins_are_emailed(
    merchant, program, jane, bob, mailoutbox
):
    MembershipFactory(merchant=merchant, role="admin", user__email="ada@acme.example")
    services.payout_settings_update(
        merchant=merchant, mode="live", schedule="monthly", schedule_day=5
    )
    commission(program, jane, 7000)

    assert scheduled_runs_prepare(today=date(2026, 3, 4)) == 0
    assert scheduled_runs_prepare(today=date(2026, 3, 5)) == 1
    assert scheduled_runs_prepare(today=date(2026, 3, 5)) == 0

    run = PayoutRun.objects.get()
    assert (run.scheduled_month, run.mode, run.created_by) == (date(2026, 3, 1), "live", "schedule")
    assert Payout.objects.get().amount_cents == 7000
    (mail,) = mailoutbox
    assert sorted(mail.to) == sorted(
        [merchant.memberships.get(role="owner").user.email, "ada@acme.example"]
    )
    assert bob.email not in mail.to
    assert "March 2026" in mail.subject
    assert "70.00 EUR" in mail.body
    assert f"/dashboard/payouts/runs/{run.pk}/" in mail.body


def test_the_beat_task_runs_the_schedule(merchant, mailoutbox):
    from django.utils import timezone

    services.payout_settings_update(
        merchant=merchant,
        mode="test",
        schedule="monthly",
        schedule_day=timezone.now().day if timezone.now().day <= 28 else 28,
    )
    expected = 1 if timezone.now().day <= 28 else 0
    assert prepare_scheduled_runs.delay().get() == expected
    assert PayoutRun.objects.filter(mode="test").count() == expected
