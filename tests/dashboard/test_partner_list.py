"""The partners list: each partner's email, a search by name, email, code or website, and
per-partner clicks, conversions, revenue and commissions in the reporting currency (the
originals one click away), computed in a fixed number of queries; and its CSV export."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Partner
from partners import services as partner_services
from tests.dashboard import test_overview
from tests.dashboard.conftest import page
from tests.dashboard.sales import sale
from tests.factories import PartnerFactory, UserFactory
from tests.partners.factories import (
    ApplicationFactory,
    ProgramFactory,
    PromoCodeFactory,
    ReferralCodeFactory,
)

pytestmark = pytest.mark.django_db

URL = "/dashboard/partners/"
# Twelve clicks (two from bots) and two EUR sales of 100.00 and 25.00 for `partner`.
activity = test_overview.activity


def _cell(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}">') + len(f'data-testid="{testid}">')
    return html[start : html.index("</td>", start)]


def _listed(client: Any, query: str) -> list[str]:
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    return [partner.display_name for partner in response.context["page_obj"]]


def test_each_partner_shows_its_email_and_figures_in_the_reporting_currency(
    alice_web: Any, activity: Any, partner: Partner
) -> None:
    html = page(alice_web.get(URL))

    assert f'<a href="mailto:{partner.user.email}">{partner.user.email}</a>' in html
    assert _cell(html, "partner-clicks") == "10"
    assert _cell(html, "partner-conversions") == "2"
    revenue = _cell(html, "partner-revenue")
    # 100.00 and 25.00 EUR at 1.1476: 114.76 + 28.69 USD; commissions 15% of each.
    assert revenue.split("<details")[0].strip() == "<div>143.45 USD</div>"
    assert "<summary>In original currencies</summary>" in revenue
    assert "<div>125.00 EUR</div>" in revenue
    commissions = _cell(html, "partner-commissions")
    assert commissions.split("<details")[0].strip() == "<div>21.51 USD</div>"
    assert "<div>18.75 EUR</div>" in commissions
    assert "Figures of the last 30 days" in html and "Money in USD" in html


def test_the_range_limits_the_figures(
    alice_web: Any, activity: Any, partner: Partner, time_machine: Any
) -> None:
    time_machine.move_to(test_overview.NOW.replace(day=25), tick=False)

    html = page(alice_web.get(URL, {"range": "7"}))

    assert _cell(html, "partner-clicks") == "0"
    assert _cell(html, "partner-conversions") == "0"
    assert "<div>0.00 USD</div>" in _cell(html, "partner-revenue")
    assert _cell(page(alice_web.get(URL, {"range": "30"})), "partner-conversions") == "2"


def test_the_search_finds_partners_by_name_email_code_or_website(
    alice_web: Any, program: Any, other_program: Any, test_program: Any
) -> None:
    def joined(name: str, **fields: Any) -> Partner:
        partner = PartnerFactory(display_name=name, **{"website": "", **fields})
        ApplicationFactory(program=program, partner=partner)
        return partner

    joined("Shoe Blog")
    joined("Quiet Reader", user=UserFactory(email="ann@readers.example"))
    joined("Hat Vlog", website="https://hats.example.net/")
    ReferralCodeFactory(program=program, partner=joined("Coded"), code="summer-c")
    PromoCodeFactory(program=program, partner=joined("Promoter"), code="DEALS20")
    # A code with another merchant, or in test mode, does not find the partner here.
    elsewhere = joined("Elsewhere")
    ReferralCodeFactory(program=other_program, partner=elsewhere, code="hidden-one")
    ReferralCodeFactory(program=test_program, partner=elsewhere, code="testmode-one")

    assert _listed(alice_web, "blog") == ["Shoe Blog"]
    assert _listed(alice_web, "ANN@readers") == ["Quiet Reader"]
    assert _listed(alice_web, "hats.example") == ["Hat Vlog"]
    assert _listed(alice_web, "SUMMER-C") == ["Coded"]
    assert _listed(alice_web, "deals") == ["Promoter"]
    assert _listed(alice_web, "hidden") == []
    assert _listed(alice_web, "testmode") == []
    assert len(_listed(alice_web, "  ")) == 6


def _queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries)


def test_the_figures_cost_the_same_queries_for_one_partner_or_many(
    alice_web: Any, activity: Any, keys: Any, merchant: Any, time_machine: Any
) -> None:
    one = _queries(alice_web)
    program = ProgramFactory(merchant=merchant, mode="live", code="HATS", currency="GBP")
    for n in range(4):
        partner = PartnerFactory(display_name=f"Extra {n}")
        ApplicationFactory(program=program, partner=partner, status="approved")
        sale(
            time_machine,
            test_overview.NOW,
            keys.sk_live,
            txid=f"extra-{n}",
            program=program,
            partner=partner,
            currency="GBP",
        )

    many = _queries(alice_web)

    assert many == one
    html = page(alice_web.get(URL))
    assert html.count('data-testid="partner-row"') == 5
    assert html.count("<div>100.00 GBP</div>") == 4


def test_the_csv_export_carries_reporting_and_original_amounts(
    alice_web: Any, activity: Any, partner: Partner
) -> None:
    response = alice_web.get("/dashboard/partners/export.csv", {"q": partner.display_name})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        [
            "id",
            "display_name",
            "email",
            "website",
            "country",
            "clicks",
            "conversions",
            "reporting_currency",
            "revenue_reporting",
            "revenue_original",
            "commissions_reporting",
            "commissions_original",
        ],
        [
            str(partner.pk),
            partner.display_name,
            partner.user.email,
            partner.website,
            partner.country,
            "10",
            "2",
            "USD",
            "143.45",
            "125.00 EUR",
            "21.51",
            "18.75 EUR",
        ],
    ]


def test_the_export_is_the_merchants_own(charlie_web: Any, activity: Any, partner: Partner) -> None:
    response = charlie_web.get("/dashboard/partners/export.csv")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1


def test_the_application_form_says_the_email_is_shared(
    partner_web: Any, program: Any, partner: Partner
) -> None:
    html = page(partner_web.get(f"/partner/programs/{program.pk}/apply/"))

    assert (
        f"By applying you share your partner profile (name, website, country) and your email "
        f"address, <strong>{partner.user.email}</strong>, with {program.merchant.name}"
    ) in html


def test_the_partners_page_shows_the_email_an_erased_partner_none(
    alice_web: Any, program: Any
) -> None:
    kept = PartnerFactory(user=UserFactory(email="kept@blog.example"))
    gone = PartnerFactory(user=UserFactory(email="gone@blog.example"))
    for partner in (kept, gone):
        ApplicationFactory(program=program, partner=partner)
    partner_services.partner_erase(partner=gone)

    detail = page(alice_web.get(f"/dashboard/partners/{kept.pk}/"))
    listed = page(alice_web.get(URL))

    assert (
        '<dd data-testid="partner-email"><a href="mailto:kept@blog.example">kept@blog.example</a>'
    ) in detail
    assert "kept@blog.example" in listed
    assert "gone@blog.example" not in listed
    assert "gone@blog.example" not in page(alice_web.get(f"/dashboard/partners/{gone.pk}/"))
