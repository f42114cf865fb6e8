"""A partner's activity on the merchant's partner page: clicks, latest conversions, commissions."""

from __future__ import annotations

import pytest

from tests.dashboard.conftest import page, switch_mode
from tests.dashboard.sales import report
from tests.partners.factories import ApplicationFactory, ClickFactory

pytestmark = pytest.mark.django_db


def test_the_partner_page_shows_the_last_30_days_and_commission_totals(alice_web, sales, partner):
    response = alice_web.get(f"/dashboard/partners/{partner.pk}/")
    activity = response.context["activity"]
    # Clicks of May 20 (two) and May 21; the April and May 1 clicks are older, the bot's
    # click, the test-mode click and the click at another merchant do not count here.
    assert activity.figures == [
        {"label": "Clicks", "value": 3, "note": "1 from bots"},
        {"label": "Conversions", "value": 2, "note": "1 reversed"},
        {"label": "Revenue", "value": "20.00 EUR · 99.00 USD"},
    ]
    assert [c.external_transaction_id for c in activity.latest_conversions] == [
        "c-reversed",
        "c-usd",
        "c-pending",
        "c-approved",
        "c-paid",
    ]
    assert {row["status"]: row["totals"] for row in activity.commission_totals} == {
        "pending": {"EUR": 300, "USD": 500},
        "approved": {"EUR": 1500},
        "paid": {"EUR": 3000},
        "reversed": {"EUR": 750},
    }
    body = page(response)
    assert '<div class="value" data-testid="activity-clicks">3</div>' in body
    assert 'data-testid="commissions-pending">3.00 EUR · 5.00 USD</div>' in body
    assert f'href="/dashboard/conversions/?partner={partner.pk}">All conversions' in body
    assert f'href="/dashboard/commissions/?partner={partner.pk}">All commissions' in body


def test_the_activity_is_of_the_current_mode(alice_web, sales, partner, test_program):
    ApplicationFactory(program=test_program, partner=partner, status="approved")
    switch_mode(alice_web, "test")
    activity = alice_web.get(f"/dashboard/partners/{partner.pk}/").context["activity"]
    assert activity.figures[0]["value"] == 1
    assert [c.external_transaction_id for c in activity.latest_conversions] == ["t-1"]
    assert activity.commission_totals[0] == {
        "status": "pending",
        "label": "Pending",
        "totals": {"EUR": 1500},
    }


def test_only_the_latest_ten_conversions_are_listed(alice_web, keys, approved, program, partner):
    for n in range(11):
        report(
            keys.sk_live, txid=f"sale-{n:02d}", click=ClickFactory(program=program, partner=partner)
        )
    activity = alice_web.get(f"/dashboard/partners/{partner.pk}/").context["activity"]
    assert [c.external_transaction_id for c in activity.latest_conversions] == [
        f"sale-{n:02d}" for n in range(10, 0, -1)
    ]
    assert activity.figures[0]["value"] == 11 and activity.figures[1]["value"] == 11
