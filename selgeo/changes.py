"""Hearing at once, in every process, that what a per-process cache holds has changed.

Hot paths keep a few facts in process memory (API keys, what a referral code allows).
Statement-level triggers (tracking migration 0006) send `NOTIFY selgeo_changes` with the
table's name whenever a row of `WATCHED_TABLES` is written, deleted or truncated, at
commit. Each process that caches listens on its own connection from a background
thread and counts what it hears: the count is the cache generation. An answer cached
under one generation is thrown away when the count moves, so a revoked key or a
disabled code is seen within milliseconds everywhere.

While the listener is not connected (starting, or PostgreSQL was away), `generation()`
is None and callers fall back to what they do without it: a short time limit, or no
cache at all for secret keys. Reconnecting moves the count, since anything may have
changed meanwhile. On SQLite there is nothing to listen to, and with
SELGEO_LISTEN_FOR_CHANGES off (tests, where nothing commits) nobody listens:
`generation()` stays None.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.conf import settings
from django.db import connection, connections

logger = logging.getLogger("selgeo.changes")

CHANNEL = "selgeo_changes"
# The listening connections' name in pg_stat_activity.
APPLICATION_NAME = "selgeo changes"
# Tables whose rows decide what the hot paths cache, each written rarely (tracking
# migration 0006 puts the triggers on them). Webhook endpoints are watched too, but only
# for the columns that decide who receives an event (webhooks migration 0005): every
# delivery writes its endpoint's health columns.
WATCHED_TABLES = (
    "accounts_apikey",
    "accounts_merchant",
    "accounts_partner",
    "partners_program",
    "partners_referralcode",
    "webhooks_webhookendpoint",
    "fx_reportingcurrency",
)
# How often the listening connection proves it is alive when nothing is heard.
PROBE_SECONDS = 5.0
MAX_BACKOFF = 5.0


class ChangeListener:
    """This process's listening thread and the generation it counts."""

    def __init__(self) -> None:
        self._forked()
        os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        self._count = 0
        self._listening = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def generation(self) -> int | None:
        """The number of changes heard so far, or None while not listening."""
        if not settings.SELGEO_LISTEN_FOR_CHANGES:
            return None
        if not self._listening:
            self._start()
            return None
        return self._count

    def _start(self) -> None:
        if self._thread is not None or connection.vendor != "postgresql":
            return
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="selgeo-changes", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """End the listening thread (tests)."""
        thread = self._thread
        self._stop.set()
        if thread is not None:
            # Wake it from its wait for notifications rather than wait for its probe.
            db = connections["default"]
            with db.get_new_connection(db.get_connection_params()) as pg:
                pg.execute(f"NOTIFY {CHANNEL}")
                pg.commit()
            thread.join(timeout=2 * PROBE_SECONDS)
        self._forked()

    def _run(self) -> None:
        backoff = 0.1
        stop = self._stop
        while not stop.is_set():
            try:
                self._listen(stop)
                backoff = 0.1
            except Exception:
                logger.warning(
                    "listening for changes failed: API keys are not cached and click checks "
                    "only for seconds until it listens again (next try in %.1fs)",
                    backoff,
                    exc_info=True,
                )
                self._listening = False
                self._count += 1
                stop.wait(backoff)
                backoff = min(MAX_BACKOFF, backoff * 2)
        self._listening = False

    def _listen(self, stop: threading.Event) -> None:
        db = connections["default"]
        pg = db.get_new_connection(
            {**db.get_connection_params(), "application_name": APPLICATION_NAME}
        )
        try:
            pg.autocommit = True
            pg.execute(f"LISTEN {CHANNEL}")
            # Whatever changed before LISTEN took effect is unknown: start afresh.
            self._count += 1
            self._listening = True
            while not stop.is_set():
                heard = False
                for _notify in pg.notifies(timeout=PROBE_SECONDS, stop_after=1000):
                    heard = True
                    self._count += 1
                    if stop.is_set():
                        break
                if not heard:
                    pg.execute("SELECT 1")
        finally:
            self._listening = False
            self._count += 1
            pg.close()


LISTENER = ChangeListener()


def generation() -> int | None:
    return LISTENER.generation()


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """Answers this process found a moment ago, each kept for `seconds()` at most and only
    under the change generation it was found in.

    Only answers are kept, never their absence: what `check` refuses is asked again
    next time. With `listening_only`, nothing is kept while the process is not
    listening; otherwise the time limit alone bounds an answer then.
    """

    def __init__(
        self, *, seconds: Callable[[], float], listening_only: bool, size: int = 10_000
    ) -> None:
        self.seconds = seconds
        self.listening_only = listening_only
        self.size = size
        self.answers: dict[K, tuple[float, int | None, V]] = {}

    def get(self, name: K, check: Callable[[], V | None]) -> V | None:
        current = generation()
        if current is None and self.listening_only:
            return check()
        now = time.monotonic()
        kept = self.answers.get(name)
        if kept is not None and kept[0] > now and kept[1] == current:
            return kept[2]
        # The generation is read before `check`: a change heard meanwhile drops the answer.
        answer = check()
        if answer is None:
            self.answers.pop(name, None)
            return None
        if len(self.answers) >= self.size:
            self.answers.clear()
        self.answers[name] = (now + self.seconds(), current, answer)
        return answer
