"""Instructions per request, counted by valgrind: a hot-path figure no neighbour can move.

`make bench` measures req/s on a shared machine, where another tenant's load moves a
run by several points. This counts the CPU instructions the application itself spends
per request (Django's whole middleware and DRF stack, the view, psycopg and libpq;
not gunicorn, the kernel or PostgreSQL), under `valgrind --tool=callgrind`, which gives
the same count for the same code and data however busy the machine is. Use it to tell
whether a change to a hot path helps; use `make bench` for what a server does.

    .venv/bin/python bench/instructions.py [--requests 200]

Each scenario runs in its own process, twice: with a warm-up and a few requests, and
with the same plus `--requests` more; the difference over `--requests` is the count per
request, free of start-up. Needs valgrind (Debian package `valgrind`) and the same
PostgreSQL and Redis as `bench/run.py`, whose database and seed it uses. About a minute
per scenario.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import CLICK_VISIT, PY, ROOT, SALE, _ensure_database, _env

SCENARIOS = ("no-op GET /api/v1/ping", "POST /v1/clicks", "POST /api/v1/conversions")
WARM_UP = 30
BASELINE = 20

# Runs inside valgrind: requests through Django's test client, in-process.
DRIVER = """
import json, os, sys, uuid
sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "selgeo.settings"
import django
django.setup()
from django.test import Client

seed = json.loads({seed!r})
scenario, count = {scenario!r}, int(sys.argv[1])
client = Client()
run = uuid.uuid4().hex

def ping(i):
    return client.get("/api/v1/ping")

def click(i):
    return client.post(
        "/v1/clicks",
        {{"referral_code": seed["referral_code"], **{visit!r}}},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer " + seed["pk"],
    )

def conversion(i):
    return client.post(
        "/api/v1/conversions",
        {{"click_id": seed["click_ids"][i % len(seed["click_ids"])],
          "external_transaction_id": f"instr-{{run}}-{{i}}", "customer_id": f"cust-{{run}}-{{i}}",
          **{sale!r}}},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer " + seed["sk"],
    )

send = {{"no-op GET /api/v1/ping": ping, "POST /v1/clicks": click,
        "POST /api/v1/conversions": conversion}}[scenario]
expected = 200 if scenario.startswith("no-op") else 201
for i in range(count):
    response = send(i)
    assert response.status_code == expected, response.content
"""


def _instructions(env: dict[str, str], driver: Path, count: int) -> int:
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            PY,
            str(driver),
            str(count),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    match = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or match is None:
        raise SystemExit(result.stderr[-3000:])
    return int(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description="Selgeo instructions per request")
    parser.add_argument("--requests", type=int, default=200, help="requests counted")
    options = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed: apt-get install valgrind")
    env = _env()
    env["ALLOWED_HOSTS"] = "testserver"
    _ensure_database(env)
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run(
        [PY, "bench/seed.py"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    seed = seeded.stdout.strip().splitlines()[-1]
    per_request: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="selgeo-instructions-") as tmp:
        for number, scenario in enumerate(SCENARIOS):
            driver = Path(tmp, f"driver-{number}.py")
            driver.write_text(
                DRIVER.format(
                    root=str(ROOT), seed=seed, scenario=scenario, visit=CLICK_VISIT, sale=SALE
                )
            )
            low = _instructions(env, driver, WARM_UP + BASELINE)
            high = _instructions(env, driver, WARM_UP + BASELINE + options.requests)
            per_request[scenario] = (high - low) / options.requests
    floor = per_request[SCENARIOS[0]]
    print(f"instructions per request in-process (valgrind), {options.requests} requests counted")
    print(f"{'scenario':32} {'instructions':>14} {'vs no-op':>9}")
    for scenario, count in per_request.items():
        print(f"{scenario:32} {count / 1e6:12.3f} M {count / floor:8.2f}x")
    print(json.dumps({name: round(count) for name, count in per_request.items()}))


if __name__ == "__main__":
    main()
