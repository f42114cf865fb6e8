"""Tracking links /r/<code> and /r/<merchant>/<code>: record, then 302 to the landing page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import ProgramStatus
from selgeo.db import supports_prepared
from tests.factories import MerchantFactory
from tests.tracking.conftest import BROWSER_UA
from tests.tracking.factories import ProgramFactory, ReferralCodeFactory
from tracking.links import with_click_id
from tracking.models import Click
from tracking.visitors import ip_hash
from webhooks.models import Event, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser() -> Client:
    return Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="198.51.100.44")


def _assert_link_headers(response) -> None:
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@time_machine.travel("2026-05-06T07:08:09Z", tick=False)
def test_link_records_a_click_and_redirects_with_the_click_id(browser, code, merchant):
    response = browser.get("/r/janedoe", HTTP_REFERER="https://blog.example.org/review")
    assert response.status_code == 302
    click = Click.objects.get()
    assert response["Location"] == (
        f"https://acme.example.com/shop?lang=en&selgeo_click_id={click.id}#top"
    )
    _assert_link_headers(response)
    assert click.merchant_id == merchant.id
    assert click.mode == "test"
    assert click.program_id == code.program_id
    assert click.partner_id == code.partner_id
    assert click.referral_code_id == code.id
    assert click.source == "link"
    assert click.landing_url == "https://acme.example.com/shop?lang=en#top"
    assert click.referrer == "https://blog.example.org/review"
    assert click.user_agent == BROWSER_UA
    assert click.ip_hash == ip_hash("198.51.100.44")
    assert click.is_bot is False
    assert click.expires_at == timezone.now() + timedelta(days=45)


def test_link_with_the_merchant_slug_resolves_in_that_merchant(browser, code):
    response = browser.get("/r/acme/JaneDoe")
    assert response.status_code == 302
    click = Click.objects.get()
    assert response["Location"].endswith(f"selgeo_click_id={click.id}#top")


def test_live_code_records_a_live_click(browser, live_code):
    assert browser.get("/r/JaneLive").status_code == 302
    assert Click.objects.get().mode == "live"


@pytest.mark.parametrize(
    ("landing", "expected"),
    [
        ("https://s.example/p", "https://s.example/p?selgeo_click_id={id}"),
        ("https://s.example/p?a=1&b=x%20y", "https://s.example/p?a=1&b=x%20y&selgeo_click_id={id}"),
        (
            "https://s.example/p?a=1#frag?x=1",
            "https://s.example/p?a=1&selgeo_click_id={id}#frag?x=1",
        ),
        (
            "https://s.example/p?selgeo_click_id=old&a=1&selgeo_click_id=older",
            "https://s.example/p?a=1&selgeo_click_id={id}",
        ),
        ("https://s.example/p?flag&a=", "https://s.example/p?flag&a=&selgeo_click_id={id}"),
        ("https://s.example", "https://s.example?selgeo_click_id={id}"),
    ],
)
def test_redirect_preserves_the_landing_urls_query_and_fragment(browser, code, landing, expected):
    code.program.landing_url = landing
    code.program.save()
    response = browser.get("/r/JaneDoe")
    assert response.status_code == 302
    assert response["Location"] == expected.format(id=Click.objects.get().id)


def test_with_click_id_without_an_id_only_drops_a_stale_one():
    assert (
        with_click_id("https://s.example/?selgeo_click_id=x&a=1", None) == "https://s.example/?a=1"
    )


def test_bot_follows_the_link_and_its_click_is_flagged(code):
    bot = Client(HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)")
    response = bot.get("/r/JaneDoe")
    assert response.status_code == 302
    click = Click.objects.get()
    assert click.is_bot is True
    assert f"selgeo_click_id={click.id}" in response["Location"]


def test_link_without_user_agent_is_a_bot(code):
    assert Client().get("/r/JaneDoe").status_code == 302
    assert Click.objects.get().is_bot is True


def test_head_redirects_without_recording(browser, code):
    response = browser.head("/r/JaneDoe")
    assert response.status_code == 302
    assert response["Location"] == "https://acme.example.com/shop?lang=en#top"
    assert Click.objects.count() == 0


def test_post_is_405(browser, code):
    assert browser.post("/r/JaneDoe").status_code == 405
    assert Click.objects.count() == 0


def _assert_plain_404(response) -> None:
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"This link is not active" in response.content
    _assert_link_headers(response)


def test_unknown_code_is_a_plain_404_page(browser, code):
    _assert_plain_404(browser.get("/r/Nobody"))
    assert Click.objects.count() == 0


def test_code_two_merchants_use_is_ambiguous_without_the_slug(browser, code):
    other = ReferralCodeFactory(program__merchant__slug="globex", code="JANEDOE")
    _assert_plain_404(browser.get("/r/JaneDoe"))
    assert Click.objects.count() == 0
    # Naming the merchant resolves it.
    assert browser.get("/r/globex/JaneDoe").status_code == 302
    assert Click.objects.get().referral_code_id == other.id


@pytest.mark.parametrize(
    "path",
    [
        "/r/bad%00code",
        "/r/" + "x" * 41,
        "/r/semi;colon",
        "/r/%E2%9C%93",
        "/r/acme/bad%00code",
        "/r/no%00slug/JaneDoe",
        "/r/" + "s" * 61 + "/JaneDoe",
        "/r/unknown-merchant/JaneDoe",
    ],
)
def test_malformed_or_unknown_paths_are_plain_404_pages(browser, code, path):
    _assert_plain_404(browser.get(path))
    assert Click.objects.count() == 0


def test_disabled_code_with_slug_redirects_to_the_merchant_website(browser, code, merchant):
    merchant.website = "https://acme.example.com/"
    merchant.save()
    code.disabled_at = timezone.now()
    code.save()
    response = browser.get("/r/acme/JaneDoe")
    assert response.status_code == 302
    assert response["Location"] == "https://acme.example.com/"
    _assert_link_headers(response)
    assert Click.objects.count() == 0


def test_disabled_code_without_slug_is_a_plain_404(browser, code):
    code.disabled_at = timezone.now()
    code.save()
    _assert_plain_404(browser.get("/r/JaneDoe"))
    assert Click.objects.count() == 0


def test_unknown_code_of_a_known_merchant_redirects_to_its_website(browser, code, merchant):
    merchant.website = "https://acme.example.com/"
    merchant.save()
    response = browser.get("/r/acme/Nobody")
    assert response.status_code == 302
    assert response["Location"] == "https://acme.example.com/"


@pytest.mark.parametrize(
    "status", [ProgramStatus.DRAFT, ProgramStatus.PAUSED, ProgramStatus.ARCHIVED]
)
def test_unpublished_program_redirects_to_the_merchant_website(browser, code, merchant, status):
    merchant.website = "https://acme.example.com/"
    merchant.save()
    code.program.status = status
    code.program.save()
    response = browser.get("/r/JaneDoe")
    assert response.status_code == 302
    assert response["Location"] == "https://acme.example.com/"
    assert Click.objects.count() == 0


def test_erased_partner_redirects_to_the_merchant_website(browser, code, merchant):
    merchant.website = "https://acme.example.com/"
    merchant.save()
    code.partner.erased_at = timezone.now()
    code.partner.save()
    response = browser.get("/r/acme/JaneDoe")
    assert response.status_code == 302
    assert response["Location"] == "https://acme.example.com/"
    assert Click.objects.count() == 0


def test_inactive_code_of_a_merchant_without_website_is_a_plain_404(browser):
    merchant = MerchantFactory(website="", slug="nosite")
    ReferralCodeFactory(
        program=ProgramFactory(merchant=merchant, status=ProgramStatus.PAUSED), code="Paused"
    )
    _assert_plain_404(browser.get("/r/Paused"))
    _assert_plain_404(browser.get("/r/nosite/Paused"))
    assert Click.objects.count() == 0


def test_a_link_click_is_one_statement(browser, code):
    # On PostgreSQL the code, its program and partner, the click.created opt-in and the
    # INSERT are one statement. SQLite takes the general path: the code, whether anyone
    # wants click.created (asked each time: no process hears endpoint changes there), then
    # the INSERT.
    assert browser.get("/r/JaneDoe").status_code == 302
    with CaptureQueriesContext(connection) as queries:
        assert browser.get("/r/JaneDoe").status_code == 302
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    if supports_prepared():
        assert len(statements) == 1, statements
        assert "INSERT INTO tracking_click" in statements[0]
    else:
        assert len(statements) == 3, statements
        assert '"webhooks_webhookendpoint"' in statements[1]
        assert statements[2].startswith('INSERT INTO "tracking_click"')
    assert Click.objects.count() == 2


def test_a_link_of_a_click_created_subscriber_writes_the_click_and_its_event(browser, code):
    endpoint = WebhookEndpoint.objects.create(
        merchant=code.merchant,
        mode=code.mode,
        url="https://hooks.example.com/selgeo",
        secret="whsec_" + "A" * 43,
        event_types=["click.created"],
    )
    response = browser.get("/r/JaneDoe")
    assert response.status_code == 302
    click = Click.objects.get()
    assert response["Location"].endswith(f"selgeo_click_id={click.id}#top")
    event = Event.objects.get(type="click.created", merchant=endpoint.merchant)
    assert event.payload["data"]["id"] == str(click.id)


def test_past_the_per_visitor_limit_links_redirect_without_recording(browser, code, settings):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "links": "2/m"}
    answers = [browser.get("/r/JaneDoe") for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert "selgeo_click_id=" in answers[0]["Location"]
    assert "selgeo_click_id=" in answers[1]["Location"]
    assert answers[2]["Location"] == "https://acme.example.com/shop?lang=en#top"
    _assert_link_headers(answers[2])
    assert Click.objects.count() == 2
    # Another visitor is counted on its own.
    other = Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="203.0.113.80")
    assert "selgeo_click_id=" in other.get("/r/JaneDoe")["Location"]
    assert Click.objects.count() == 3


def test_the_link_limit_fails_open_when_the_store_is_down(browser, code, settings):
    # A Redis nobody listens on: connections are refused at once.
    settings.SELGEO_RATELIMIT_STORAGE_URL = "redis://127.0.0.1:1/0"
    assert "selgeo_click_id=" in browser.get("/r/JaneDoe")["Location"]
    assert Click.objects.count() == 1


def test_another_method_than_get_or_head_is_405_and_records_nothing(code):
    # A real browser client enforces CSRF checks; the link refuses the method before that.
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER_UA)
    for method in ("post", "put", "delete"):
        response = getattr(client, method)("/r/janedoe")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"
    assert not Click.objects.exists()
