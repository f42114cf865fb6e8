"""Webhook delivery throughput: events per second delivered to a local receiver by one worker.

    .venv/bin/python bench/webhooks_throughput.py [--events 1000] [--mode worker|inline]

`worker` (the default) starts one Celery worker process (prefork, concurrency 1) on the
Redis broker, commits the events in one transaction and times from the commit until every
delivery is recorded as succeeded: dispatch, signing, HTTP and bookkeeping, as in
production. `inline` runs the same tasks eagerly in this process, without the broker.

Uses DATABASE_URL (PostgreSQL, migrated here if needed) and REDIS_URL (the broker, for
`worker`). The receiver is a keep-alive HTTP server on 127.0.0.1 answering 200 at once,
so the figure is Selgeo's cost per delivery, not a receiver's. The rows it creates (a
merchant named bench-webhooks-…) are deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selgeo.settings")
# Outside production loopback receivers are allowed; this makes sure of it.
os.environ.setdefault("SELGEO_WEBHOOKS_ALLOW_LOOPBACK", "1")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    received = 0
    lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with _Handler.lock:
            _Handler.received += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def _start_receiver() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    ).start()
    return server


def _start_worker(queue: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SELGEO_TASKS_EAGER": "0", "SELGEO_CELERY_QUEUE": queue}
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
            "--loglevel=" + os.environ.get("BENCH_WORKER_LOGLEVEL", "WARNING"),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    return worker


def _wait_for_worker(app: Any, queue: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=1.0):
            return
    raise SystemExit("The Celery worker did not start")


def _forget_queue(app: Any, queue: str) -> None:
    """Delete the bench's own queue and its bindings from the broker."""
    import redis

    with app.connection_for_write() as connection:
        connection.default_channel.queue_delete(queue)
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete(f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--mode", choices=["worker", "inline"], default="worker")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL (PostgreSQL) first")
    if args.mode == "worker" and not os.environ.get("REDIS_URL"):
        raise SystemExit("Set REDIS_URL (the broker) for --mode worker, or use --mode inline")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from accounts.models import Merchant
    from selgeo.celery import app
    from webhooks import services
    from webhooks.models import Delivery

    call_command("migrate", verbosity=0)
    receiver = _start_receiver()
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    suffix = uuid.uuid4().hex[:10]
    merchant = Merchant.objects.create(name="Bench webhooks", slug=f"bench-webhooks-{suffix}")
    endpoint = services.endpoint_create(merchant=merchant, mode="test", url=url)
    queue = f"bench-webhooks-{suffix}"
    worker = None
    try:
        if args.mode == "worker":
            app.conf.task_always_eager = False
            app.conf.task_default_queue = queue
            worker = _start_worker(queue)
            _wait_for_worker(app, queue)
        else:
            app.conf.task_always_eager = True
        delivered = Delivery.objects.filter(endpoint=endpoint, status="succeeded")
        with transaction.atomic():
            for n in range(args.events):
                services.emit(
                    merchant=merchant,
                    mode="test",
                    type="conversion.created",
                    data={"id": str(uuid.uuid4()), "n": n, "amount_cents": 4900},
                )
            started = time.monotonic()
        while delivered.count() < args.events:
            if time.monotonic() - started > 600:
                raise SystemExit("Deliveries did not complete within 10 minutes")
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        print(
            f"webhooks: {args.events} events delivered in {elapsed:.2f} s = "
            f"{args.events / elapsed:.0f} events/s (one worker, {args.mode}; "
            f"receiver saw {_Handler.received} requests)"
        )
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
            _forget_queue(app, queue)
        receiver.shutdown()
        merchant.delete()


if __name__ == "__main__":
    main()
