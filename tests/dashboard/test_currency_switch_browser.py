"""The reporting currency switch in real headless Chromium: the merchant changes it on
the settings page and the overview, programs and partners totals follow, while the
amounts recorded before the change stay in the currency they were recorded in (one
click away), and sales recorded afterwards count in the new currency."""

from __future__ import annotations

from typing import Any

import pytest

from tests import browser as browser_fixtures
from tests.conftest import api_client
from tests.dashboard.conftest import browser as logged_in
from tests.partners.factories import ApplicationFactory, ClickFactory, ReferralCodeFactory

pytestmark = pytest.mark.browser

chromium = browser_fixtures.chromium


def _sale(sk: str, click: Any, txid: str, cents: int) -> None:
    response = api_client(sk).post(
        "/api/v1/conversions",
        {
            "click_id": str(click.pk),
            "event_type": "purchase",
            "amount_cents": cents,
            "currency": "EUR",
            "external_transaction_id": txid,
        },
        format="json",
    )
    assert response.status_code == 201, response.content


def _total(page: Any, testid: str) -> str:
    # The first line of a reported figure is its total; the details element follows.
    return page.locator(f'[data-testid="{testid}"] > div').first.inner_text().strip()


def _originals(page: Any, testid: str) -> str:
    details = page.locator(f'[data-testid="{testid}"] details').first
    assert not details.evaluate("element => element.open")
    details.locator("summary").click()
    assert details.evaluate("element => element.open")
    return str(details.inner_text())


def test_switching_the_reporting_currency_changes_the_totals(
    live_server: Any,
    transactional_db: Any,
    chromium: Any,
    alice: Any,
    merchant: Any,
    program: Any,
    partner: Any,
    keys: Any,
) -> None:
    ApplicationFactory(program=program, partner=partner, status="approved")
    ReferralCodeFactory(program=program, partner=partner)
    click = ClickFactory(program=program, partner=partner)
    # 100.00 EUR at the snapshot's 1.1476 is 114.76 USD; its 15% commission 15.00 EUR,
    # 17.214 USD, is 17.21.
    _sale(keys.sk_live, click, "before-1", 10000)

    session = logged_in(alice, merchant).cookies["sessionid"].value
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    base = live_server.url

    page.goto(f"{base}/dashboard/")
    assert _total(page, "stat-revenue") == "114.76 USD"
    assert _total(page, "stat-commissions") == "17.21 USD"

    # The switch, through the settings page the overview links to.
    page.click("text=Change the reporting currency")
    page.fill("#id_currency", "EUR")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Figures are now reported in EUR")
    assert page.locator('[data-testid="reporting-currency"]').inner_text() == "EUR"

    # Nothing recorded in EUR yet: the total is zero, and the recorded dollars are shown
    # apart, one click away, with the sale's own euros.
    page.goto(f"{base}/dashboard/")
    assert "Money in EUR" in page.locator('[data-testid="reporting-note"]').inner_text()
    assert _total(page, "stat-revenue") == "0.00 EUR"
    shown = _originals(page, "stat-revenue")
    assert "100.00 EUR" in shown
    assert "Recorded in another reporting currency, not in the total: 114.76 USD" in shown

    # A sale after the switch is recorded in EUR and counts at once.
    _sale(keys.sk_live, click, "after-1", 4000)
    page.reload()
    assert _total(page, "stat-revenue") == "40.00 EUR"
    assert _total(page, "stat-commissions") == "6.00 EUR"
    page.goto(f"{base}/dashboard/partners/")
    assert _total(page, "partner-revenue") == "40.00 EUR"
    assert "140.00 EUR" in _originals(page, "partner-revenue")
    page.goto(f"{base}/dashboard/programs/")
    assert _total(page, "program-revenue") == "40.00 EUR"

    # Back to USD: the first sale counts again, the euro-recorded one is shown apart.
    page.goto(f"{base}/dashboard/settings/reporting-currency/")
    page.fill("#id_currency", "USD")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Figures are now reported in USD")
    page.goto(f"{base}/dashboard/")
    assert _total(page, "stat-revenue") == "114.76 USD"
    assert "not in the total: 40.00 EUR" in _originals(page, "stat-revenue")
    assert problems == []
    context.close()
