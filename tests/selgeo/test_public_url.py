"""The public URL follows where `make run` serves (HOST/PORT) unless SELGEO_PUBLIC_URL is set."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def public_url(**env: str) -> str:
    """SELGEO_PUBLIC_URL as a fresh process reads it from this environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SELGEO_")}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from selgeo import settings; print(settings.SELGEO_PUBLIC_URL)",
        ],
        cwd=ROOT,
        env={**clean, "SELGEO_ENV": "development", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"SELGEO_PORT": "8101"}, "http://127.0.0.1:8101"),
        ({"SELGEO_HOST": "localhost", "SELGEO_PORT": "9000"}, "http://localhost:9000"),
        ({"SELGEO_HOST": "0.0.0.0", "SELGEO_PORT": "8101"}, "http://127.0.0.1:8101"),  # noqa: S104
        ({"SELGEO_HOST": "::1", "SELGEO_PORT": "8101"}, "http://[::1]:8101"),
        (
            {"SELGEO_PORT": "8101", "SELGEO_PUBLIC_URL": "https://aff.shop.example/"},
            "https://aff.shop.example",
        ),
    ],
)
def test_public_url_follows_host_and_port_unless_set(env, expected):
    assert public_url(**env) == expected


def test_make_run_passes_host_and_port_to_the_demo_and_the_server():
    result = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=8101", "STAMP=Makefile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    lines = result.stdout.splitlines()
    demo = next(line for line in lines if "manage.py selgeo_demo" in line)
    server = next(line for line in lines if "manage.py runserver" in line)
    assert demo.startswith("SELGEO_HOST=0.0.0.0 SELGEO_PORT=8101 ")
    assert server.startswith("SELGEO_HOST=0.0.0.0 SELGEO_PORT=8101 ")
    assert server.endswith("runserver 0.0.0.0:8101")


@pytest.mark.django_db
def test_demo_printout_and_reset_mail_use_the_public_url(settings, tmp_path):
    from accounts import services

    settings.SELGEO_PUBLIC_URL = "http://127.0.0.1:8101"
    out = io.StringIO()
    call_command("selgeo_demo", keys_file=str(tmp_path / "keys.json"), stdout=out)
    printed = out.getvalue()
    assert "  dashboard: http://127.0.0.1:8101/login/" in printed
    assert "curl -s -X POST http://127.0.0.1:8101/api/v1/auth/login" in printed
    assert re.search(r"live link: http://127\.0\.0\.1:8101/r/demo-shop/\S+", printed)
    assert "127.0.0.1:8000" not in printed
    services.password_reset_request(email="demo@selgeo.local")
    assert "http://127.0.0.1:8101/reset-password?token=" in mail.outbox[0].body
