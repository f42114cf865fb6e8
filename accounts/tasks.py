"""Periodic work for accounts."""

from __future__ import annotations

from celery import shared_task

from accounts import services


@shared_task(name="accounts.flush_expired_tokens")
def flush_expired_tokens() -> int:
    """Forget refresh tokens past their expiry (idempotent: safe to run twice)."""
    return services.refresh_tokens_flush_expired()
