"""A dashboard token signed with the published development key opens nothing in production.

A real server (gunicorn, production settings, a proper SECRET_KEY) runs on the test
database, so the same user can be reached with a token signed with its key and refused
with the same claims signed with the development key.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from django.db import connection

from accounts.models import Merchant, User
from selgeo.secret_key import DEVELOPMENT_SECRET_KEY
from tests.conftest import jwt_for

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_KEY = "production-key-of-the-forged-token-tests-0123456789abcdef"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _database_environment() -> dict[str, str]:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return {"DATABASE_URL": "", "SELGEO_SQLITE_PATH": str(db["NAME"])}
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return {
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    }


@pytest.fixture
def production_server() -> Iterator[int]:
    port = _free_port()
    env = {
        **os.environ,
        **_database_environment(),
        "SELGEO_ENV": "production",
        "SECRET_KEY": PRODUCTION_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SELGEO_REQUIRE_HTTPS": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SELGEO_RATELIMITS_ENABLED": "0",
        "SELGEO_TASKS_EAGER": "1",
        "SELGEO_LISTEN_FOR_CHANGES": "0",
    }
    env.pop("SELGEO_DEBUG", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "selgeo.wsgi",
            "--workers=1",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/ping", timeout=1):
                    break
            except OSError:
                assert server.poll() is None, "the production server did not start"
                time.sleep(0.1)
        else:
            raise AssertionError("the production server did not answer")
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _get(port: int, path: str, token: str) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _signed_with(key: str, user: User, merchant: Merchant) -> str:
    """Alice's access token's claims, signed with `key`."""
    claims = jwt.decode(jwt_for(user, merchant), options={"verify_signature": False})
    return jwt.encode(claims, key, algorithm="HS256")


def test_a_token_signed_with_the_development_key_is_refused_in_production(
    production_server: int, alice: User, merchant: Merchant
):
    forged = _signed_with(DEVELOPMENT_SECRET_KEY, alice, merchant)
    status, body = _get(production_server, "/api/v1/api-keys", forged)
    assert (status, body) == (
        401,
        {
            "statusCode": 401,
            "message": "The access token is invalid or expired",
            "error": "Unauthorized",
            "code": "UNAUTHORIZED",
        },
    )
    # The same claims signed with the server's key reach alice's merchant.
    status, body = _get(
        production_server, "/api/v1/api-keys", _signed_with(PRODUCTION_KEY, alice, merchant)
    )
    assert (status, body["data"], body["total"]) == (200, [], 0)
