"""Webhook delivery throughput and latency: one worker process, three local receivers.

    .venv/bin/python bench/webhooks_throughput.py [--events 10000] [--paced 2000]
        [--slow-seconds 5] [--limit 300] [--code-root PATH]

Three merchants, each with one endpoint on a receiver of its own (a separate process on
127.0.0.1 answering 200 at once over keep-alive connections). One Celery worker process
(prefork, concurrency 1; it sends on SELGEO_WEBHOOKS_SEND_THREADS threads, at most
SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY per endpoint) on the Redis broker. Three runs:

1. burst: `--events` events, a third per merchant, committed 100 per transaction before
   the worker starts; deliveries per second from the first receipt to the last.
2. paced: `--paced` events at about 150 per second, 10 per transaction: the worker is not
   saturated, and the latency from each commit to its receipt is the one a merchant sees.
   What a run left undelivered (past `--limit`) is cancelled before the next one starts.
3. slow: the burst again (a fresh worker) with the first receiver answering only after
   `--slow-seconds` (past the worker's 3 s timeout): deliveries per second to the others.

First, the ceilings on this machine: the same signed requests through the same transport
and threads without the database, and a database round trip. Latency is from the commit
(taken right after it returns) to the moment the receiver has read the request, both on
this machine's clock; p50/p95 over every first receipt.
`--code-root` runs the same scenarios against another checkout (the code before a
change); each run stops after `--limit` seconds and reports what was delivered by then.

Uses DATABASE_URL (PostgreSQL, migrated here if needed) and REDIS_URL. The merchants it
creates (bench-webhooks-…) are deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Outside production loopback receivers are allowed; this makes sure of it.
os.environ.setdefault("SELGEO_WEBHOOKS_ALLOW_LOOPBACK", "1")
TIMEOUT_SECONDS = "3"


def _serve(port_out: Any, delay: Any) -> None:
    """A receiver process: records when each webhook-id arrived; GET /dump returns them."""
    received: dict[str, float] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            arrived = time.time()
            if delay.value:
                time.sleep(delay.value)
            else:
                with lock:
                    received.setdefault(self.headers.get("webhook-id", ""), arrived)
            try:
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                self.close_connection = True

        def do_GET(self) -> None:
            with lock:
                body = json.dumps(received if self.path == "/dump" else len(received)).encode()
                if self.path == "/reset":
                    received.clear()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    port_out.value = server.server_address[1]
    server.serve_forever(poll_interval=0.1)


class Receiver:
    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.port = context.Value("i", 0)
        self.delay = context.Value("d", 0.0)
        self.process = context.Process(target=_serve, args=(self.port, self.delay), daemon=True)
        self.process.start()
        while not self.port.value:
            time.sleep(0.01)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port.value}/hook"

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port.value}{path}") as answer:
            return json.loads(answer.read())

    def count(self) -> int:
        return int(self._get("/count"))

    def dump(self) -> dict[str, float]:
        return dict(self._get("/dump"))

    def reset(self) -> None:
        self._get("/reset")


def _start_worker(queue: str, code_root: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SELGEO_TASKS_EAGER": "0",
        "SELGEO_CELERY_QUEUE": queue,
        "SELGEO_WEBHOOKS_TIMEOUT_SECONDS": TIMEOUT_SECONDS,
        "SELGEO_WEBHOOKS_CLAIM_MARGIN_SECONDS": "10",
    }
    return subprocess.Popen(
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
        cwd=code_root,
        env=env,
        start_new_session=True,
    )


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


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _commit(
    merchants: list[Any], events: int, per_transaction: int, rate: float
) -> dict[str, float]:
    """Commit events round-robin over the merchants; the commit time of each event id.

    Written as the hot paths write them (one insert per transaction, dispatched on its
    commit), so that the bench's own writing is not what is measured.
    """
    from django.db import transaction
    from django.utils import timezone

    from webhooks import services
    from webhooks.models import Event

    committed: dict[str, float] = {}
    started = time.monotonic()
    for first in range(0, events, per_transaction):
        with transaction.atomic():
            now = timezone.now()
            built = [
                services.event_build(
                    merchant=merchants[n % len(merchants)],
                    mode="test",
                    type="conversion.created",
                    data={"id": str(uuid.uuid4()), "n": n, "amount_cents": 4900},
                    now=now,
                )
                for n in range(first, min(events, first + per_transaction))
            ]
            Event.objects.bulk_create(built)
            services.events_recorded(built)
        moment = time.time()
        committed.update(dict.fromkeys((e.public_id for e in built), moment))
        if rate:
            ahead = started + (first + per_transaction) / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    return committed


def _forget_backlog(merchants: list[Any], worker: Worker) -> None:
    """What an earlier run left undelivered is cancelled, and its messages dropped from
    the broker: each run starts from nothing."""
    from django.utils import timezone

    with worker.app.connection_for_write() as connection:
        connection.default_channel.queue_purge(worker.queue)

    from webhooks.models import Delivery, Event

    Event.objects.filter(merchant__in=merchants, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now()
    )
    Delivery.objects.filter(endpoint__merchant__in=merchants, status="pending").update(
        status="cancelled", error="Left over by an earlier benchmark run"
    )


class Worker:
    """The one worker process, started and stopped around the runs."""

    def __init__(self, app: Any, queue: str, code_root: Path) -> None:
        self.app, self.queue, self.code_root = app, queue, code_root
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        self.process = _start_worker(self.queue, self.code_root)
        _wait_for_worker(self.app, self.queue)
        return time.time()

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


def _run(
    name: str,
    merchants: list[Any],
    receivers: list[Receiver],
    worker: Worker,
    *,
    events: int,
    per_transaction: int,
    rate: float,
    limit: float,
    measured: list[int],
    backlog: bool,
) -> None:
    """One run. With `backlog`, every event is committed before the worker starts, and
    the rate is taken from the first receipt to the last: the worker's, not the
    bench's. Without, the worker runs while the events are committed."""
    _forget_backlog(merchants, worker)
    for receiver in receivers:
        receiver.reset()
    if backlog:
        worker.stop()
    committed = _commit(merchants, events, per_transaction, rate)
    started = worker.start() if backlog else min(committed.values())
    expected = sum(1 for n in range(events) if n % len(merchants) in measured)
    while sum(receivers[i].count() for i in measured) < expected:
        if time.time() - started > limit:
            break
        time.sleep(0.05)
    arrivals: dict[str, float] = {}
    for i in measured:
        arrivals.update(receivers[i].dump())
    lags = [arrivals[e] - committed[e] for e in arrivals if e in committed]
    first = min(arrivals.values(), default=started)
    last = max(arrivals.values(), default=started)
    rate_from = first if backlog else started
    elapsed = max(last - rate_from, 1e-9)
    figures = f"{len(lags)}/{expected} deliveries to receivers {[i + 1 for i in measured]}"
    if backlog:
        print(
            f"{name}: {figures} in {elapsed:.1f} s from the first receipt = "
            f"{len(lags) / elapsed:.0f}/s ({last - started:.1f} s from the worker's start)",
            flush=True,
        )
        return
    print(
        f"{name}: {figures} in {elapsed:.1f} s = {len(lags) / elapsed:.0f}/s; "
        f"commit-to-receipt p50 {_percentile(lags, 0.5) * 1000:.0f} ms, "
        f"p95 {_percentile(lags, 0.95) * 1000:.0f} ms",
        flush=True,
    )


def _ceilings(receivers: list[Receiver], count: int) -> None:
    """What this machine allows without Selgeo's bookkeeping: the same signed requests
    through the same transport and threads with no database, and a database round trip."""
    from concurrent.futures import ThreadPoolExecutor

    from django.conf import settings
    from django.db import connection

    from webhooks import signing, transport

    secret = signing.generate_secret()
    body = json.dumps({"type": "conversion.created", "data": {"amount_cents": 4900}}).encode()

    def send(n: int) -> bool:
        headers = signing.headers_for(
            secrets=[secret], msg_id=f"msg_{n}", timestamp=int(time.time()), body=body
        )
        return transport.post(
            receivers[n % len(receivers)].url,
            body=body,
            headers=headers,
            timeout=3.0,
            max_body=2048,
            allow_loopback=True,
        ).ok

    threads = int(settings.SELGEO_WEBHOOKS_SEND_THREADS)
    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        sent = sum(pool.map(send, range(count)))
    elapsed = time.monotonic() - started
    rounds = []
    with connection.cursor() as cursor:
        for _ in range(200):
            begin = time.monotonic()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            rounds.append(time.monotonic() - begin)
    print(
        f"ceiling: {sent} signed requests through the transport on {threads} threads, no "
        f"database: {sent / elapsed:.0f}/s; PostgreSQL round trip (SELECT 1) median "
        f"{_percentile(rounds, 0.5) * 1000:.1f} ms, p95 {_percentile(rounds, 0.95) * 1000:.1f} ms",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--paced", type=int, default=2000)
    parser.add_argument("--slow-seconds", type=float, default=5.0)
    parser.add_argument("--limit", type=float, default=300.0)
    parser.add_argument("--code-root", type=Path, default=ROOT)
    parser.add_argument("--skip", default="", help="comma-separated: ceiling,burst,paced,slow")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL (the broker) first")
    code_root = args.code_root.resolve()
    sys.path.insert(0, str(code_root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selgeo.settings")
    receivers = [Receiver() for _ in range(3)]

    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import Merchant
    from selgeo.celery import app
    from webhooks import services

    call_command("migrate", verbosity=0)
    suffix = uuid.uuid4().hex[:10]
    merchants = [
        Merchant.objects.create(name=f"Bench webhooks {i}", slug=f"bench-webhooks-{suffix}-{i}")
        for i in range(3)
    ]
    for merchant, receiver in zip(merchants, receivers, strict=True):
        services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    queue = f"bench-webhooks-{suffix}"
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    worker = Worker(app, queue, code_root)
    skip = set(args.skip.split(","))
    print(
        f"code: {code_root}; one worker process (prefork, concurrency 1), "
        f"SELGEO_WEBHOOKS_SEND_THREADS={os.environ.get('SELGEO_WEBHOOKS_SEND_THREADS', 'default')}"
        f", timeout {TIMEOUT_SECONDS} s; load: {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    runs = {
        "burst": dict(events=args.events, per_transaction=100, rate=0, backlog=True),
        "paced": dict(events=args.paced, per_transaction=10, rate=150, backlog=False),
        "slow": dict(events=args.events, per_transaction=100, rate=0, backlog=True),
    }
    try:
        if "ceiling" not in skip:
            _ceilings(receivers, args.events)
        worker.start()
        for name, run in runs.items():
            if name in skip:
                continue
            measured = [0, 1, 2]
            if name == "slow":
                receivers[0].delay.value = args.slow_seconds
                measured = [1, 2]
                name = f"slow (receiver 1 answers after {args.slow_seconds:g} s)"
            _run(
                name,
                merchants,
                receivers,
                worker,
                limit=args.limit,
                measured=measured,
                **run,
            )
        print(f"load after: {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        worker.stop()
        _forget_queue(app, queue)
        for receiver in receivers:
            receiver.process.terminate()
        for merchant in merchants:
            merchant.delete()


if __name__ == "__main__":
    main()
