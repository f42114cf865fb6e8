"""The beat schedule run inside `runserver` when Selgeo runs embedded (no broker).

Embedded, tasks run inline and no `celery beat` runs, so nothing the schedule does
(approving commissions past their hold, webhook retries, click rollups, flushing expired
tokens) would ever happen. `make run` serves with this scheduler instead: one daemon
thread in the serving process that runs every entry of CELERY_BEAT_SCHEDULE once at
start and then at its interval, inline, as `celery beat` plus a worker would.

It starts only in the process that serves requests: with the autoreloader, `runserver`
is a parent that watches files and a child (RUN_MAIN=true) that serves, and the parent
must not run the schedule a second time. With a broker, run `celery beat` and a worker
instead (SELGEO_EMBEDDED_SCHEDULER is off by default there).
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import close_old_connections

logger = logging.getLogger("selgeo.scheduler")

Runner = Callable[[str], object]


def run_task_inline(name: str) -> object:
    """Run a Celery task in this process and wait for it.

    Selgeo names its tasks `<app>.<task>` and declares them in `<app>/tasks.py`: that one
    module is imported (registering the task), not every app's as a worker would.
    """
    from selgeo.celery import app

    importlib.import_module(f"{name.partition('.')[0]}.tasks")
    # Called as a function: the task runs here, without a worker's per-run log line (the
    # webhook sweep runs every ten seconds and would fill the server's console).
    return app.tasks[name]()


def is_serving_process(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Whether this process is `runserver`'s serving one (not the autoreloader's parent)."""
    if len(argv) < 2 or argv[1] != "runserver":
        return False
    return environ.get("RUN_MAIN") == "true" or "--noreload" in argv


class EmbeddedScheduler:
    def __init__(
        self,
        schedule: Mapping[str, Mapping[str, Any]],
        *,
        run: Runner = run_task_inline,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.schedule = {name: float(entry["schedule"]) for name, entry in schedule.items()}
        self.tasks = {name: str(entry["task"]) for name, entry in schedule.items()}
        self.run = run
        self.clock = clock
        self.next_at: dict[str, float] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def tick(self) -> list[str]:
        """Run every entry that is due (all of them on the first tick); their names."""
        now = self.clock()
        ran = []
        for name, every in self.schedule.items():
            if self.next_at.get(name, now) > now:
                continue
            self.next_at[name] = now + every
            try:
                self.run(self.tasks[name])
            except Exception:
                # A failing task must not stop the others, or the thread: it is logged
                # with its traceback and tried again at its next interval.
                logger.exception("scheduled task %s failed", self.tasks[name])
            ran.append(name)
        return ran

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            finally:
                # This thread's database connection is closed between ticks, as a
                # request's is, so a restarted database never leaves it broken.
                close_old_connections()
            self._stop.wait(1.0)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="selgeo-scheduler", daemon=True)
        self._thread.start()
        logger.info(
            "Embedded scheduler started in process %s: %s",
            os.getpid(),
            ", ".join(sorted(self.tasks.values())),
        )

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


def start_if_serving(argv: Sequence[str], environ: Mapping[str, str]) -> EmbeddedScheduler | None:
    from django.conf import settings

    if not settings.SELGEO_EMBEDDED_SCHEDULER or not is_serving_process(argv, environ):
        return None
    scheduler = EmbeddedScheduler(settings.CELERY_BEAT_SCHEDULE)
    scheduler.start()
    return scheduler
