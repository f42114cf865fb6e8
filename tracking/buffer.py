"""Clicks gathered in each server process and written to PostgreSQL in batches.

A click's own INSERT round trip costs more than everything else its request does, and
clicks are the one write nobody waits to read back at once. So, with
`SELGEO_CLICKS_BUFFER_MS` above zero on PostgreSQL, the hot click paths check the click
against cached facts (`tracking.services`), answer at once, and leave the row here.
Each process writes what has gathered once per interval, in one statement per batch
that commits durably: the request that finds the batch due writes it (no hand-over to
another thread while requests keep coming), and a background thread writes it when
requests pause.

What that changes, each bounded:
- A click can be read (by a conversion, the audit endpoint, reports) up to about one
  interval after its answer. Lookups of a click that may still be on its way
  (`await_click`) flush this process's batch and wait briefly for the other processes'.
- A process killed without warning (SIGKILL, power loss) loses the clicks it had not
  written yet, at most one interval's worth. A graceful stop (SIGTERM, a gunicorn
  restart) writes them first.
- The batch statement checks again that the code is active, the partner not erased and
  the program published, so a code disabled or a partner erased after the cache vouched
  for it records nothing, and erasure never races an unwritten click.
- When PostgreSQL cannot take a batch, the rows are kept and retried, new clicks stop
  being buffered (they take the direct path, which answers 503 while the database is
  down), and nothing is dropped unless PostgreSQL refuses a row outright (logged).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, DataError, IntegrityError, connection

from partners.models import ProgramStatus
from selgeo.db import fetch_prepared, supports_prepared

logger = logging.getLogger("selgeo.tracking")

# One buffered click as the batch statement reads it, by column (ids and moments as
# text, so that a batch is one JSON document); `as_row` builds it.
Row = dict[str, str | bool]

# Past this many unwritten rows (PostgreSQL has been refusing batches for a while), new
# clicks take the direct path instead: memory stays bounded and nothing is dropped.
MAX_PENDING = 20_000
# How long a lookup waits at most, beyond one interval, for a click another process has
# answered but not written yet.
AWAIT_SLACK = 1.0
# After a failed batch, retries back off up to this many seconds.
MAX_BACKOFF = 5.0

# The merchant, mode, program and partner come from the referral code, as on the direct
# path. A batch is one JSON parameter: encoding it is one C call, where binding arrays
# costs Python work per value. A click older than a minute when its batch is finally
# written (after PostgreSQL was away) is dated when written, so that the daily rollup,
# which settles two minutes behind the clock, never skips it.
_INSERT_BATCH = """
WITH inserted AS (
    INSERT INTO tracking_click (
        id, mode, landing_url, referrer, user_agent, ip_hash, country, is_bot, source,
        created_at, expires_at, merchant_id, partner_id, program_id, referral_code_id)
    SELECT batch.id, rc.mode, batch.landing_url, batch.referrer, batch.user_agent,
           batch.ip_hash, batch.country, batch.is_bot, batch.source,
           greatest(batch.created_at, now() - interval '1 minute'), batch.expires_at,
           rc.merchant_id, rc.partner_id, rc.program_id, rc.id
    FROM json_to_recordset(%(rows)s::json) AS batch(
        id uuid, code_id uuid, landing_url text, referrer text, user_agent text,
        ip_hash text, country text, is_bot boolean, source text,
        created_at timestamptz, expires_at timestamptz)
    JOIN partners_referralcode rc ON rc.id = batch.code_id AND rc.disabled_at IS NULL
    JOIN partners_program program
      ON program.id = rc.program_id AND program.status = %(published)s
    JOIN accounts_partner partner
      ON partner.id = rc.partner_id AND partner.erased_at IS NULL
    ON CONFLICT (id) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM inserted
"""


def _write(rows: Sequence[Row]) -> int:
    """Insert rows in one statement (its own transaction); how many were recorded."""
    batch = json.dumps(rows)
    written = fetch_prepared(
        _INSERT_BATCH, {"rows": batch, "published": ProgramStatus.PUBLISHED.value}
    )
    return int(written[0]) if written else 0


def _write_each(rows: Sequence[Row]) -> int:
    """After PostgreSQL refused a batch's data: every row alone, so one bad row (which
    could never be written) does not hold back the others."""
    written = 0
    for row in rows:
        try:
            written += _write([row])
        except (DataError, IntegrityError, ValueError):
            logger.exception("click %s refused by PostgreSQL; dropped", row["id"])
    return written


class ClickBuffer:
    """This process's unwritten clicks and the thread that writes them."""

    def __init__(self, *, threaded: bool = True) -> None:
        # Without a thread, batches are written only by flush() (tests).
        self._threaded = threaded
        self._pid = os.getpid()
        self._rows: list[Row] = []
        self._since = 0.0
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._failing = False
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        os.register_at_fork(after_in_child=self._forked)

    @property
    def interval(self) -> float:
        return float(settings.SELGEO_CLICKS_BUFFER_MS) / 1000

    def enabled(self) -> bool:
        return settings.SELGEO_CLICKS_BUFFER_MS > 0 and supports_prepared()

    def add(self, row: Row) -> bool:
        """Keep `row` for the next batch; False when it must be written directly instead
        (PostgreSQL is refusing batches, or too much is waiting)."""
        if self._failing:
            return False
        now = time.monotonic()
        with self._lock:
            if len(self._rows) >= MAX_PENDING:
                return False
            if not self._rows:
                self._since = now
            self._rows.append(row)
        if self._threaded and self._thread is None:
            self._start()
        if now - self._since >= self.interval and not connection.in_atomic_block:
            self._flush_quietly()
        return True

    def _flush_quietly(self) -> None:
        # The click is kept either way; a failed batch is retried by the thread.
        try:
            self.flush()
        except DatabaseError:
            logger.warning("writing clicks failed; they are kept", exc_info=True)

    def pending(self) -> int:
        return len(self._rows)

    def flush(self) -> int:
        """Write everything gathered so far; how many clicks were recorded. On a database
        error the rows go back in front of newer ones and the error is raised."""
        with self._flush_lock:
            with self._lock:
                rows, self._rows = self._rows, []
            if not rows:
                return 0
            try:
                try:
                    written = _write(rows)
                except (DataError, IntegrityError, ValueError):
                    written = _write_each(rows)
            except BaseException:
                with self._lock:
                    self._rows[:0] = rows
                self._failing = True
                raise
            self._failing = False
            return written

    def _forked(self) -> None:
        # A forked process (a gunicorn worker) starts empty: its parent's rows are the
        # parent's to write, and the parent's thread does not exist here.
        self._pid = os.getpid()
        self._rows = []
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._failing = False
        self._thread = None
        self._stop = threading.Event()

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._run, name="selgeo-click-writer", daemon=True
            )
        atexit.register(self._flush_at_exit)
        self._thread.start()

    def _run(self) -> None:
        backoff = 0.0
        stop = self._stop
        while not stop.wait(max(self.interval, backoff)):
            try:
                if self._rows and time.monotonic() - self._since >= self.interval:
                    self.flush()
                backoff = 0.0
            except Exception as exc:
                backoff = min(MAX_BACKOFF, max(0.1, backoff * 2))
                if isinstance(exc, DatabaseError):
                    logger.warning(
                        "writing clicks failed; retrying in %.1fs", backoff, exc_info=True
                    )
                    connection.close()
                else:
                    logger.exception("writing clicks failed; retrying in %.1fs", backoff)
        self._final_flush()
        connection.close()

    def _flush_at_exit(self) -> None:
        if self._pid == os.getpid():
            self._stop.set()
            self._final_flush()

    def _final_flush(self) -> None:
        try:
            self.flush()
        except Exception:
            logger.exception("%d clicks could not be written before exit", len(self._rows))


BUFFER = ClickBuffer()

T = TypeVar("T")


def written_by(click_id: uuid.UUID) -> float | None:
    """When a buffered click with this id is written at the latest (monotonic clock), or
    None when it cannot be waiting in any process's buffer."""
    if not BUFFER.enabled() or click_id.version != 7:
        return None
    # A version 7 id starts with its click's Unix time in milliseconds.
    answered = (click_id.int >> 80) / 1000
    age = time.time() - answered
    limit = BUFFER.interval + AWAIT_SLACK
    if age >= limit:
        return None
    return time.monotonic() + min(limit - age, limit)


def await_click(click_id: uuid.UUID, lookup: Callable[[], T | None]) -> T | None:
    """`lookup()`, and when it finds nothing for a click answered a moment ago that may
    still be in a buffer: this process's batch written at once, the others' waited for
    (at most one interval and a second after the click)."""
    found = lookup()
    if found is not None:
        return found
    deadline = written_by(click_id)
    if deadline is None:
        return None
    if not connection.in_atomic_block and BUFFER.pending():
        # Inside a transaction the batch would commit or roll back with it: the writer
        # thread writes it instead.
        BUFFER.flush()
        found = lookup()
    step = 0.01
    while found is None and time.monotonic() < deadline:
        time.sleep(min(step, max(0.0, deadline - time.monotonic())))
        step = min(step * 2, 0.1)
        found = lookup()
    return found


def as_row(
    *,
    click_id: uuid.UUID,
    code_id: uuid.UUID,
    landing_url: str,
    referrer: str,
    user_agent: str,
    ip_hash: str,
    country: str,
    is_bot: bool,
    source: str,
    created_at: datetime,
    expires_at: datetime,
) -> Row:
    return {
        "id": str(click_id),
        "code_id": str(code_id),
        "landing_url": landing_url,
        "referrer": referrer,
        "user_agent": user_agent,
        "ip_hash": ip_hash,
        "country": country,
        "is_bot": is_bot,
        "source": source,
        "created_at": created_at.isoformat(),
        "expires_at": expires_at.isoformat(),
    }
