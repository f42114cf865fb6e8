"""A real Celery worker killed (SIGKILL, whole process group) mid-delivery: the event still arrives.

The worker runs against this test's PostgreSQL database and the Redis broker, on a queue
of its own. The receiver holds the first request open; the test kills the worker while
it waits, starts another one and lets the sweep find the attempt whose lease ran out.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection, transaction

from selgeo.celery import app as celery_app
from tests.webhooks.receiver import Reply
from webhooks import services, tasks
from webhooks.models import Delivery

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    def __init__(self, queue: str) -> None:
        self.queue = queue
        self.running: list[subprocess.Popen[bytes]] = []
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "SELGEO_CELERY_QUEUE": queue,
            "SELGEO_TASKS_EAGER": "0",
            "SELGEO_ENV": "test",
            "SELGEO_WEBHOOKS_ALLOW_LOOPBACK": "1",
            "SELGEO_WEBHOOKS_TIMEOUT_SECONDS": "5",
            "SELGEO_WEBHOOKS_CLAIM_MARGIN_SECONDS": "1",
        }

    def start(self, name: str) -> subprocess.Popen[bytes]:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "selgeo",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                self.queue,
                "-n",
                f"{name}-{self.queue}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        self.running.append(worker)
        node = f"{name}-{self.queue}@{socket.gethostname()}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert worker.poll() is None, "the worker exited"
            if celery_app.control.ping(destination=[node], timeout=0.5):
                return worker
        raise AssertionError("the worker did not start within 30 s")

    def kill(self, worker: subprocess.Popen[bytes]) -> None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def stop_all(self) -> None:
        for worker in self.running:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
                    worker.wait(timeout=10)

    def forget_queue(self) -> None:
        """Remove this test's queue, bindings and unacknowledged messages from the broker."""
        client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
        client.delete(self.queue, f"_kombu.binding.{self.queue}")
        client.delete(f"_kombu.binding_permanent.{self.queue}")
        for tag, raw in client.hgetall("unacked").items():
            if self.queue.encode() in raw:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


@pytest.fixture
def workers() -> Iterator[Workers]:
    queue = f"selgeo-test-{uuid.uuid4().hex[:10]}"
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    pool = Workers(queue)
    try:
        yield pool
    finally:
        pool.stop_all()
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        pool.forget_queue()


def test_a_worker_killed_mid_delivery_leads_to_redelivery(merchant, receiver, workers):
    started = time.monotonic()
    receiver.replies.append(Reply(hang_seconds=30))
    endpoint = services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    first = workers.start("first")
    with transaction.atomic():
        event = services.emit(
            merchant=merchant, mode="test", type="conversion.created", data={"id": "order_1"}
        )
    assert receiver.arrived.wait(timeout=20), "the first worker never sent the event"
    workers.kill(first)
    lost = Delivery.objects.get(event=event, endpoint=endpoint)
    assert (lost.attempt, lost.status) == (1, "sending")

    workers.start("second")
    delivered = Delivery.objects.filter(event=event, endpoint=endpoint, status="succeeded")
    while not delivered.exists():
        assert time.monotonic() - started < 55, "not redelivered in time"
        tasks.sweep.delay()
        time.sleep(0.5)

    attempts = list(Delivery.objects.filter(event=event).order_by("attempt"))
    assert [(a.attempt, a.status) for a in attempts] == [(1, "failed"), (2, "succeeded")]
    assert attempts[0].error == "No answer was recorded: the worker stopped during the attempt"
    assert [r.headers["webhook-id"] for r in receiver.requests] == [event.public_id] * 2
    assert json.loads(receiver.requests[1].body)["data"] == {"id": "order_1"}
