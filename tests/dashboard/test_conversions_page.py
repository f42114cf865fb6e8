"""The merchant's conversions table: exact rows, filters, pages of 20, CSV export, scoping."""

from __future__ import annotations

from typing import Any

import pytest

from conversions.models import Conversion
from tests.dashboard.conftest import page, switch_mode
from tests.dashboard.sales import UNKNOWN_CLICK, report

pytestmark = pytest.mark.django_db

LIVE = ["c-none", "c-other", "c-reversed", "c-usd", "c-pending", "c-approved", "c-paid"]
CSV_HEADER = (
    "id,created_at,external_transaction_id,event_type,amount_cents,currency,attributed,"
    "explanation_code,program_code,partner_id,status,commission_cents,"
    "converted_amount_cents,converted_currency,fx_rate,"
    "reporting_currency,reporting_rate,reporting_amount_cents,commission_reporting_cents"
)


def txids(response: Any) -> list[str]:
    return [conversion.external_transaction_id for conversion in response.context["page_obj"]]


def csv_lines(response: Any) -> list[str]:
    return b"".join(response.streaming_content).decode().split("\r\n")


def test_the_table_lists_the_merchants_conversions_of_the_mode_newest_first(alice_web, sales):
    response = alice_web.get("/dashboard/conversions/")
    assert response.status_code == 200
    assert txids(response) == LIVE
    body = page(response)
    assert ">c-elsewhere<" not in body and ">t-1<" not in body
    usd = Conversion.objects.get(external_transaction_id="c-usd")
    assert f'href="/dashboard/conversions/{usd.pk}/">c-usd</a>' in body
    assert '<td data-label="Amount" class="num">99.00 USD</td>' in body
    assert '<td data-label="Commission" class="num">5.00 USD</td>' in body
    assert '<span class="muted mono">click_not_found</span>' in body
    assert 'href="/dashboard/conversions/" aria-current="page">Conversions</a>' in body
    assert "Export 7 rows as CSV" in body


def test_test_mode_shows_only_test_conversions(alice_web, sales):
    switch_mode(alice_web, "test")
    assert txids(alice_web.get("/dashboard/conversions/")) == ["t-1"]


def test_filters_narrow_the_rows(alice_web, sales, partner, other_partner, program):
    cases = {
        "status=pending": ["c-other", "c-usd", "c-pending"],
        "status=reversed": ["c-reversed"],
        "attributed=no": ["c-none"],
        "attributed=yes": LIVE[1:],
        "event_type=lead": ["c-pending"],
        f"program={sales.bags.pk}": ["c-usd"],
        f"partner={other_partner.pk}": ["c-other"],
        "transaction=c-usd": ["c-usd"],
        "transaction=%20c-paid%20": ["c-paid"],
        "transaction=c-us": [],
        "created_from=2026-05-20&created_to=2026-05-21": ["c-reversed", "c-usd", "c-pending"],
        "created_from=2026-05-22": ["c-none", "c-other"],
        "created_to=2026-05-01": ["c-approved", "c-paid"],
        "created_from=0001-01-01&created_to=9999-12-31": LIVE,
        f"partner={partner.pk}&status=pending&program={program.pk}": ["c-pending"],
    }
    for query, expected in cases.items():
        assert txids(alice_web.get(f"/dashboard/conversions/?{query}")) == expected, query


def test_an_invalid_filter_is_shown_and_the_valid_ones_still_apply(alice_web, sales):
    response = alice_web.get(
        "/dashboard/conversions/?status=bogus&created_from=yesterday&event_type=lead"
    )
    assert response.status_code == 200
    assert txids(response) == ["c-pending"]
    assert set(response.context["filters"].errors) == {"status", "created_from"}
    response = alice_web.get(
        "/dashboard/conversions/?created_from=2026-05-22&created_to=2026-05-20"
    )
    assert response.context["filters"].errors == {
        "created_to": ["The end date is before the start date."]
    }
    assert txids(response) == ["c-none", "c-other"]


def test_filtering_in_place_keeps_the_filters_on_the_export_link(alice_web, sales):
    response = alice_web.get("/dashboard/conversions/?attributed=no&page=1", HTTP_HX_REQUEST="true")
    body = page(response)
    assert '<div id="results">' in body
    assert 'href="/dashboard/conversions/export.csv?attributed=no" download>' in body
    assert "Export 1 row as CSV" in body


def test_rows_come_in_pages_of_20(alice_web, keys):
    for n in range(21):
        report(keys.sk_live, txid=f"order-{n:02d}", click=UNKNOWN_CLICK)
    first = alice_web.get("/dashboard/conversions/?attributed=no")
    assert len(first.context["page_obj"]) == 20
    body = page(first)
    assert "Page 1 of 2 · 21 rows" in body
    assert 'href="?attributed=no&amp;page=2"' in body
    assert txids(alice_web.get("/dashboard/conversions/?attributed=no&page=2")) == ["order-00"]


def test_the_csv_export_has_the_filtered_rows_exactly(alice_web, sales, partner, other_partner):
    response = alice_web.get(
        "/dashboard/conversions/export.csv?created_from=2026-05-20&created_to=2026-05-23"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="conversions-live-20260531.csv"'
    )
    ids = sales.ids
    assert csv_lines(response) == [
        CSV_HEADER,
        f"{ids['c-none']},2026-05-23T10:00:00Z,c-none,purchase,3000,EUR,false,"
        "click_not_found,,,approved,,,,,USD,1.1476,3443,",
        f"{ids['c-other']},2026-05-22T12:00:00Z,c-other,purchase,1000,EUR,true,"
        f"attributed_click,SHOES,{other_partner.pk},pending,150,,,,USD,1.1476,1148,172",
        f"{ids['c-reversed']},2026-05-21T10:00:00Z,c-reversed,purchase,5000,EUR,true,"
        f"attributed_click,SHOES,{partner.pk},reversed,750,,,,USD,1.1476,5738,861",
        f"{ids['c-usd']},2026-05-20T11:00:00Z,c-usd,purchase,9900,USD,true,"
        f"attributed_click,BAGS,{partner.pk},pending,500,,,,USD,1,9900,500",
        f"{ids['c-pending']},2026-05-20T10:00:00Z,c-pending,lead,2000,EUR,true,"
        f"attributed_click,SHOES,{partner.pk},pending,300,,,,USD,1.1476,2295,344",
        "",
    ]


def test_the_csv_export_defuses_spreadsheet_formulas(alice_web, keys):
    for txid in ('=HYPERLINK("https://evil.example")', "+1+2", "-3", "@SUM(A1)", "safe=1"):
        report(keys.sk_live, txid=txid, click=UNKNOWN_CLICK, amount_cents=100)
    lines = csv_lines(alice_web.get("/dashboard/conversions/export.csv"))
    cells = [line.split(",")[2] for line in lines[1:-1]]
    assert sorted(cells) == sorted(
        ['"\'=HYPERLINK(""https://evil.example"")"', "'+1+2", "'-3", "'@SUM(A1)", "safe=1"]
    )
    assert [line.split(",")[4] for line in lines[1:-1]] == ["100"] * 5


def test_the_export_is_scoped_to_the_merchant_and_mode(alice_web, charlie_web, sales):
    switch_mode(alice_web, "test")
    lines = csv_lines(alice_web.get("/dashboard/conversions/export.csv"))
    assert len(lines) == 3 and lines[1].split(",")[2] == "t-1"
    assert csv_lines(charlie_web.get("/dashboard/conversions/export.csv"))[1].split(",")[2] == (
        "c-elsewhere"
    )


def test_the_pages_need_a_signed_in_merchant(client, partner_web, sales):
    for url in ("/dashboard/conversions/", "/dashboard/conversions/export.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"
        assert partner_web.get(url)["Location"] == "/partner/"
