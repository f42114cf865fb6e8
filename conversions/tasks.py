"""Periodic work for commissions."""

from __future__ import annotations

from celery import shared_task

from conversions import services


@shared_task(name="conversions.approve_due_commissions")
def approve_due_commissions() -> int:
    """Approve commissions past their hold period (idempotent: safe to run twice)."""
    return services.commissions_approve_due()
