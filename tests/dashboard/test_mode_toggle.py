"""The test/live toggle: kept in the session, always visible, never an open redirect."""

from __future__ import annotations

import pytest

from dashboard.access import SESSION_MODE
from tests.dashboard.conftest import page

pytestmark = pytest.mark.django_db

BADGE = (
    '<span class="mode-badge {mode}" data-testid="mode-badge">'
    '<span class="sr-only">Mode: </span>{label}</span>'
)


def test_switching_to_test_mode_is_remembered_and_shown_on_every_page(alice_web):
    response = alice_web.post("/dashboard/mode/", {"mode": "test", "next": "/dashboard/team/"})
    assert response["Location"] == "/dashboard/team/"
    assert alice_web.session[SESSION_MODE] == "test"
    for url in ("/dashboard/", "/dashboard/team/", "/dashboard/programs/"):
        body = page(alice_web.get(url))
        assert BADGE.format(mode="test", label="TEST") in body
        assert "You are viewing test data" in body


def test_live_mode_is_the_default_badge(alice_web):
    body = page(alice_web.get("/dashboard/programs/"))
    assert BADGE.format(mode="live", label="LIVE") in body
    assert "You are viewing test data" not in body


def test_an_unknown_mode_changes_nothing(alice_web):
    alice_web.post("/dashboard/mode/", {"mode": "prod"})
    assert alice_web.session[SESSION_MODE] == "live"


def test_mode_switch_refuses_to_redirect_to_another_site(alice_web):
    for target in ("https://evil.example/", "//evil.example/path", "http:evil.example"):
        response = alice_web.post("/dashboard/mode/", {"mode": "test", "next": target})
        assert response["Location"] == "/dashboard/", target


def test_mode_switch_needs_post(alice_web):
    assert alice_web.get("/dashboard/mode/?mode=test").status_code == 405
    assert alice_web.session[SESSION_MODE] == "live"
