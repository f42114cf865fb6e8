"""The approval sweep: pending commissions past their hold period become approved, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from conversions import services
from conversions.models import Commission, Conversion
from conversions.tasks import approve_due_commissions
from tests.conversions.conftest import body, post
from tests.conversions.factories import ClickFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(sk_live: Any, program: Any, partner: Any) -> Any:
    def make(txid: str, days_ago: int) -> Commission:
        occurred = timezone.now() - timedelta(days=days_ago)
        click = ClickFactory(program=program, partner=partner, created_at=occurred)
        response = post(
            sk_live,
            body(
                click_id=str(click.pk),
                external_transaction_id=txid,
                occurred_at=occurred.isoformat(),
            ),
        )
        assert response.status_code == 201, response.content
        return Commission.objects.get(conversion_id=response.json()["id"])

    return make


def approved_events() -> list[str]:
    return [e.payload["data"]["id"] for e in Event.objects.filter(type="commission.approved")]


def test_due_commissions_are_approved_and_others_wait(report: Any) -> None:
    due = report("due", days_ago=31)
    waiting = report("waiting", days_ago=29)

    assert services.commissions_approve_due() == 1

    due.refresh_from_db()
    waiting.refresh_from_db()
    assert due.status == "approved" and due.approved_at is not None
    assert waiting.status == "pending" and waiting.approved_at is None
    assert Conversion.objects.get(pk=due.conversion_id).status == "approved"
    assert Conversion.objects.get(pk=waiting.conversion_id).status == "pending"
    assert approved_events() == [str(due.pk)]


def test_approval_event_carries_the_approved_commission(report: Any) -> None:
    due = report("due", days_ago=31)

    services.commissions_approve_due()

    data = Event.objects.get(type="commission.approved").payload["data"]
    assert data["id"] == str(due.pk) and data["status"] == "approved"
    assert data["approved_at"] is not None and data["amount_cents"] == 490


def test_running_the_sweep_twice_approves_and_announces_once(report: Any) -> None:
    due = report("due", days_ago=31)

    first = services.commissions_approve_due()
    due.refresh_from_db()
    approved_at = due.approved_at
    second = services.commissions_approve_due()

    due.refresh_from_db()
    assert (first, second) == (1, 0)
    assert due.approved_at == approved_at
    assert approved_events() == [str(due.pk)]


def test_the_sweep_works_in_batches(report: Any) -> None:
    commissions = [report(f"o{i}", days_ago=40 + i) for i in range(5)]

    assert services.commissions_approve_due(batch_size=2) == 5

    assert set(Commission.objects.values_list("status", flat=True)) == {"approved"}
    assert sorted(approved_events()) == sorted(str(c.pk) for c in commissions)


def test_reversed_paid_and_approved_commissions_are_left_alone(report: Any) -> None:
    statuses = ["reversed", "paid", "approved"]
    commissions = [report(status, days_ago=40) for status in statuses]
    for commission, status in zip(commissions, statuses, strict=True):
        Commission.objects.filter(pk=commission.pk).update(status=status)

    assert services.commissions_approve_due() == 0

    assert [Commission.objects.get(pk=c.pk).status for c in commissions] == statuses
    assert approved_events() == []


def test_the_celery_task_runs_the_sweep_and_is_idempotent(report: Any) -> None:
    report("due", days_ago=31)

    assert approve_due_commissions.apply().get() == 1
    assert approve_due_commissions.apply().get() == 0
    assert len(approved_events()) == 1


def test_the_sweep_is_scheduled_in_celery_beat() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["approve-due-commissions"]

    assert entry["task"] == "conversions.approve_due_commissions"
    assert approve_due_commissions.name == entry["task"]
