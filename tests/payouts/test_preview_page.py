"""The dashboard's payout preview filters like the API (partner search, payable, currency,
reason), pages by 50 keeping the filters, and its CSV export has the rows the filters keep."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client

from payouts.models import Payout, PayoutRun
from tests.factories import PartnerFactory
from tests.partners.factories import ProgramFactory
from tests.payouts.money import commission, paypal_account

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<td data-label="Partner">([^<]+) <span class="muted">([A-Z]{3})</span>')


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _shown(response) -> list[tuple[str, str]]:
    assert response.status_code == 200
    return [(name, currency) for name, currency in ROW.findall(response.content.decode())]


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def rows(merchant, program, jane):
    """Jane payable in EUR and (below the minimum) in USD; Kim without a payout method;
    Jan below the minimum; someone of another merchant."""
    usd = ProgramFactory(merchant=merchant, mode="live", code="SHOES-US", currency="USD")
    commission(program, jane, 7000)
    commission(usd, jane, 1200)
    commission(program, PartnerFactory(display_name="Kim"), 9000)
    jan = PartnerFactory(display_name="Jan")
    paypal_account(jan, "jan@example.org")
    commission(program, jan, 300)


def test_the_preview_filters_by_partner_payable_currency_and_reason(alice, rows):
    client = _client(alice)

    assert _shown(client.get("/dashboard/payouts/")) == [
        ("Jan", "EUR"),
        ("Jane", "EUR"),
        ("Jane", "USD"),
        ("Kim", "EUR"),
    ]
    assert _shown(client.get("/dashboard/payouts/?search=JAN")) == [
        ("Jan", "EUR"),
        ("Jane", "EUR"),
        ("Jane", "USD"),
    ]
    assert _shown(client.get("/dashboard/payouts/?search=jan&currency=usd")) == [("Jane", "USD")]
    assert _shown(client.get("/dashboard/payouts/?payable=yes")) == [("Jane", "EUR")]
    assert _shown(client.get("/dashboard/payouts/?payable=no&reason=below_minimum")) == [
        ("Jan", "EUR"),
        ("Jane", "USD"),
    ]
    assert _shown(client.get("/dashboard/payouts/?reason=no_payout_method")) == [("Kim", "EUR")]
    nobody = client.get("/dashboard/payouts/?search=zoe")
    assert _shown(nobody) == []
    assert b"No partner matches these filters." in nobody.content


def test_a_filter_value_that_does_not_validate_is_left_out(alice, rows):
    page = _client(alice).get("/dashboard/payouts/?reason=late&currency=EUR")

    assert _shown(page) == [("Jan", "EUR"), ("Jane", "EUR"), ("Kim", "EUR")]
    assert b"Select a valid choice" in page.content


def test_the_run_form_still_offers_every_payable_partner_whatever_the_filters(alice, rows, jane):
    page = _client(alice).get("/dashboard/payouts/?reason=no_payout_method")

    assert f'name="partner" value="{jane.pk}" checked'.encode() in page.content


def test_the_preview_pages_by_50_and_keeps_the_filters(alice, program):
    for i in range(53):
        commission(program, PartnerFactory(display_name=f"Partner {i:02d}"), 100)
    commission(program, PartnerFactory(display_name="Other"), 100)
    client = _client(alice)

    first = client.get("/dashboard/payouts/?search=partner")
    second = client.get("/dashboard/payouts/?search=partner&page=2")

    assert [name for name, _ in _shown(first)] == [f"Partner {i:02d}" for i in range(50)]
    assert [name for name, _ in _shown(second)] == [f"Partner {i:02d}" for i in range(50, 53)]
    assert b'href="?search=partner&amp;page=2"' in first.content
    assert b"53 rows" in first.content


def test_the_csv_export_has_the_rows_the_filters_keep(alice, rows, jane):
    client = _client(alice)
    page = client.get("/dashboard/payouts/?search=jan&payable=no")
    assert b'href="/dashboard/payouts/preview.csv?search=jan&amp;payable=no"' in page.content

    exported = _csv(client.get("/dashboard/payouts/preview.csv?search=jan&payable=no"))

    assert exported == [
        {
            "partner_id": str(PartnerFactory._meta.model.objects.get(display_name="Jan").pk),
            "partner_name": "Jan",
            "currency": "EUR",
            "commissions_count": "1",
            "commissions_cents": "300",
            "adjustments_count": "0",
            "adjustments_cents": "0",
            "net_cents": "300",
            "minimum_cents": "5000",
            "method": "paypal",
            "payable": "false",
            "reasons": "below_minimum",
        },
        {
            "partner_id": str(jane.pk),
            "partner_name": "Jane",
            "currency": "USD",
            "commissions_count": "1",
            "commissions_cents": "1200",
            "adjustments_count": "0",
            "adjustments_cents": "0",
            "net_cents": "1200",
            "minimum_cents": "5000",
            "method": "sepa",
            "payable": "false",
            "reasons": "below_minimum",
        },
    ]
    everything = _csv(client.get("/dashboard/payouts/preview.csv"))
    assert [(r["partner_name"], r["currency"]) for r in everything] == [
        ("Jan", "EUR"),
        ("Jane", "EUR"),
        ("Jane", "USD"),
        ("Kim", "EUR"),
    ]
    assert not PayoutRun.objects.exists() and not Payout.objects.exists()


def test_the_export_guards_formula_like_names_and_is_the_merchants_own(
    alice, charlie, merchant, program
):
    commission(program, PartnerFactory(display_name="=HYPERLINK(1)"), 100)

    (row,) = _csv(_client(alice).get("/dashboard/payouts/preview.csv"))
    others = _csv(_client(charlie).get("/dashboard/payouts/preview.csv"))

    assert row["partner_name"] == "'=HYPERLINK(1)"
    assert others == []


def test_the_api_preview_searches_partners_like_the_page(alice_client, rows):
    body = alice_client.get("/api/v1/payouts/preview?search=JAN&currency=USD").json()
    assert [(r["partner"]["display_name"], r["currency"]) for r in body["data"]] == [
        ("Jane", "USD")
    ]
    lines = alice_client.get("/api/v1/payouts/preview/export?search=kim").content.decode()
    assert [line.split(",")[1] for line in lines.splitlines()] == ["partner_name", "Kim"]


def test_the_export_needs_a_login_and_keeps_to_the_mode(client, alice, rows, test_program, jane):
    assert client.get("/dashboard/payouts/preview.csv")["Location"] == (
        "/login/?next=/dashboard/payouts/preview.csv"
    )
    commission(test_program, jane, 6100)
    web = _client(alice)
    web.post("/dashboard/mode/", {"mode": "test"})

    (row,) = _csv(web.get("/dashboard/payouts/preview.csv?search=jane"))

    assert (row["partner_name"], row["commissions_cents"], row["payable"]) == (
        "Jane",
        "6100",
        "true",
    )
    assert _shown(web.get("/dashboard/payouts/?currency=USD")) == []
