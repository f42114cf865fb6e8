"""The whole journey in real headless Chromium, through the pages a person would use: past
the first address of each side, every page is reached by its links, and the key the
merchant's server uses is the one the page showed.

A merchant signs up, creates and publishes a program and a live secret key; a partner
signs up and applies; the merchant approves; a shopper follows the partner's link; the
merchant's server reports the sale through the API; both dashboards show the click and
the conversion. Screenshots of the main pages are saved under test-artifacts/.
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from conversions.models import Commission, Conversion
from tests import browser as browser_fixtures
from tests.tracking.conftest import BROWSER_UA
from tracking.models import Click

pytestmark = pytest.mark.browser

SHOPPER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
ARTIFACTS = browser_fixtures.ARTIFACTS / "journey"
PASSWORD = "a-long-journey-passphrase-7"


chromium = browser_fixtures.chromium


def shot(page: Any, name: str, *, phone: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if phone:
        page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if phone:
        page.set_viewport_size({"width": 1280, "height": 900})


def stat(page: Any, testid: str) -> str:
    return page.locator(f'[data-testid="{testid}"]').inner_text().strip()


def test_merchant_and_partner_journey(live_server, transactional_db, settings, chromium):
    settings.SELGEO_PUBLIC_URL = live_server.url
    base = live_server.url
    problems: list[str] = []

    def watch(page: Any) -> Any:
        page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
        return page

    merchant = watch(chromium.new_context(viewport={"width": 1280, "height": 900}).new_page())
    partner = watch(chromium.new_context(viewport={"width": 1280, "height": 900}).new_page())

    # The merchant signs up and lands on its keys, in test mode: the secret keys show once.
    merchant.goto(f"{base}/signup/")
    merchant.fill("#id_company_name", "Shoe Shop")
    merchant.fill("#id_full_name", "Mia Merchant")
    merchant.fill("#id_email", "mia@shoeshop.example")
    merchant.fill("#id_password", PASSWORD)
    merchant.click("button:has-text('Create account')")
    merchant.wait_for_url(f"{base}/dashboard/developers/keys/")
    assert "You are viewing test data" in merchant.content()
    assert merchant.locator("code.new-key[data-mode=test]").inner_text().startswith("sk_test_")
    # The live secret key for the merchant's server, taken with the page's copy button.
    merchant.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    merchant.click("code.new-key[data-mode=live] + button:has-text('Copy')")
    merchant.wait_for_selector("code.new-key[data-mode=live] + button:has-text('Copied')")
    secret_key = merchant.evaluate("navigator.clipboard.readText()")
    assert secret_key == merchant.locator("code.new-key[data-mode=live]").inner_text().strip()
    assert secret_key.startswith("sk_live_")

    # Live mode, a CPS program of 10%, published.
    merchant.select_option("#mode-select", "live")
    merchant.click("button:has-text('Switch')")
    merchant.wait_for_load_state()
    merchant.click("nav.main >> text=Programs")
    merchant.click("a:has-text('New program')")
    merchant.fill("#id_name", "Running shoes")
    merchant.fill("#id_code", "RUN")
    merchant.fill("#id_landing_url", f"{base}/health")
    merchant.select_option("#id_currency", "EUR")
    merchant.select_option("#id_commission_type", "cps")
    merchant.fill("#id_percent", "10")
    shot(merchant, "merchant-program-form")
    merchant.click("button:has-text('Create draft')")
    merchant.wait_for_url(re.compile(r".*/dashboard/programs/[0-9a-f-]+/$"))
    merchant.click("button:has-text('Publish')")
    merchant.wait_for_load_state()
    assert "published" in merchant.content()
    shot(merchant, "merchant-program-detail")

    # Another live secret key, shown once; the sign-up's key is no longer shown either.
    merchant.click("nav.main >> text=Developers")
    merchant.wait_for_url(f"{base}/dashboard/developers/**")
    assert secret_key not in merchant.content()
    merchant.select_option("#id_kind", "secret")
    merchant.fill("#id_name", "Shop server")
    merchant.click("button:has-text('Create live key')")
    server_key = merchant.locator("code.new-key").inner_text().strip()
    assert server_key.startswith("sk_live_") and server_key != secret_key
    merchant.reload()
    assert server_key not in merchant.content()

    # The partner signs up, finds the merchant's page and applies.
    partner.goto(f"{base}/partner/signup/")
    partner.fill("#id_display_name", "Runner Blog")
    partner.fill("#id_email", "rita@runnerblog.example")
    partner.fill("#id_password", PASSWORD)
    partner.click("button:has-text('Create partner account')")
    partner.wait_for_url(re.compile(r".*/partner/.*"))
    partner.click("nav.main >> text=Find programs")
    partner.locator("tr", has_text="Running shoes").locator("a:has-text('Shoe Shop')").click()
    partner.wait_for_url(f"{base}/p/shoe-shop/")
    shot(partner, "public-program-page")
    partner.click("a:has-text('Apply')")
    partner.fill("#id_message", "I review running shoes every week.")
    partner.click("button:has-text('Send application')")
    partner.wait_for_load_state()

    # The merchant approves the application.
    merchant.click("nav.main >> text=Applications")
    merchant.wait_for_url(f"{base}/dashboard/applications/")
    assert "Runner Blog" in merchant.content()
    shot(merchant, "merchant-applications")
    merchant.click("button:has-text('Approve')")
    merchant.wait_for_load_state()

    # The partner's referral link, followed by a shopper.
    partner.click("nav.main >> text=My programs")
    partner.wait_for_url(f"{base}/partner/")
    link = partner.locator("code[id^='link-']").first.inner_text().strip()
    assert link.startswith(f"{base}/r/shoe-shop/")
    shot(partner, "partner-my-programs")
    shopper = watch(chromium.new_context(user_agent=BROWSER_UA).new_page())
    shopper.goto(link)
    landed = urlparse(shopper.url)
    assert landed.path == "/health"
    click_id = parse_qs(landed.query)["selgeo_click_id"][0]
    assert Click.objects.filter(pk=click_id, mode="live", is_bot=False).count() == 1

    # The merchant's server reports the sale.
    request = urllib.request.Request(
        f"{base}/api/v1/conversions",
        data=json.dumps(
            {
                "click_id": click_id,
                "event_type": "purchase",
                "external_transaction_id": "order-1001",
                "amount_cents": 12000,
                "currency": "EUR",
            }
        ).encode(),
        headers={"Authorization": f"Bearer {secret_key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        sale = json.loads(response.read())
        assert response.status == 201
    assert sale["attributed"] is True
    assert Conversion.objects.get().external_transaction_id == "order-1001"
    assert Commission.objects.get().amount_cents == 1200

    # Both dashboards show the click and the conversion.
    merchant.click("nav.main >> text=Overview")
    merchant.wait_for_url(f"{base}/dashboard/")
    assert (stat(merchant, "stat-clicks"), stat(merchant, "stat-conversions")) == ("1", "1")
    # Revenue in the merchant's reporting currency (USD), the sale's EUR one click away.
    assert stat(merchant, "stat-revenue").split("\n")[0].endswith(" USD")
    merchant.locator('[data-testid="stat-revenue"] summary').click()
    assert "120.00 EUR" in stat(merchant, "stat-revenue")
    merchant.locator('[data-testid="stat-commissions"] summary').click()
    assert "12.00 EUR" in stat(merchant, "stat-commissions")
    shot(merchant, "merchant-overview")
    shot(merchant, "merchant-overview-phone", phone=True)
    merchant.click("nav.main >> text=Conversions")
    merchant.wait_for_url(f"{base}/dashboard/conversions/")
    assert "order-1001" in merchant.content()
    shot(merchant, "merchant-conversions")
    merchant.click("a:has-text('order-1001')")
    merchant.wait_for_load_state()
    assert "attributed_click" in merchant.content()
    shot(merchant, "merchant-conversion-detail")

    partner.click("nav.main >> text=Earnings")
    partner.wait_for_url(f"{base}/partner/earnings/")
    earnings = partner.content()
    assert "12.00 EUR" in earnings
    shot(partner, "partner-earnings")
    partner.click("nav.main >> text=My programs")
    partner.wait_for_url(f"{base}/partner/")
    shot(partner, "partner-my-programs-after-sale", phone=True)

    assert problems == []
