"""Periodic work for exchange rates."""

from __future__ import annotations

from celery import shared_task

from fx import services


@shared_task(name="fx.refresh_rates")
def refresh_rates() -> int | None:
    """Fetch the provider's rates (idempotent: unchanged rates only confirm the newest
    set). Returns the id of the set in effect after the fetch, or None when nothing was
    stored (no provider configured, or the fetch failed and the previous set stays)."""
    row = services.rates_refresh()
    return row.pk if row is not None else None
