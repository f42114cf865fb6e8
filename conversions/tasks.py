"""Periodic work for commissions."""

from __future__ import annotations

from celery import shared_task

from conversions import rollups, services


@shared_task(name="conversions.approve_due_commissions")
def approve_due_commissions() -> int:
    """Approve commissions past their hold period (idempotent: safe to run twice)."""
    return services.commissions_approve_due()


@shared_task(name="conversions.rollup_sales")
def rollup_sales() -> int:
    """Advance the conversion and commission rollups by one span; safe to run at any time
    and any number of times (the watermark makes every row count once)."""
    counted, _done = rollups.sales_rollup_advance()
    return counted
