"""Handing work to Celery once the transaction that created it has committed.

A task queued before the commit could run before its rows are visible, and one queued
for a transaction that then rolls back would send what never happened. So work is
queued from `transaction.on_commit`. Whatever goes wrong while queueing (the broker is
down; with eager tasks, the delivery itself) is logged and swallowed: the caller's
change is committed by then and its request must not fail because of a webhook. The
rows stay in the database, where the periodic sweep finds them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

logger = logging.getLogger("selgeo.webhooks")


def lease_seconds() -> float:
    """How long a claim (a queued task or an attempt in flight) is trusted."""
    return float(settings.SELGEO_WEBHOOKS_TIMEOUT_SECONDS) + float(
        settings.SELGEO_WEBHOOKS_CLAIM_MARGIN_SECONDS
    )


def lease_until(now: datetime) -> datetime:
    return now + timedelta(seconds=lease_seconds())


def dispatch_after_commit(event_id: uuid.UUID) -> None:
    def send() -> None:
        from webhooks import tasks

        try:
            tasks.dispatch_event.delay(str(event_id))
        except Exception:
            logger.exception("Could not queue the dispatch of event %s; the sweep will", event_id)

    transaction.on_commit(send)


def deliver_after_commit(delivery_ids: Iterable[uuid.UUID]) -> None:
    ids = [str(i) for i in delivery_ids]
    if not ids:
        return

    def send() -> None:
        from webhooks import tasks

        for delivery_id in ids:
            try:
                tasks.deliver.delay(delivery_id)
            except Exception:
                logger.exception("Could not queue delivery %s; the sweep will", delivery_id)

    transaction.on_commit(send)
