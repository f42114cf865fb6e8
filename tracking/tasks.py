"""Periodic tracking work."""

from __future__ import annotations

from celery import shared_task

from tracking import rollups


@shared_task(name="tracking.rollup_clicks")
def rollup_clicks() -> int:
    """Advance the daily click rollups; safe to run at any time and any number of times."""
    return rollups.click_rollup_advance()
