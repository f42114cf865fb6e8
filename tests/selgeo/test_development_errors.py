"""What a newcomer meets with `make run` (DEBUG on): API paths still answer the envelope,
wrong methods are 405 METHOD_NOT_ALLOWED, and a POST to a page without its trailing
slash never crashes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request: pytest.FixtureRequest, settings: Any) -> bool:
    settings.DEBUG = request.param
    return bool(request.param)


@pytest.fixture
def browser_client() -> Client:
    # A browser's client: CSRF is enforced as it is for real requests.
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/conversions/not-a-uuid",
        "/v1/clicks/not-a-uuid",
        "/api/v1/no-such-resource",
        "/api/v1/",
        "/api/nothing",
        "/v1/",
    ],
)
def test_unknown_api_paths_answer_the_envelope_in_every_mode(debug, browser_client, path):
    response = browser_client.get(path)
    body = assert_error(response, 404, "NOT_FOUND")
    assert body["message"] == "Resource does not exist"
    assert "urlpatterns" not in response.content.decode()


def test_unknown_api_path_posted_without_csrf_token_is_the_404_envelope(debug, browser_client):
    response = browser_client.post("/api/v1/no-such-resource", {}, content_type="application/json")
    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.urls("tests.selgeo.probe_urls")
def test_an_unhandled_exception_is_the_500_envelope_with_debug_on(settings):
    settings.DEBUG = True
    response = Client(raise_request_exception=False).get("/api/v1/probe/crash")
    body = assert_error(response, 500, "INTERNAL_ERROR")
    assert "boom" not in response.content.decode()
    assert body["message"] == "Unexpected server error"


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/v1/selgeo.js", "GET, HEAD"),
        ("/health", "GET, HEAD"),
        ("/api/v1/docs", "GET, HEAD, OPTIONS"),
    ],
)
def test_post_to_a_read_only_endpoint_is_405_method_not_allowed(debug, browser_client, path, allow):
    response = browser_client.post(path, {})
    body = assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert body["message"] == 'Method "POST" not allowed'
    assert response["Allow"] == allow


def test_get_of_the_read_only_endpoints_still_answers(debug, browser_client):
    assert browser_client.get("/v1/selgeo.js").status_code == 200
    assert browser_client.get("/health").json()["status"] == "ok"
    docs = browser_client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert docs["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/login", "/dashboard", "/partner/login", "/signup"])
def test_post_to_a_page_without_its_slash_is_redirected_with_method_kept(
    debug, browser_client, path
):
    response = browser_client.post(path, {"email": "x@example.com"})
    assert response.status_code == 308
    assert response["Location"] == f"{path}/"


def test_the_308_redirect_of_a_login_post_logs_in(debug):
    User.objects.create_user(email="new@example.com", password="a-long-passw0rd")
    client = Client(raise_request_exception=False)
    response = client.post(
        "/login", {"email": "new@example.com", "password": "a-long-passw0rd"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[0] == ("/login/", 308)
    assert response.wsgi_request.user.email == "new@example.com"


def test_get_without_the_slash_is_still_a_permanent_redirect(debug, browser_client):
    response = browser_client.get("/login")
    assert response.status_code == 301
    assert response["Location"] == "/login/"
