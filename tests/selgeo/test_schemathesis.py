"""schemathesis, every check, over the OpenAPI document against a live server.

The document is the contract: no request is a 500, every answer's status and body are
the ones documented, a schema-valid request is accepted and a schema-invalid one refused,
a deleted resource is gone. Generated requests cover every operation as a merchant (JWT),
the partner operations as a partner (JWT) and the key operations with a secret key, so
each operation is exercised past its authentication.

The `erase` operations, which destroy what they are given, run in a test of their own on
throwaway data, after nothing else needs it. The per-operation settings in
schemathesis.toml say, for each, why a check cannot judge that operation from the document
alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from accounts import services
from partners.models import Application
from tests.conftest import jwt_for

# The contract is checked once per CI run, against the production stack (PostgreSQL and
# Redis): the same thousands of generated requests against the embedded SQLite mode would
# add six minutes to CI and judge no other code of Selgeo's.
pytestmark = pytest.mark.postgresql

CONFIG = Path(__file__).with_name("schemathesis.toml")
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")
EXAMPLES = os.environ.get("SELGEO_SCHEMATHESIS_EXAMPLES", "4")
# The merchant's operations are split in two runs so that the runs can go side by side.
MERCHANT_FIRST = "^/api/v1/(programs|partners|applications|invitations|promo-codes|referral-codes)"
# The AffSpace dialect's operations take a secret key, as the key operations do.
DIALECT = "^/(pb$|compat/affspace/)"


def _command(spec: Path, base: str, token: str, include: str, exclude: str) -> list[str]:
    return [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        str(spec),
        "--url",
        base,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        EXAMPLES,
        # One worker per run: hypothesis parses lambdas' source with `ast`, which on
        # Python 3.11 is not safe to call from two threads at once. The runs themselves
        # go side by side, each in its own process.
        "--workers",
        "1",
        "--include-path-regex",
        include,
        "--exclude-path-regex",
        exclude,
        # Each run draws new cases; a failure's seed (in its report) replays it.
        *(
            ["--seed", os.environ["SELGEO_SCHEMATHESIS_SEED"]]
            if "SELGEO_SCHEMATHESIS_SEED" in os.environ
            else []
        ),
    ]


@pytest.mark.django_db(transaction=True)
def test_every_operation_answers_as_its_document_says(
    live_server, settings, alice, merchant, partner, tmp_path, regtest
):
    settings.SELGEO_RATELIMITS_ENABLED = False
    # Payment forwarding through a real regtest node, so that its operations are
    # exercised past the 503 that a server without a node answers.
    settings.SELGEO_BITCOIN_TEST_RPC_URL = regtest.url("shared")
    settings.SELGEO_BITCOIN_TEST_NETWORK = "regtest"
    with urllib.request.urlopen(f"{live_server.url}/api/v1/openapi.json") as response:
        spec = tmp_path / "openapi.json"
        spec.write_text(json.dumps(json.loads(response.read())))
    secret = services.api_key_create(merchant=merchant, kind="secret", mode="test").raw
    assert partner.user is not None
    merchant_jwt, partner_jwt = jwt_for(alice, merchant), jwt_for(partner.user)
    runs = {
        "merchant (programs and partners)": (merchant_jwt, MERCHANT_FIRST, "erase"),
        "merchant (the rest)": (
            merchant_jwt,
            ".",
            f"erase|/partner/|{MERCHANT_FIRST}|{DIALECT}",
        ),
        "partner": (partner_jwt, "^/api/v1/partner/", "erase"),
        "secret key": (
            secret,
            f"^/api/v1/(conversions|attribution|test-sessions|payment-forwards)|{DIALECT}",
            "erase",
        ),
    }
    started = time.monotonic()
    processes = {}
    for name, (token, include, exclude) in runs.items():
        # Each run in a folder of its own: schemathesis keeps a cache of findings there.
        folder = tmp_path / name.split()[0] / str(len(processes))
        folder.mkdir(parents=True)
        processes[name] = subprocess.Popen(
            _command(spec, live_server.url, token, include, exclude),
            cwd=folder,
            env={**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    outputs = {name: process.communicate(timeout=600)[0] for name, process in processes.items()}
    print(f"schemathesis, {len(runs)} runs side by side: {time.monotonic() - started:.0f} s")
    if os.environ.get("SELGEO_SCHEMATHESIS_OUTPUT"):
        with open(os.environ["SELGEO_SCHEMATHESIS_OUTPUT"], "a") as output:
            output.write("".join(outputs.values()))
    failed = {name: outputs[name] for name, process in processes.items() if process.returncode}
    assert not failed, "\n\n".join(f"{name}:\n{out[-6000:]}" for name, out in failed.items())


@pytest.mark.django_db(transaction=True)
def test_the_erase_operations_answer_as_documented_on_throwaway_data(
    live_server, settings, alice, merchant, partner, application, tmp_path
):
    # The erasures destroy what they are given, so they run here, on this test's own
    # data, after nothing else needs it: first the merchant's (with the partner list its
    # links take ids from), then the partner's own.
    settings.SELGEO_RATELIMITS_ENABLED = False
    with urllib.request.urlopen(f"{live_server.url}/api/v1/openapi.json") as response:
        spec = tmp_path / "openapi.json"
        spec.write_text(json.dumps(json.loads(response.read())))
    assert partner.user is not None
    runs = [
        ("merchant", jwt_for(alice, merchant), "^/api/v1/partners(/|$)"),
        ("partner", jwt_for(partner.user), "^/api/v1/partner/erase$"),
    ]
    for name, token, include in runs:
        folder = tmp_path / name
        folder.mkdir()
        result = subprocess.run(
            _command(spec, live_server.url, token, include, "^$"),
            cwd=folder,
            env={**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"{name}:\n{result.stdout[-6000:]}"
        # Each erasure was reached, not only refused: the merchant's ends the partner's
        # applications to it, the partner's own erases the account.
        if name == "merchant":
            assert not Application.objects.filter(merchant=merchant).exists()
    partner.refresh_from_db()
    assert partner.erased_at is not None
