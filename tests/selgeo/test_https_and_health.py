"""HTTPS enforcement in production and the /health endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import assert_error

pytestmark = pytest.mark.urls("tests.selgeo.probe_urls")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_plain_http_api_call_is_refused_when_https_is_required(settings):
    settings.SELGEO_REQUIRE_HTTPS = True
    response = Client().get("/api/v1/probe/open")
    body = assert_error(response, 403, "FORBIDDEN")
    assert "HTTPS" in body["message"]
    assert "Location" not in response


@pytest.mark.django_db
def test_https_api_call_passes_when_https_is_required(settings):
    settings.SELGEO_REQUIRE_HTTPS = True
    assert Client().get("/api/v1/probe/open", secure=True).status_code == 200


@pytest.mark.django_db
def test_forwarded_proto_is_honoured_only_behind_a_trusted_proxy(settings):
    settings.SELGEO_REQUIRE_HTTPS = True
    proxied = {"HTTP_X_FORWARDED_PROTO": "https"}
    assert Client().get("/api/v1/probe/open", **proxied).status_code == 403
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert Client().get("/api/v1/probe/open", **proxied).status_code == 200


@pytest.mark.django_db
def test_pages_are_not_affected_by_the_api_https_rule(settings):
    settings.SELGEO_REQUIRE_HTTPS = True
    assert Client().get("/health").status_code == 200


@pytest.mark.django_db
def test_health_reports_ok_with_a_millisecond_timestamp(time_machine):
    time_machine.move_to("2026-01-02T03:04:05.678Z", tick=False)
    response = Client().get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "timestamp": 1767323045678,
        "checks": {
            "database": "ok",
            "cache": "ok",
            # Informational: stale or missing rates never make /health fail.
            "fx": "stale: no exchange rates stored yet (the shipped snapshot loads on first use)",
            # Back-pressure: "degraded" past the due-delivery threshold (see webhooks).
            "webhooks": "ok",
        },
    }


@pytest.mark.django_db
def test_health_is_503_naming_the_cache_when_it_is_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = Client().get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["failed"] == ["cache"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("error")


def test_health_is_503_naming_the_database_when_it_is_down():
    # A separate process whose database is unreachable: nothing in this one is disturbed.
    script = (
        "import json, django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/health');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://selgeo@127.0.0.1:1/unreachable",
        "DJANGO_SETTINGS_MODULE": "selgeo.settings",
        "SELGEO_ENV": "test",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 503
    assert outcome["body"]["failed"] == ["database"]
    assert outcome["body"]["checks"]["cache"] == "ok"


@pytest.mark.django_db
def test_ping_answers_through_the_api_stack(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/api/v1/ping", HTTP_X_REQUEST_ID="p-1")
    assert response.status_code == 200
    assert response.json() == {"pong": True}
    assert response["X-Request-Id"] == "p-1"
