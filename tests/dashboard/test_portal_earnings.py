"""The partner's earnings page and the figures on "My programs"."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from tests.dashboard.conftest import page, switch_mode

pytestmark = pytest.mark.django_db


def days(start: date, count: int) -> list[str]:
    return [(start + timedelta(days=n)).isoformat() for n in range(count)]


def chart(response: Any) -> dict[str, Any]:
    body = page(response)
    start = body.index('<script id="earnings-series" type="application/json">')
    end = body.index("</script>", start)
    return json.loads(body[body.index(">", start) + 1 : end])


def totals(response: Any) -> dict[str, dict[str, int]]:
    return {row["status"]: row["totals"] for row in response.context["earnings"].totals}


def test_totals_by_status_across_merchants(partner_web, sales):
    response = partner_web.get("/partner/earnings/")
    assert response.status_code == 200
    # Acme's pending 3.00 EUR and 5.00 USD with the other merchant's 6.00 EUR; the other
    # partner's commission and test-mode commissions are not this partner's live earnings.
    assert totals(response) == {
        "pending": {"EUR": 900, "USD": 500},
        "approved": {"EUR": 1500},
        "paid": {"EUR": 3000},
    }
    body = page(response)
    assert 'data-testid="earnings-pending">9.00 EUR · 5.00 USD</div>' in body
    assert 'data-testid="earnings-paid">30.00 EUR</div>' in body
    assert 'href="/partner/earnings/" aria-current="page">Earnings</a>' in body
    assert 'src="/static/vendor/chart-4.6.1.umd.min.js"' in body


def test_the_chart_has_clicks_conversions_and_commission_per_day(partner_web, sales):
    response = partner_web.get("/partner/earnings/")
    earnings = response.context["earnings"]
    assert (earnings.clicks, earnings.conversions) == (4, 3)
    assert earnings.commission_cents == {"EUR": 900, "USD": 500}

    def on(values: dict[int, Any], default: Any = 0) -> list[Any]:
        return [values.get(n, default) for n in range(30)]

    # Index 18 is May 20, 19 May 21, 20 May 22 (the range starts on May 2).
    assert chart(response) == {
        "labels": days(date(2026, 5, 2), 30),
        "series": [
            {"label": "Clicks", "data": on({18: 2, 19: 1, 20: 1}), "axis": "y"},
            {"label": "Conversions", "data": on({18: 2, 20: 1}), "axis": "y"},
            {
                "label": "Commission (EUR)",
                "data": on({18: "3.00", 20: "6.00"}, "0.00"),
                "axis": "y2",
            },
            {"label": "Commission (USD)", "data": on({18: "5.00"}, "0.00"), "axis": "y2"},
        ],
    }


def test_the_range_can_be_7_or_90_days(partner_web, sales):
    week = partner_web.get("/partner/earnings/?range=7", HTTP_HX_REQUEST="true")
    assert chart(week)["labels"] == days(date(2026, 5, 25), 7)
    assert [s["label"] for s in chart(week)["series"]] == ["Clicks", "Conversions"]
    assert (week.context["earnings"].clicks, week.context["earnings"].conversions) == (0, 0)
    quarter = partner_web.get("/partner/earnings/?range=90").context["earnings"]
    assert (quarter.clicks, quarter.conversions) == (6, 5)
    assert quarter.commission_cents == {"EUR": 5400, "USD": 500}
    unknown = partner_web.get("/partner/earnings/?range=365")
    assert unknown.status_code == 200 and unknown.context["days"] == 30
    assert '<option value="30" selected>Last 30 days</option>' in page(unknown)


def test_the_table_lists_only_the_partners_commissions(partner_web, other_partner_web, sales):
    response = partner_web.get("/partner/earnings/")
    rows = [
        (c.merchant.name, c.program.name, c.amount_cents, c.status)
        for c in response.context["page_obj"]
    ]
    assert rows == [
        ("Other", "Hats", 600, "pending"),
        ("Acme", "Shoes", 750, "reversed"),
        ("Acme", "Bags", 500, "pending"),
        ("Acme", "Shoes", 300, "pending"),
        ("Acme", "Shoes", 1500, "approved"),
        ("Acme", "Shoes", 3000, "paid"),
    ]
    body = page(response)
    assert '<td data-label="Amount" class="num">6.00 EUR</td>' in body
    assert '<td data-label="Held until">2026-06-21</td>' in body
    theirs = other_partner_web.get("/partner/earnings/")
    assert [c.amount_cents for c in theirs.context["page_obj"]] == [150]
    assert totals(theirs)["pending"] == {"EUR": 150}


def test_test_mode_earnings_are_separate(partner_web, sales):
    switch_mode(partner_web, "test")
    response = partner_web.get("/partner/earnings/")
    assert [c.conversion.external_transaction_id for c in response.context["page_obj"]] == ["t-1"]
    assert totals(response)["pending"] == {"EUR": 1500}


def test_my_programs_show_the_last_30_days(partner_web, sales):
    body = page(partner_web.get("/partner/"))
    assert 'data-testid="program-figures-SHOES">Last 30 days: 2 clicks · 1 conversion' in body
    assert 'data-testid="program-figures-BAGS">Last 30 days: 1 click · 1 conversion' in body


def test_earnings_need_a_signed_in_partner(client):
    assert client.get("/partner/earnings/")["Location"] == "/partner/login/?next=/partner/earnings/"
