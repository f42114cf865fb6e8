"""Totals in the reporting currency on the programs page, a program's page and the
partner's earnings (there in a currency the partner chooses), the original currencies
one click away, and the programs CSV carrying both."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fx.services import reporting_currency_set
from tests.dashboard import test_overview
from tests.dashboard.conftest import page
from tests.dashboard.sales import sale
from tests.partners.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

# Twelve clicks (two from bots) and two EUR sales of 100.00 and 25.00 in `program`.
activity = test_overview.activity


def _cell(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}">') + len(f'data-testid="{testid}">')
    end = min(
        html.index(end_tag, start) for end_tag in ("</td>", "</details>") if end_tag in html[start:]
    )
    return html[start:end]


def _total(html: str, testid: str) -> str:
    return _cell(html, testid).split("<details")[0].strip()


@pytest.fixture
def dollars(activity: Any, merchant: Any, partner: Any, keys: Any, time_machine: Any) -> Any:
    """A 50.00 USD sale of the same partner in a USD program with a 5.00 USD CPA."""
    bags = ProgramFactory(
        merchant=merchant,
        mode="live",
        code="BAGS",
        name="Bags",
        currency="USD",
        commission_type="cpa",
        cpa_amount_cents=500,
        percent_bps=None,
    )
    ApplicationFactory(program=bags, partner=partner, status="approved")
    sale(
        time_machine,
        test_overview.NOW,
        keys.sk_live,
        txid="usd-1",
        program=bags,
        partner=partner,
        amount_cents=5000,
        currency="USD",
    )
    return bags


def test_the_programs_page_shows_each_programs_totals(alice_web: Any, dollars: Any) -> None:
    html = page(alice_web.get("/dashboard/programs/"))

    rows = html.split('data-testid="program-row"')[1:]
    by_name = {("Bags" if ">Bags</a>" in row else "Shoes"): row for row in rows}
    shoes, bags = by_name["Shoes"], by_name["Bags"]
    assert _total(shoes, "program-revenue") == "<div>143.45 USD</div>"
    assert "<div>125.00 EUR</div>" in _cell(shoes, "program-revenue")
    assert _total(shoes, "program-commissions") == "<div>21.51 USD</div>"
    assert _cell(shoes, "program-clicks") == "10"
    assert _cell(shoes, "program-conversions") == "2"
    assert _total(bags, "program-revenue") == "<div>50.00 USD</div>"
    assert _total(bags, "program-commissions") == "<div>5.00 USD</div>"
    assert "Money in USD at the rate of each sale's moment" in html


def test_the_programs_csv_carries_reporting_and_original_amounts(
    alice_web: Any, dollars: Any, program: Any
) -> None:
    response = alice_web.get("/dashboard/programs/export.csv", {"q": "SHOES"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "id",
        "code",
        "name",
        "status",
        "currency",
        "clicks",
        "conversions",
        "reporting_currency",
        "revenue_reporting",
        "revenue_original",
        "commissions_reporting",
        "commissions_original",
    ]
    assert rows[1:] == [
        [
            str(program.pk),
            program.code,
            program.name,
            program.status,
            "EUR",
            "10",
            "2",
            "USD",
            "143.45",
            "125.00 EUR",
            "21.51",
            "18.75 EUR",
        ]
    ]


def test_the_program_page_shows_its_totals_and_each_partners(
    alice_web: Any, activity: Any, program: Any
) -> None:
    html = page(alice_web.get(f"/dashboard/programs/{program.pk}/"))

    assert _cell(html, "program-clicks").startswith("10<")
    assert _total(html, "program-revenue") == "<div>143.45 USD</div>"
    assert "<div>125.00 EUR</div>" in _cell(html, "program-revenue")
    assert _total(html, "program-commissions") == "<div>21.51 USD</div>"
    assert _cell(html, "row-clicks") == "10"
    assert _cell(html, "row-conversions") == "2"
    assert _total(html, "row-revenue") == "<div>143.45 USD</div>"
    assert _total(html, "row-commissions") == "<div>21.51 USD</div>"


def test_amounts_recorded_before_a_currency_change_are_shown_apart(
    alice_web: Any, activity: Any, merchant: Any, program: Any
) -> None:
    reporting_currency_set(merchant=merchant, currency="JPY")

    html = page(alice_web.get(f"/dashboard/programs/{program.pk}/"))

    assert _total(html, "program-revenue") == "<div>0 JPY</div>"
    assert "Recorded in another reporting currency, not in the total: 143.45 USD" in html


def test_earnings_are_totalled_in_the_partners_currency(partner_web: Any, dollars: Any) -> None:
    # Two currencies: USD by default. 18.75 EUR at the latest 1.1476 is 21.5175, half to
    # even 21.52 USD, plus the 5.00 USD commission.
    html = page(partner_web.get("/partner/earnings/"))

    assert _total(html, "earnings-pending-converted") == "<div>26.52 USD</div>"
    assert "<div>18.75 EUR</div>" in _cell(html, "earnings-pending-converted")
    assert _total(html, "earnings-earned-converted") == "<div>26.52 USD</div>"
    assert "Totals in USD at the latest exchange rates (snapshot, as of 2026-03-13)" in html

    # 5.00 USD / 1.1476 = 4.3569 EUR: 4.36 EUR, plus 18.75 EUR.
    chosen = page(partner_web.get("/partner/earnings/", {"currency": "EUR"}))
    assert _total(chosen, "earnings-pending-converted") == "<div>23.11 EUR</div>"
    # The choice is remembered; an unknown code keeps it.
    again = page(partner_web.get("/partner/earnings/", {"currency": "eur"}))
    assert _total(again, "earnings-pending-converted") == "<div>23.11 EUR</div>"
    assert '<option value="EUR" selected>EUR</option>' in again


def test_a_partner_earning_in_one_currency_sees_it_by_default(
    partner_web: Any, activity: Any
) -> None:
    html = page(partner_web.get("/partner/earnings/"))

    assert _total(html, "earnings-pending-converted") == "<div>18.75 EUR</div>"


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_programs_page_costs_the_same_queries_for_one_program_or_many(
    alice_web: Any, activity: Any, dollars: Any, merchant: Any
) -> None:
    two = _queries(alice_web, "/dashboard/programs/")
    for n in range(3):
        ProgramFactory(merchant=merchant, mode="live", code=f"MORE{n}")

    assert _queries(alice_web, "/dashboard/programs/") == two
