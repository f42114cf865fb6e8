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
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

logger = logging.getLogger("selgeo.webhooks")


@contextmanager
def bookkeeping() -> Iterator[None]:
    """A transaction for delivery bookkeeping whose commit does not wait for the disk.

    Delivery is at-least-once: should PostgreSQL crash and lose the last moment of
    such commits, a claim or a recorded answer is undone and the attempt is sent again,
    which receivers already handle (the same `webhook-id`). Waiting for the disk at each
    of them is what limited a worker's rate. Inside a caller's transaction nothing
    changes: its commit keeps its own guarantee.
    """
    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        connection = transaction.get_connection()
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def lease_seconds() -> float:
    """How long a claim (a queued task or an attempt in flight) is trusted."""
    return float(settings.SELGEO_WEBHOOKS_TIMEOUT_SECONDS) + float(
        settings.SELGEO_WEBHOOKS_CLAIM_MARGIN_SECONDS
    )


def lease_until(now: datetime) -> datetime:
    return now + timedelta(seconds=lease_seconds())


# A transaction's events are queued in one message; a huge one (a bulk import) in a few,
# so that their fan-out is shared among workers.
DISPATCH_BATCH_SIZE = 100
# The current transaction's batch is kept on its connection (one per thread and alias).
_BATCH_ATTRIBUTE = "selgeo_webhooks_dispatch_batch"


class _Dispatch:
    """One event's on-commit callback."""

    __slots__ = ("__weakref__", "batch", "event_id", "index", "ran")

    def __init__(self, batch: _Batch, event_id: str, index: int) -> None:
        self.batch = batch
        self.event_id = event_id
        self.index = index
        self.ran = False

    def __call__(self) -> None:
        self.ran = True
        self.batch.committed.append(self.event_id)
        if not self.batch.waiting(after=self.index):
            self.batch.send()


class _Batch:
    """The events of one transaction, dispatched together once it commits.

    Which callback runs last is only known at the commit: a savepoint rolled back after
    the transaction's last event drops that event's callback. The batch keeps weak
    references to its callbacks, and Django holds the only strong ones: a dropped
    callback is freed at once, and a callback that finds no later one alive and still
    to run is the last. Should a dropped callback somehow stay alive, the batch is not
    queued and the sweep dispatches its events after `DISPATCH_GRACE`: late, never lost.
    """

    def __init__(self) -> None:
        self.callbacks: list[weakref.ref[_Dispatch]] = []
        self.committed: list[str] = []

    def add(self, event_id: str) -> _Dispatch:
        callback = _Dispatch(self, event_id, len(self.callbacks))
        self.callbacks.append(weakref.ref(callback))
        return callback

    def waiting(self, *, after: int = -1) -> bool:
        """Whether a callback registered after `after` has yet to run."""
        # From the end: while a transaction is open its latest callback is waiting.
        for index in range(len(self.callbacks) - 1, after, -1):
            callback = self.callbacks[index]()
            if callback is not None and not callback.ran:
                return True
        return False

    def send(self) -> None:
        from webhooks import tasks

        event_ids, self.committed = self.committed, []
        for start in range(0, len(event_ids), DISPATCH_BATCH_SIZE):
            chunk = event_ids[start : start + DISPATCH_BATCH_SIZE]
            try:
                tasks.dispatch_events.delay(chunk)
            except Exception:
                logger.exception("Could not queue the dispatch of events %s; the sweep will", chunk)


def dispatch_after_commit(event_id: uuid.UUID) -> None:
    """Fan the event out once its transaction commits, with the transaction's other events.

    Every event registers its own on-commit callback, so Django forgets the events of a
    rolled-back savepoint with their callbacks. The callbacks run in order after the
    outermost commit: each adds its event to the transaction's batch, and the last one
    queues the batch as one `dispatch_events` task.
    """
    connection = transaction.get_connection()
    batch: _Batch | None = getattr(connection, _BATCH_ATTRIBUTE, None)
    if batch is None or not batch.waiting():
        batch = _Batch()
        setattr(connection, _BATCH_ATTRIBUTE, batch)
    transaction.on_commit(batch.add(str(event_id)))


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
