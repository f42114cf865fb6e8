"""The dashboard's reporting currency: totals in it, the original currencies one click
away (a details element, no script), the setting, and the rates' date wherever rates
are shown."""

from __future__ import annotations

from typing import Any

import pytest

from conversions.models import Conversion
from fx.models import ReportingCurrency
from tests.dashboard import test_overview
from tests.dashboard.conftest import page

pytestmark = pytest.mark.django_db

SETTING = "/dashboard/settings/reporting-currency/"
# Ten clicks and two EUR sales of 100.00 and 25.00 (the overview's own data).
activity = test_overview.activity


def _between(html: str, start: str, end: str) -> str:
    begin = html.index(start) + len(start)
    return html[begin : html.index(end, begin)]


def test_overview_totals_are_in_the_reporting_currency_with_originals_one_click_away(
    alice_web: Any,
    activity: Any,
) -> None:
    html = page(alice_web.get("/dashboard/?range=7d"))

    revenue = _between(html, 'data-testid="stat-revenue">', "</details>")
    assert revenue.split("<details")[0].strip() == "<div>143.45 USD</div>"
    assert "<summary>In original currencies</summary>" in revenue
    assert "<div>125.00 EUR</div>" in revenue
    assert _between(html, 'data-testid="stat-commissions-approved">', "<") == "0.00 USD"
    note = _between(html, 'data-testid="reporting-note">', "</p>")
    assert "Money in USD, each amount at the exchange rate in effect when its sale happened" in note
    assert "(latest rates: snapshot, as of 2026-03-13)" in note


def test_the_setting_switches_the_currency_of_new_conversions_only(
    alice_web: Any,
    activity: Any,
    keys: Any,
    time_machine: Any,
) -> None:
    response = alice_web.post(SETTING, {"currency": "JPY"})

    assert response.status_code == 302
    assert ReportingCurrency.objects.get().currency == "JPY"
    # The recorded conversions keep the currency and rate they were recorded in.
    assert sorted(
        Conversion.objects.values_list("reporting_currency", "reporting_amount_cents")
    ) == [
        ("USD", 2869),
        ("USD", 11476),
    ]
    html = page(alice_web.get("/dashboard/?range=7d"))
    revenue = _between(html, 'data-testid="stat-revenue">', "</details>")
    assert revenue.split("<details")[0].strip() == "<div>0 JPY</div>"
    assert "Recorded in another reporting currency, not in the total: 143.45 USD" in revenue
    assert "Money in JPY" in html


def test_the_setting_page_shows_the_rates_with_their_date(alice_web: Any) -> None:
    html = page(alice_web.get(SETTING))

    assert _between(html, 'data-testid="reporting-currency">', "<") == "USD"
    assert _between(html, 'data-testid="rates-date">', "<") == (
        "snapshot rates as of 2026-03-13 15:00 UTC, in effect since 2026-03-13 15:00 UTC. "
        "Units per US dollar."
    )
    assert '<td class="num mono">0.8713837574</td>' in html


@pytest.mark.parametrize("value", ["eur", "ZZZ", "XAU", ""])
def test_an_invalid_currency_is_refused_and_nothing_changes(alice_web: Any, value: str) -> None:
    response = alice_web.post(SETTING, {"currency": value})

    assert response.status_code == 200
    assert ReportingCurrency.objects.count() == 0
    assert response.context["form"].errors["currency"]


def test_a_member_cannot_change_it(bob_web: Any) -> None:
    response = bob_web.post(SETTING, {"currency": "EUR"})

    assert response.status_code == 403
    assert ReportingCurrency.objects.count() == 0
