"""A real Celery worker killed (SIGKILL, whole process group) mid-delivery: the event still arrives.

The worker runs against this test's database (PostgreSQL, or the SQLite test file) on a
queue of its own: on the Redis broker when one is configured, else on kombu's
`filesystem://` broker in a folder of this test's, which needs no server. The receiver
holds the first request open; the test kills the worker while it waits, starts another
one and lets the sweep find the attempt whose lease ran out.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection, transaction
from kombu import pools
from kombu.utils.collections import eqhash

from selgeo.celery import app as celery_app
from selgeo.settings import FILESYSTEM_BROKER_TRANSPORT, filesystem_broker_options
from tests.webhooks.receiver import Reply
from webhooks import services, tasks
from webhooks.models import Delivery

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def _database_env() -> dict[str, str]:
    """How a worker reaches this test's database."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database is a file (see settings): the worker opens that very file and
        # must not create one of its own, so it has to be there already.
        path = Path(db["NAME"])
        assert path.is_file(), f"the SQLite test database is not a file: {db['NAME']}"
        return {"SELGEO_SQLITE_PATH": str(path.resolve())}
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return {"DATABASE_URL": f"postgres://{auth}@{host}:{port}/{db['NAME']}"}


def _drop_broker_pools() -> None:
    """Forget the app's cached broker pools, so the next use opens them for the current broker.

    The same resets Celery makes after a fork: the connection pool, the producer pool and
    the remote-control mailbox's producer pool.
    """
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.control.mailbox.__dict__.pop("producer_pool", None)


class FilesystemBroker:
    """kombu's `filesystem://` broker in a folder shared by this process and its workers."""

    url = "filesystem://"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {"CELERY_BROKER_URL": self.url, "SELGEO_CELERY_BROKER_DIR": str(folder)}

    def __enter__(self) -> FilesystemBroker:
        """Make this process publish (tasks and remote control) to the folder's broker."""
        conf = celery_app.conf
        self.previous = {
            "broker_url": conf.broker_url,
            "broker_transport": conf.broker_transport,
            "broker_transport_options": conf.broker_transport_options,
        }
        _drop_broker_pools()
        conf.update(
            broker_url=self.url,
            broker_transport=FILESYSTEM_BROKER_TRANSPORT,
            broker_transport_options=filesystem_broker_options(self.folder),
        )
        assert celery_app.conf.broker_url == self.url, "CELERY_BROKER_URL overrides the switch"
        return self

    def __exit__(self, *exc: object) -> None:
        # Close what this test opened on the folder's broker and drop it from kombu's
        # registries; the app's own broker pools are found again there on next use.
        with celery_app.connection_for_write() as unused:
            key = eqhash(unused)
        for group in (pools.producers, pools.connections):
            pool = group.pop(key, None)
            if pool is not None:
                pool.force_close_all()
        _drop_broker_pools()
        celery_app.conf.update(self.previous)
        shutil.rmtree(self.folder, ignore_errors=True)


class Workers:
    def __init__(self, queue: str, broker_env: dict[str, str]) -> None:
        self.queue = queue
        self.running: list[subprocess.Popen[bytes]] = []
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        self.env = {
            **env,
            **_database_env(),
            **broker_env,
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


def _forget_redis_queue(queue: str) -> None:
    """Remove a queue, its bindings and its unacknowledged messages from the Redis broker."""
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    client.delete(queue, f"_kombu.binding.{queue}")
    client.delete(f"_kombu.binding_permanent.{queue}")
    for tag, raw in client.hgetall("unacked").items():
        if queue.encode() in raw:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


@pytest.fixture
def workers() -> Iterator[Workers]:
    queue = f"selgeo-test-{uuid.uuid4().hex[:10]}"
    on_redis = django_settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    broker = None if on_redis else FilesystemBroker(ROOT / "var" / f"celery-broker-{queue}")
    pool = Workers(queue, broker.env if broker else {})
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    with broker or nullcontext():
        try:
            yield pool
        finally:
            pool.stop_all()
            celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
            if on_redis:
                _forget_redis_queue(queue)


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
