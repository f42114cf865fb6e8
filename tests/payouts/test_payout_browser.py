"""A payout cycle in real headless Chromium: the merchant creates a run, downloads its
SEPA file and marks it paid; the partner sees the payout paid, with its statement."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import xmlschema

from accounts.models import Membership, User
from payouts import services
from payouts.models import Payout
from payouts.rails.sepa import schema_path
from tests import browser as browser_fixtures
from tests.factories import PartnerFactory
from tests.partners.factories import ProgramFactory
from tests.payouts.money import commission, sepa_account

pytestmark = pytest.mark.browser

PASSWORD = "a-long-payout-passphrase-9"
ARTIFACTS = browser_fixtures.ARTIFACTS / "payouts"

chromium = browser_fixtures.chromium


def log_in(page: Any, url: str, email: str) -> None:
    page.goto(url)
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_load_state()


def test_a_payout_cycle_in_the_browser(live_server, transactional_db, settings, chromium):
    settings.SELGEO_PUBLIC_URL = live_server.url
    base = live_server.url
    owner = User.objects.create_user(email="mia@shoeshop.example", password=PASSWORD)
    membership = Membership.objects.create(
        user=owner, role="owner", merchant=ProgramFactory(mode="live").merchant
    )
    merchant = membership.merchant
    program = merchant.programs.get()
    anna = PartnerFactory(display_name="Anna Blog", user__email="anna@blog.example")
    anna.user.set_password(PASSWORD)
    anna.user.save()
    sepa_account(anna, holder="Anna Schmidt")
    commission(program, anna, 4500)
    commission(program, anna, 3000)
    services.payout_settings_update(
        merchant=merchant,
        mode="live",
        sepa_debtor_name="Shoe Shop GmbH",
        sepa_debtor_iban="DE02120300000000202051",
        sepa_debtor_bic="BYLADEM1001",
    )
    problems: list[str] = []
    page = chromium.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True
    ).new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))

    log_in(page, f"{base}/login/", "mia@shoeshop.example")
    page.goto(f"{base}/dashboard/payouts/")
    assert "Anna Blog" in page.content()
    page.click('[data-testid="create-run"]')
    page.wait_for_selector('[data-testid="run-progress"][data-status="ready"]')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "run.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click('[data-testid="file-sepa"]')
    download = download_info.value
    assert download.suggested_filename.endswith("-sepa.xml")
    content = Path(download.path()).read_bytes()
    xmlschema.XMLSchema(str(schema_path())).validate(content)
    assert b'<InstdAmt Ccy="EUR">75.00</InstdAmt>' in content

    page.fill('input[name="reference"]', "SEPA-BATCH-1")
    page.click('[data-testid="mark-run-paid"]')
    page.wait_for_load_state()
    assert page.locator('[data-testid="payout-status"]').inner_text().strip() == "paid"
    payout = Payout.objects.get()
    assert (payout.status, payout.reference, payout.amount_cents) == ("paid", "SEPA-BATCH-1", 7500)

    partner_page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    partner_page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(partner_page, f"{base}/partner/login/", "anna@blog.example")
    partner_page.goto(f"{base}/partner/payouts/")
    row = partner_page.locator('[data-testid="payout-row"]')
    assert row.locator('[data-testid="payout-status"]').inner_text().strip() == "paid"
    assert "SEPA-BATCH-1" in row.inner_text()
    partner_page.click("a:has-text('Statement')")
    partner_page.wait_for_load_state()
    assert partner_page.locator('[data-testid="statement-status"]').inner_text().strip() == "paid"
    assert partner_page.locator('[data-testid="statement-commission"]').count() == 2
    assert "75.00 EUR" in partner_page.locator('[data-testid="statement-amount"]').inner_text()
    partner_page.screenshot(path=str(ARTIFACTS / "statement.png"), full_page=True)
    assert problems == []


def test_the_progress_bar_moves_without_a_reload(live_server, transactional_db, chromium):
    from payouts.models import PayoutRun

    owner = User.objects.create_user(email="mia@shoeshop.example", password=PASSWORD)
    merchant = Membership.objects.create(
        user=owner, role="owner", merchant=ProgramFactory(mode="live").merchant
    ).merchant
    run = PayoutRun.objects.create(
        merchant=merchant, mode="live", targets=["a:EUR"] * 4, partners_total=4, partners_done=1
    )
    page = chromium.new_context().new_page()
    log_in(page, f"{live_server.url}/login/", "mia@shoeshop.example")
    page.goto(f"{live_server.url}/dashboard/payouts/runs/{run.pk}/")
    page.evaluate("window.__notReloaded = true")
    assert "Building: 1 of 4" in page.locator('[data-testid="run-progress"]').inner_text()

    PayoutRun.objects.filter(pk=run.pk).update(partners_done=3)
    page.wait_for_function(
        "document.querySelector('[data-testid=run-progress]').innerText.includes('3 of 4')",
        timeout=5000,
    )
    PayoutRun.objects.filter(pk=run.pk).update(partners_done=4, status="ready")
    page.wait_for_selector('[data-testid="run-progress"][data-status="ready"]', timeout=5000)
    assert page.evaluate("window.__notReloaded") is True
    assert page.locator("progress").get_attribute("value") == "4"
