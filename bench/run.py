"""Selgeo hot-path benchmark: gunicorn on PostgreSQL + Redis, driven by wrk on loopback.

Prints req/s and p50/p99 latency for (a) GET /api/v1/ping, the no-op floor through the
same stack, (b) POST /v1/clicks, (c) POST /api/v1/conversions with attribution and a
commission, and each one's ratio to (a). The three run one after another in each of
several rounds (three by default) and each round's ratios are its own, so a slow spell
of a shared machine moves a round rather than one scenario; the median is the figure.

    make bench            # or: .venv/bin/python bench/run.py [--duration 15] [--rounds 3]

With --ceiling, each round also runs bench/ceiling.py's endpoint: a conversion's two
statements through the same stack with no attribution or model code, the most a
reported conversion could reach on this stack (the server then has that endpoint too).

Needs wrk (Debian package `wrk`), a PostgreSQL server and a Redis server. It uses
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/selgeo_bench, created if
missing) and BENCH_REDIS_URL (default redis://127.0.0.1:6379/9). Rate limits are turned
off with SELGEO_RATELIMITS_ENABLED=0, the setting that exists for this.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import environment  # noqa: E402

PY = sys.executable
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
NOOP = "no-op GET /api/v1/ping"
CONVERSIONS = "/api/v1/conversions"
# bench/ceiling.py: the same statements with no attribution or model code (--ceiling).
CEILING = "/bench/ceiling/conversions"

# What each benchmarked click and conversion sends, besides its ids (bench/instructions.py
# sends the same).
CLICK_VISIT = {
    "landing_url": "https://shop.example.com/p/1",
    "referrer": "https://blog.example.org/review",
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36",
}
SALE = {"event_type": "purchase", "amount_cents": 4999, "currency": "EUR"}

CLICK_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {pk}"
wrk.body = '{body}'
"""

CONVERSION_LUA = """
local clicks = {{{clicks}}}
local counter = 0
local next_id = 0
-- thread_id is a global that setup() assigns in each thread's own Lua state.
setup = function(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end
request = function()
  counter = counter + 1
  local click = clicks[(counter % #clicks) + 1]
  local body = string.format(
    '{{"click_id": "%s", "external_transaction_id": "bench-{run}-%d-%d", \
"customer_id": "cust-%d-%d", {sale}}}',
    click, thread_id, counter, thread_id, counter)
  return wrk.format("POST", "{path}", {{
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer {sk}",
  }}, body)
end
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": environment.DATABASE_URL,
            "REDIS_URL": environment.REDIS_URL,
            **environment.PRODUCTION_ON_LOOPBACK,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SELGEO_TASKS_EAGER": "0",
        }
    )
    return env


def _ensure_database(env: dict[str, str]) -> None:
    url = env["DATABASE_URL"]
    name = url.rsplit("/", 1)[-1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    probe = subprocess.run(
        ["psql", admin, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
    )
    if probe.stdout.strip() != "1":
        subprocess.run(["psql", admin, "-c", f'CREATE DATABASE "{name}"'], check=True)


def _wait_for_server() -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{BASE}/api/v1/ping", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


SERVER_PROCESSES = ("gunicorn", "postgres", "redis-server")


def _pids() -> set[str]:
    return {entry for entry in os.listdir("/proc") if entry.isdigit()}


def _cpu_seconds() -> dict[str, float]:
    """CPU time (user + system) used so far by the server side, per process name.

    A process's reaped children count too (PostgreSQL's postmaster reaps backends that
    close their connection), so a process exiting during a run does not take its CPU
    time out of the sum. A child reaped while the scan runs would be missed (gone when
    its turn comes, its parent read before): a scan during which a process went away is
    redone.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    for _attempt in range(50):
        present = _pids()
        used = dict.fromkeys(SERVER_PROCESSES, 0.0)
        for pid in sorted(present, key=int):
            try:
                text = Path("/proc", pid, "stat").read_text()
            except OSError:
                continue
            name = text[text.index("(") + 1 : text.rindex(")")]
            if name in used:
                fields = text[text.rindex(")") + 2 :].split()
                used[name] += sum(int(value) for value in fields[11:15]) / ticks
        if present <= _pids():
            break
    return used


def _wrk(args: list[str], duration: int) -> dict[str, float]:
    command = ["wrk", "--latency", "-t2", "-c32", f"-d{duration}s", *args]
    before = _cpu_seconds()
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    after = _cpu_seconds()
    rps_match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total_match = re.search(r"(\d+) requests in", output)
    if rps_match is None or total_match is None:
        raise SystemExit(output)
    requests = max(1, int(total_match.group(1)))
    # Milliseconds of CPU per request, server side: steadier than req/s on a shared machine.
    cpu = {name: (after[name] - before[name]) * 1000 / requests for name in SERVER_PROCESSES}
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)

    def percentile(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if match is None:
            raise SystemExit(output)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {
        "rps": float(rps_match.group(1)),
        "p50_ms": percentile("50"),
        "p99_ms": percentile("99"),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
        "cpu_app_ms": cpu["gunicorn"],
        "cpu_db_ms": cpu["postgres"] + cpu["redis-server"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Selgeo hot-path benchmark")
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--rounds", type=int, default=3, help="runs of every scenario; ratios are per round"
    )
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="also measure bench/ceiling.py: a conversion's statements and nothing else",
    )
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    env = _env()
    _ensure_database(env)
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run(
        [PY, "bench/seed.py"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    if options.ceiling:
        # Selgeo's settings and URLs, with the ceiling endpoint appended.
        env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    server = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "selgeo.wsgi",
            f"--workers={options.workers}",
            f"--bind=127.0.0.1:{PORT}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    rounds: list[dict[str, dict[str, float]]] = []
    try:
        _wait_for_server()
        with tempfile.TemporaryDirectory() as tmp:
            click_lua = Path(tmp, "click.lua")
            click_body = json.dumps({"referral_code": seed["referral_code"], **CLICK_VISIT})
            click_lua.write_text(CLICK_LUA.format(pk=seed["pk"], body=click_body))
            for number in range(options.rounds):
                results = {
                    NOOP: _wrk([f"{BASE}/api/v1/ping"], options.duration),
                    "POST /v1/clicks": _wrk(
                        ["-s", str(click_lua), f"{BASE}/v1/clicks"], options.duration
                    ),
                }
                paths = [CONVERSIONS, CEILING] if options.ceiling else [CONVERSIONS]
                for path in paths:
                    # Every run reports new transaction ids: a repeated one would be a 409.
                    lua = Path(tmp, f"conversion-{number}-{len(results)}.lua")
                    lua.write_text(
                        CONVERSION_LUA.format(
                            clicks=", ".join(f'"{c}"' for c in seed["click_ids"]),
                            sk=seed["sk"],
                            run=f"{int(time.time())}-{number}-{len(results)}",
                            path=path,
                            sale=json.dumps(SALE)[1:-1],
                        )
                    )
                    name = f"POST {path}" if path == CONVERSIONS else "ceiling (bench/ceiling.py)"
                    results[name] = _wrk(["-s", str(lua), f"{BASE}{path}"], options.duration)
                rounds.append(results)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(
        f"gunicorn {options.workers} sync workers, wrk 2 threads x 32 connections, "
        f"{options.duration}s per scenario, {options.rounds} rounds (each round runs every "
        "scenario, so a ratio compares runs minutes apart at most)"
    )
    header = (
        f"{'scenario':32} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs no-op':>9} {'non-2xx':>8}"
        f" {'cpu/req app':>12} {'cpu/req db':>11}"
    )
    ratios: dict[str, list[float]] = {}
    for number, results in enumerate(rounds, start=1):
        print(f"round {number}")
        print(header)
        floor = results[NOOP]["rps"]
        for name, r in results.items():
            ratios.setdefault(name, []).append(r["rps"] / floor)
            print(
                f"{name:32} {r['rps']:9.0f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} "
                f"{r['rps'] / floor:9.0%} {r['errors']:8.0f}"
                f" {r['cpu_app_ms']:9.2f} ms {r['cpu_db_ms']:8.2f} ms"
            )
    print("median share of the no-op's req/s over the rounds (lowest, highest)")
    for name, values in ratios.items():
        if name != NOOP:
            print(
                f"{name:32} {statistics.median(values):9.0%}   "
                f"({min(values):.0%}, {max(values):.0%})"
            )


if __name__ == "__main__":
    main()
