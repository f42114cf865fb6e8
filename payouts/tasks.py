"""Background work of payouts: building large runs, the monthly scheduled runs."""

from __future__ import annotations

import uuid

from celery import shared_task

from payouts.services import runs, schedule


@shared_task(name="payouts.build_run", acks_late=True)
def build_run(run_id: str) -> None:
    """Build a large run (resumable: a redelivered message continues where it stopped)."""
    runs.payout_run_build(run_id=uuid.UUID(run_id))


@shared_task(name="payouts.prepare_scheduled_runs")
def prepare_scheduled_runs() -> int:
    """Create the draft run of each merchant whose monthly payout day is today."""
    return schedule.scheduled_runs_prepare()


@shared_task(name="payouts.forwarding_watch", ignore_result=True)
def forwarding_watch() -> None:
    """What arrived at forward addresses, their confirmations; queue the ready forwards."""
    from payouts.forwarding import services as forwarding

    for payment_id in forwarding.forwarding_watch():
        forward_payment.delay(str(payment_id))


@shared_task(name="payouts.forward_payment", ignore_result=True)
def forward_payment(payment_id: str) -> None:
    """Forward one payment (idempotent: only a `waiting` payment is claimed and sent)."""
    from payouts.forwarding import services as forwarding

    forwarding.payment_forward_send(payment_id=uuid.UUID(payment_id))
