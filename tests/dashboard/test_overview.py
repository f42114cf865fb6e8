"""The merchant overview: exact figures for the chosen range, per mode, with top tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from partners import services as partner_services
from tests.conftest import api_client
from tests.dashboard.conftest import page, switch_mode
from tests.partners.factories import ApplicationFactory, ReferralCodeFactory
from tracking.models import Click
from tracking.rollups import click_rollup_advance

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def activity(time_machine, merchant, program, partner, keys):
    """Ten human clicks and two bot clicks over two days, then two sales on one click."""
    time_machine.move_to(NOW, tick=False)
    ApplicationFactory(program=program, partner=partner, status="approved")
    code = ReferralCodeFactory(program=program, partner=partner)
    clicks = []
    for offset, bot in (
        [(timedelta(days=1), False)] * 6 + [(timedelta(0), False)] * 4 + [(timedelta(0), True)] * 2
    ):
        at = NOW - offset
        clicks.append(
            Click.objects.create(
                merchant=merchant,
                mode="live",
                program=program,
                partner=partner,
                referral_code=code,
                is_bot=bot,
                created_at=at,
                expires_at=at + timedelta(days=30),
            )
        )
    sk = api_client(keys.sk_live)
    for txid, amount in [("o-1", 10000), ("o-2", 2500)]:
        response = sk.post(
            "/api/v1/conversions",
            {
                "click_id": str(clicks[0].pk),
                "event_type": "purchase",
                "amount_cents": amount,
                "currency": "EUR",
                "external_transaction_id": txid,
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    return clicks


def _numbers(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}">') + len(f'data-testid="{testid}">')
    return html[start : html.index("</div>", start)].strip()


def test_overview_shows_exact_figures(alice_web, activity, partner, program):
    response = alice_web.get("/dashboard/?range=7d")
    assert response.status_code == 200
    html = page(response)
    assert _numbers(html, "stat-clicks") == "12"
    assert _numbers(html, "stat-conversions") == "2"
    assert _numbers(html, "stat-rate") == "20.00%"
    # Money in the reporting currency (USD) at the rate of each sale, originals beside:
    # 100.00 and 25.00 EUR at 1.1476 are 114.76 + 28.69 USD; their 15% commissions,
    # 15.00 and 3.75 EUR, are 17.21 + 4.30 USD.
    assert "143.45 USD" in html and "125.00 EUR" in html  # revenue from partners
    assert "21.51 USD" in html and "18.75 EUR" in html  # commissions, pending
    series = json.loads(
        html.split('id="overview-series" type="application/json">')[1].split("</script>")[0]
    )
    assert series["labels"][-2:] == ["2026-06-14", "2026-06-15"]
    assert series["series"][0]["data"][-2:] == [6, 4]
    assert series["series"][1]["data"][-2:] == [0, 2]
    top = response.context["report"].top_partners
    assert [
        (row.name, row.clicks, row.conversions, row.commission, row.commission_originals)
        for row in top
    ] == [(partner.display_name, 10, 2, "21.51 USD", "18.75 EUR")]
    assert [row.name for row in response.context["report"].top_programs] == [program.name]


def test_a_partner_this_merchant_erased_keeps_its_figures_without_its_name(
    alice_web, activity, partner, merchant
):
    partner_services.partner_erase_for_merchant(merchant=merchant, partner=partner)

    response = alice_web.get("/dashboard/?range=7d")

    top = response.context["report"].top_partners
    assert [(row.name, row.clicks, row.conversions) for row in top] == [("Former partner", 10, 2)]
    assert partner.display_name not in page(response)


def test_overview_figures_do_not_change_when_clicks_are_rolled_up(alice_web, activity):
    before = page(alice_web.get("/dashboard/?range=7d"))
    assert click_rollup_advance(now=NOW + timedelta(hours=1)) == 12
    after = page(alice_web.get("/dashboard/?range=7d"))
    assert _numbers(after, "stat-clicks") == _numbers(before, "stat-clicks") == "12"


def test_overview_in_test_mode_shows_no_live_data(alice_web, activity):
    switch_mode(alice_web, "test")
    html = page(alice_web.get("/dashboard/"))
    assert _numbers(html, "stat-clicks") == "0"
    assert _numbers(html, "stat-conversions") == "0"


def test_other_merchant_sees_none_of_it(charlie_web, activity):
    html = page(charlie_web.get("/dashboard/"))
    assert _numbers(html, "stat-clicks") == "0"


def test_unknown_range_falls_back_to_thirty_days(alice_web, activity):
    response = alice_web.get("/dashboard/?range=forever")
    assert response.context["range"] == "30d"
    assert len(response.context["report"].series["labels"]) == 30


def test_overview_query_count_does_not_grow_with_data(
    alice_web, activity, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30):
        assert alice_web.get("/dashboard/").status_code == 200
