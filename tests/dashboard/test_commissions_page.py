"""The merchant's commissions table: totals per status and currency, filters, CSV, scoping."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dashboard.conftest import page, switch_mode

pytestmark = pytest.mark.django_db

LIVE = ["c-other", "c-reversed", "c-usd", "c-pending", "c-approved", "c-paid"]


def txids(response: Any) -> list[str]:
    return [c.conversion.external_transaction_id for c in response.context["page_obj"]]


def totals(response: Any) -> dict[str, dict[str, int]]:
    return {row["status"]: row["totals"] for row in response.context["totals"]}


def test_the_table_and_totals_cover_the_merchants_commissions_of_the_mode(alice_web, sales):
    response = alice_web.get("/dashboard/commissions/")
    assert response.status_code == 200
    assert txids(response) == LIVE
    assert totals(response) == {
        "pending": {"EUR": 450, "USD": 500},
        "approved": {"EUR": 1500},
        "paid": {"EUR": 3000},
        "reversed": {"EUR": 750},
    }
    body = page(response)
    assert '<div class="value-sm">4.50 EUR · 5.00 USD</div>' in body
    assert '<div class="value-sm">30.00 EUR</div>' in body
    assert '<td data-label="Amount" class="num">5.00 USD</td>' in body
    assert '<td data-label="Held until">2026-06-19</td>' in body
    assert ">c-elsewhere<" not in body and ">t-1<" not in body
    assert 'href="/dashboard/commissions/" aria-current="page">Commissions</a>' in body


def test_test_mode_shows_only_test_commissions(alice_web, sales):
    switch_mode(alice_web, "test")
    response = alice_web.get("/dashboard/commissions/")
    assert txids(response) == ["t-1"]
    assert totals(response)["pending"] == {"EUR": 1500}


def test_filters_narrow_the_rows_and_the_totals(alice_web, sales, partner, other_partner):
    response = alice_web.get(f"/dashboard/commissions/?partner={partner.pk}")
    assert txids(response) == LIVE[1:]
    assert totals(response)["pending"] == {"EUR": 300, "USD": 500}
    response = alice_web.get("/dashboard/commissions/?status=pending")
    assert txids(response) == ["c-other", "c-usd", "c-pending"]
    assert totals(response) == {
        "pending": {"EUR": 450, "USD": 500},
        "approved": {},
        "paid": {},
        "reversed": {},
    }
    assert "Totals for these filters" in page(response)
    cases = {
        f"program={sales.bags.pk}": ["c-usd"],
        f"partner={other_partner.pk}": ["c-other"],
        "created_from=2026-05-20&created_to=2026-05-20": ["c-usd", "c-pending"],
        "created_to=2026-05-01": ["c-approved", "c-paid"],
        "status=paid&created_from=2026-05-01": [],
        "status=nonsense": LIVE,
    }
    for query, expected in cases.items():
        assert txids(alice_web.get(f"/dashboard/commissions/?{query}")) == expected, query


def test_the_csv_export_has_the_filtered_rows_exactly(alice_web, sales, partner):
    response = alice_web.get(
        f"/dashboard/commissions/export.csv?partner={partner.pk}&created_to=2026-05-01"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="commissions-live-20260531.csv"'
    )
    approved, paid = sales.commission("c-approved"), sales.commission("c-paid")
    assert b"".join(response.streaming_content).decode().split("\r\n") == [
        "id,created_at,conversion_id,external_transaction_id,program_code,partner_id,kind,"
        "rate_bps,amount_cents,currency,status,approve_after,approved_at,paid_at,reversed_at,"
        "reporting_currency,reporting_rate,reporting_amount_cents",
        f"{approved.pk},2026-05-01T10:00:00Z,{approved.conversion_id},c-approved,SHOES,"
        f"{partner.pk},cps,1500,1500,EUR,approved,2026-05-31T10:00:00Z,2026-05-31T12:00:00Z,,,"
        "USD,1.1476,1721",
        f"{paid.pk},2026-04-01T10:00:00Z,{paid.conversion_id},c-paid,SHOES,{partner.pk},cps,"
        "1500,3000,EUR,paid,2026-05-01T10:00:00Z,2026-05-31T12:00:00Z,2026-05-30T12:00:00Z,,"
        "USD,1.1476,3443",
        "",
    ]


def test_the_csv_export_defuses_formulas_in_codes(alice_web, sales, program):
    program.code = "=SHOES"
    program.save(update_fields=["code"])
    response = alice_web.get(f"/dashboard/commissions/export.csv?program={program.pk}")
    lines = b"".join(response.streaming_content).decode().split("\r\n")
    assert {line.split(",")[4] for line in lines[1:-1]} == {"'=SHOES"}


def test_another_merchant_sees_only_their_commissions(charlie_web, sales):
    response = charlie_web.get("/dashboard/commissions/")
    assert txids(response) == ["c-elsewhere"]
    assert totals(response)["pending"] == {"EUR": 600}
    lines = b"".join(charlie_web.get("/dashboard/commissions/export.csv").streaming_content)
    assert lines.decode().count("\r\n") == 2


def test_the_pages_need_a_signed_in_merchant(client):
    for url in ("/dashboard/commissions/", "/dashboard/commissions/export.csv"):
        assert client.get(url)["Location"] == f"/login/?next={url}"
