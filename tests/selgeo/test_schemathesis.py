"""schemathesis over the OpenAPI document against a live server: no request is a 500.

Generated requests cover every operation as a merchant (JWT), as a partner (JWT) and with
a secret key, so each operation is exercised past its authentication.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from accounts import services
from tests.conftest import jwt_for

EXAMPLES = "4"


def _run(base: str, spec: Path, token: str, include: str | None, tmp_path: Path) -> None:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        str(spec),
        "--url",
        base,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "not_a_server_error",
        "--phases",
        "examples,fuzzing",
        "--max-examples",
        EXAMPLES,
        "--workers",
        "1",
        "--exclude-path-regex",
        "erase",
        "--report-dir",
        str(tmp_path),
    ]
    if include:
        command += ["--include-path-regex", include]
    # Run in the test's own folder: schemathesis keeps a cache of findings in its cwd.
    result = subprocess.run(command, capture_output=True, text=True, timeout=420, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:]


@pytest.mark.django_db(transaction=True)
def test_no_operation_answers_a_server_error(
    live_server, settings, alice, merchant, partner, tmp_path
):
    settings.SELGEO_RATELIMITS_ENABLED = False
    with urllib.request.urlopen(f"{live_server.url}/api/v1/openapi.json") as response:
        spec = tmp_path / "openapi.json"
        spec.write_text(json.dumps(json.loads(response.read())))
    secret = services.api_key_create(merchant=merchant, kind="secret", mode="test").raw
    assert partner.user is not None
    _run(live_server.url, spec, jwt_for(alice, merchant), None, tmp_path)
    _run(live_server.url, spec, jwt_for(partner.user), "/partner/", tmp_path)
    _run(live_server.url, spec, secret, "(conversions|attribution|test-sessions)", tmp_path)
