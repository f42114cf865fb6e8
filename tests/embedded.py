"""A Selgeo as `make run` starts it, for tests that go through what a newcomer does.

Its own SQLite file and local memory (no DATABASE_URL, no REDIS_URL), the demo seeded by
`manage.py selgeo_demo`, and `manage.py runserver` with its autoreloader, on a free port
passed on as SELGEO_HOST/SELGEO_PORT as the Makefile does.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EmbeddedSite:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.keys_file = folder / "demo-keys.json"
        self.log = folder / "server.log"
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SELGEO_", "DATABASE_URL", "REDIS_URL", "CELERY_"))
        }
        self.env = {
            **clean,
            "SELGEO_ENV": "development",
            "SELGEO_SQLITE_PATH": str(folder / "selgeo.sqlite3"),
            "SELGEO_HOST": "127.0.0.1",
            "SELGEO_PORT": str(self.port),
            "SELGEO_DEMO_KEYS_FILE": str(self.keys_file),
            "SELGEO_CELERY_BROKER_DIR": str(folder / "broker"),
            "PYTHONUNBUFFERED": "1",
        }

    def manage(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def seed(self) -> str:
        """`make demo`: migrate, then the demo merchant; its printout."""
        self.manage("migrate", "--noinput")
        return self.manage("selgeo_demo")

    @contextmanager
    def serve(self) -> Iterator[subprocess.Popen[bytes]]:
        """`make run`'s server, with the autoreloader (a parent and a serving child)."""
        with self.log.open("ab") as log:
            server = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{self.base}/health", timeout=2):
                        break
                except OSError:
                    assert server.poll() is None, self.log.read_text()
                    assert time.monotonic() < deadline, "runserver did not answer"
                    time.sleep(0.2)
            yield server
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    def shell(self, code: str) -> str:
        """Run Python in a Django shell of this site (reads its database)."""
        return self.manage("shell", "-c", code).strip()
