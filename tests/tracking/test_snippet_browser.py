"""selgeo.js in real headless Chromium: one click per referral, a cookie, the form field."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.utils import timezone

from accounts import services as account_services
from accounts.models import ApiKey
from tests import browser as browser_fixtures
from tests.browser import ARTIFACTS
from tests.tracking.conftest import BROWSER_UA
from tests.tracking.factories import ReferralCodeFactory
from tracking.models import Click

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.tracking.browser_urls")]

chromium = browser_fixtures.chromium


def _wait_until_settled(page: Any) -> str | None:
    return page.evaluate(
        "() => new Promise(resolve => window.Selgeo ? window.Selgeo.ready(resolve) : resolve(null))"
    )


def test_snippet_records_one_click_and_hands_its_id_to_the_page(
    live_server, transactional_db, keys, code, chromium
):
    # The browser's own headless user agent counts as a bot; a shopper's does not.
    context = chromium.new_context(user_agent=BROWSER_UA)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type in {"error", "warning"}
            else None
        ),
    )
    calls: list[Any] = []
    page.on(
        "request", lambda request: calls.append(request) if "/v1/clicks" in request.url else None
    )
    page_url = f"{live_server.url}/shop/{keys.pk_test}/?ref=janedoe&utm_source=blog"
    assert page_url.startswith("http://localhost:")

    page.goto(page_url)
    page.wait_for_function("() => window.Selgeo && window.Selgeo.clickId() !== null")
    click_id = _wait_until_settled(page)

    click = Click.objects.get()
    assert click_id == str(click.id)
    assert page.evaluate("() => window.Selgeo.clickId()") == str(click.id)
    assert click.referral_code_id == code.id
    assert click.mode == "test"
    assert click.source == "browser"
    assert click.is_bot is False
    assert click.user_agent == BROWSER_UA
    assert click.landing_url == page_url
    assert len(click.ip_hash) == 64
    # One cross-origin POST (Chromium sends its preflight without reporting it here).
    assert [request.method for request in calls] == ["POST"]
    sent = calls[0].all_headers()
    assert sent["origin"] == live_server.url
    assert calls[0].url == live_server.url.replace("localhost", "127.0.0.1") + "/v1/clicks"
    assert sent["authorization"] == f"Bearer {keys.pk_test}"

    cookies = {c["name"]: c for c in context.cookies(live_server.url)}
    cookie = cookies["selgeo_click_id"]
    assert cookie["value"] == str(click.id)
    assert cookie["domain"] == "localhost"
    assert cookie["path"] == "/"
    assert cookie["sameSite"] == "Lax"
    assert cookie["secure"] is False
    lifetime = cookie["expires"] - timezone.now().timestamp()
    window = (click.expires_at - timezone.now()).total_seconds()
    assert window - 120 < lifetime <= window + 1

    assert page.input_value("#signup input[name=selgeo_click_id]") == str(click.id)
    assert page.locator("#signup input[name=selgeo_click_id]").get_attribute("type") == "hidden"
    assert page.locator("#search input[name=selgeo_click_id]").count() == 0

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "selgeo-snippet.png"), full_page=True)

    calls.clear()
    page.reload()
    assert _wait_until_settled(page) == str(click.id)
    assert page.input_value("#signup input[name=selgeo_click_id]") == str(click.id)
    assert calls == []
    assert Click.objects.count() == 1
    assert problems == []
    context.close()


def test_link_click_id_is_kept_and_a_new_code_records_a_new_click(
    live_server, transactional_db, keys, code, program, chromium
):
    program.landing_url = f"{live_server.url}/shop/{keys.pk_test}/?lang=en"
    program.save()
    other_code = ReferralCodeFactory(program=program, code="MaxMustermann")
    context = chromium.new_context(user_agent=BROWSER_UA)
    page = context.new_page()
    posts: list[Any] = []
    page.on("request", lambda r: posts.append(r) if r.url.endswith("/v1/clicks") else None)

    # A tracking link on the API host redirects to the shop with the click id.
    page.goto(live_server.url.replace("localhost", "127.0.0.1") + "/r/JaneDoe")
    link_click = Click.objects.get()
    assert (
        page.url
        == f"{live_server.url}/shop/{keys.pk_test}/?lang=en&selgeo_click_id={link_click.id}"
    )
    assert _wait_until_settled(page) == str(link_click.id)
    assert posts == []
    cookie = {c["name"]: c for c in context.cookies(live_server.url)}["selgeo_click_id"]
    assert cookie["value"] == str(link_click.id)
    # Kept for the program's 45-day window, which the snippet read from the click.
    closes = link_click.expires_at.timestamp()
    assert closes - timezone.now().timestamp() > 44 * 86400
    assert closes - 120 < cookie["expires"] <= closes + 1

    # Another partner's referral later: a new click, which the page now carries.
    page.goto(f"{live_server.url}/shop/{keys.pk_test}/?via=maxmustermann")
    page.wait_for_function(f"() => window.Selgeo.clickId() !== '{link_click.id}'")
    assert _wait_until_settled(page) is not None
    newest = Click.objects.exclude(pk=link_click.pk).get()
    assert newest.referral_code_id == other_code.id
    assert page.evaluate("() => window.Selgeo.clickId()") == str(newest.id)
    assert page.input_value("#signup input[name=selgeo_click_id]") == str(newest.id)
    assert len(posts) == 1
    context.close()


def test_link_click_id_the_key_does_not_know_is_not_kept(
    live_server, transactional_db, keys, code, chromium
):
    context = chromium.new_context(user_agent=BROWSER_UA)
    page = context.new_page()
    stranger = uuid.uuid4()

    page.goto(f"{live_server.url}/shop/{keys.pk_test}/?selgeo_click_id={stranger}")

    assert _wait_until_settled(page) is None
    assert page.evaluate("() => window.Selgeo.clickId()") is None
    assert "selgeo_click_id" not in {c["name"] for c in context.cookies(live_server.url)}
    assert Click.objects.count() == 0
    context.close()


def test_link_click_id_is_kept_for_the_fallback_when_the_api_cannot_say(
    live_server, transactional_db, keys, code, chromium
):
    # A key revoked since the page was built: the API cannot tell the click's window.
    account_services.api_key_revoke(api_key=ApiKey.objects.get(prefix=keys.pk_test[:20]))
    context = chromium.new_context(user_agent=BROWSER_UA)
    page = context.new_page()
    link_click = uuid.uuid4()

    page.goto(f"{live_server.url}/shop/{keys.pk_test}/?selgeo_click_id={link_click}")

    assert _wait_until_settled(page) == str(link_click)
    cookie = {c["name"]: c for c in context.cookies(live_server.url)}["selgeo_click_id"]
    assert 30 * 86400 - 120 < cookie["expires"] - timezone.now().timestamp() <= 30 * 86400 + 1
    context.close()
