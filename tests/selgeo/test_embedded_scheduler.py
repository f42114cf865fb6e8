"""`make run` runs the beat schedule: a scheduler thread in runserver's serving process,
so the demo's due commissions leave `pending` without anyone running a command."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from conversions.models import Commission
from selgeo.scheduler import EmbeddedScheduler, is_serving_process, run_task_inline
from tests.conftest import api_client
from tests.conversions.factories import ClickFactory, ProgramFactory
from tests.embedded import ROOT, EmbeddedSite
from tests.tracking.conftest import BROWSER_UA


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_first_tick_runs_every_entry_then_each_at_its_interval():
    clock, ran = FakeClock(), []
    scheduler = EmbeddedScheduler(
        {"fast": {"task": "a.fast", "schedule": 10.0}, "slow": {"task": "a.slow", "schedule": 300}},
        run=ran.append,
        clock=clock,
    )
    assert scheduler.tick() == ["fast", "slow"]
    clock.now += 9.9
    assert scheduler.tick() == []
    clock.now += 0.1
    assert scheduler.tick() == ["fast"]
    clock.now += 290
    assert scheduler.tick() == ["fast", "slow"]
    assert ran == ["a.fast", "a.slow", "a.fast", "a.fast", "a.slow"]


def test_a_failing_task_is_logged_and_the_others_still_run(caplog):
    ran = []

    def run(name: str) -> None:
        if name == "a.broken":
            raise RuntimeError("the database is away")
        ran.append(name)

    scheduler = EmbeddedScheduler(
        {
            "broken": {"task": "a.broken", "schedule": 10.0},
            "fine": {"task": "a.fine", "schedule": 10.0},
        },
        run=run,
        clock=FakeClock(),
    )
    with caplog.at_level(logging.ERROR, logger="selgeo.scheduler"):
        assert scheduler.tick() == ["broken", "fine"]
    assert ran == ["a.fine"]
    assert [r.getMessage() for r in caplog.records] == ["scheduled task a.broken failed"]


@pytest.mark.parametrize(
    ("argv", "environ", "serving"),
    [
        (["manage.py", "runserver", "127.0.0.1:8000"], {"RUN_MAIN": "true"}, True),
        (["manage.py", "runserver", "127.0.0.1:8000"], {}, False),
        (["manage.py", "runserver", "--noreload"], {}, True),
        (["manage.py", "migrate"], {"RUN_MAIN": "true"}, False),
        (["celery", "-A", "selgeo", "worker"], {}, False),
        (["manage.py"], {}, False),
    ],
)
def test_only_runservers_serving_process_runs_the_schedule(argv, environ, serving):
    assert is_serving_process(argv, environ) is serving


def embedded_scheduler_setting(**env: str) -> bool:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SELGEO_", "DATABASE_URL", "REDIS_URL", "CELERY_"))
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from selgeo import settings as s; print(s.SELGEO_EMBEDDED_SCHEDULER)",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip() == "True"


def test_the_scheduler_is_on_by_default_only_when_embedded_in_development():
    assert embedded_scheduler_setting(SELGEO_ENV="development") is True
    assert embedded_scheduler_setting(SELGEO_ENV="development", REDIS_URL="redis://x/0") is False
    assert embedded_scheduler_setting(SELGEO_ENV="test") is False
    assert (
        embedded_scheduler_setting(SELGEO_ENV="development", SELGEO_EMBEDDED_SCHEDULER="0") is False
    )


def test_the_beat_schedule_has_only_tasks_the_scheduler_can_run():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        app_label, _, _ = str(entry["task"]).partition(".")
        assert (ROOT / app_label / "tasks.py").exists(), entry["task"]


@pytest.mark.django_db
def test_running_the_approval_entry_inline_approves_a_due_commission(merchant, partner, keys):
    program = ProgramFactory(merchant=merchant, mode="live", code="SHOES", hold_days=0)
    occurred = timezone.now() - timedelta(minutes=1)
    click = ClickFactory(program=program, partner=partner, created_at=occurred)
    response = api_client(keys.sk_live).post(
        "/api/v1/conversions",
        {
            "click_id": str(click.pk),
            "event_type": "purchase",
            "external_transaction_id": "order-1",
            "amount_cents": 4900,
            "currency": "EUR",
            "occurred_at": occurred.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    commission = Commission.objects.get()
    assert commission.status == "pending"
    task = settings.CELERY_BEAT_SCHEDULE["approve-due-commissions"]["task"]
    assert run_task_inline(str(task)) == 1
    commission.refresh_from_db()
    assert commission.status == "approved"
    assert run_task_inline(str(task)) == 0


def _follow_and_buy(site: EmbeddedSite, printed: str) -> str:
    link = re.search(r"live link: (\S+)", printed)[1]  # type: ignore[index]
    secret = re.search(r"sk_live:\s+(\S+)", printed)[1]  # type: ignore[index]

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(link, headers={"User-Agent": BROWSER_UA})
    try:
        opener.open(request, timeout=10)
    except urllib.error.HTTPError as redirect:
        landing = redirect.headers["Location"]
    click_id = landing.rpartition("selgeo_click_id=")[2]
    report = urllib.request.Request(
        f"{site.base}/api/v1/conversions",
        data=json.dumps(
            {
                "click_id": click_id,
                "event_type": "purchase",
                "external_transaction_id": "order-1",
                "amount_cents": 4900,
                "currency": "EUR",
            }
        ).encode(),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(report, timeout=10) as response:
        body = json.loads(response.read())
    assert (body["attributed"], body["commission"]["status"]) == (True, "pending")
    return str(body["commission"]["id"])


def test_make_runs_server_approves_the_demos_due_commissions_by_itself(tmp_path: Path):
    site = EmbeddedSite(tmp_path)
    printed = site.seed()
    with site.serve() as first:
        commission_id = _follow_and_buy(site, printed)
    status = "from conversions.models import Commission as C; print(C.objects.get(pk='{}').status)"
    # The demo holds nothing: it is due at once, and the next run of the schedule
    # (here the one the next `make run` starts with) approves it; no command is run.
    assert site.shell(status.format(commission_id)).splitlines()[-1] == "pending"
    with site.serve() as second:
        deadline = time.monotonic() + 30
        while site.shell(status.format(commission_id)).splitlines()[-1] != "approved":
            assert time.monotonic() < deadline, site.log.read_text()
            time.sleep(0.5)
    started = re.findall(r"Embedded scheduler started in process (\d+)", site.log.read_text())
    # One scheduler per server, in its serving child, never in the autoreloader's parent.
    assert len(started) == 2
    assert {int(pid) for pid in started}.isdisjoint({first.pid, second.pid})
