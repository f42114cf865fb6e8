"""GET /v1/selgeo.js: a JavaScript file with caching, validators and CORS."""

from __future__ import annotations

import re

import pytest

from tests.conftest import assert_error
from tracking.snippet import SNIPPET_PATH

pytestmark = pytest.mark.django_db


def test_snippet_is_served_as_javascript_with_caching_and_cors(anon_client):
    response = anon_client.get("/v1/selgeo.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=3600, stale-while-revalidate=86400"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])
    assert response.content == SNIPPET_PATH.read_bytes()


def test_snippet_revalidation_by_etag_is_304(anon_client):
    etag = anon_client.get("/v1/selgeo.js")["ETag"]
    response = anon_client.get("/v1/selgeo.js", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""


def test_snippet_head_has_no_body(anon_client):
    response = anon_client.head("/v1/selgeo.js")
    assert response.status_code == 200
    assert response.content == b""


def test_snippet_refuses_post_in_the_envelope(anon_client):
    response = anon_client.post("/v1/selgeo.js")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response["Allow"] == "GET, HEAD"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_snippet_uses_no_eval_and_no_html_injection():
    source = SNIPPET_PATH.read_text()
    assert "eval(" not in source
    assert "new Function" not in source
    assert "innerHTML" not in source
    assert "document.write" not in source
    assert len(source.encode()) < 12_000
