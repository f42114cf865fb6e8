"""X-Request-Id: echoed when sent, generated otherwise, on every response and log line."""

from __future__ import annotations

import logging
import re

import pytest

from selgeo.api.middleware import RequestIdLogFilter, request_id_var

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.selgeo.probe_urls")]


def test_request_id_is_echoed(anon_client):
    response = anon_client.get("/api/v1/probe/open", HTTP_X_REQUEST_ID="abc-123")
    assert response.status_code == 200
    assert response["X-Request-Id"] == "abc-123"


def test_request_id_is_generated_when_absent(anon_client):
    first = anon_client.get("/api/v1/probe/open")["X-Request-Id"]
    second = anon_client.get("/api/v1/probe/open")["X-Request-Id"]
    assert re.fullmatch(r"req_[0-9a-f]{32}", first)
    assert first != second


def test_request_id_on_error_responses_and_pages(anon_client):
    assert anon_client.get("/api/v1/nope", HTTP_X_REQUEST_ID="e-1")["X-Request-Id"] == "e-1"
    assert anon_client.get("/health", HTTP_X_REQUEST_ID="h-1")["X-Request-Id"] == "h-1"


@pytest.mark.parametrize("bad", ["has space", "x" * 200, "line\nbreak", "é"])
def test_unsafe_request_id_is_replaced(anon_client, bad):
    response = anon_client.get("/api/v1/probe/open", HTTP_X_REQUEST_ID=bad)
    assert response["X-Request-Id"].startswith("req_")


def test_log_records_carry_the_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "msg", None, None)
    token = request_id_var.set("req-log-1")
    try:
        RequestIdLogFilter().filter(record)
    finally:
        request_id_var.reset(token)
    assert record.request_id == "req-log-1"


def test_errors_logged_during_a_request_name_its_id(caplog):
    from django.test import Client

    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        for handler in logging.getLogger("django.request").handlers:
            handler.addFilter(RequestIdLogFilter())
        caplog.handler.addFilter(RequestIdLogFilter())
        client.get("/api/v1/probe/crash", HTTP_X_REQUEST_ID="crash-42")
    assert any(getattr(r, "request_id", None) == "crash-42" for r in caplog.records)
