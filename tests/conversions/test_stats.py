"""Report figures for conversions and commissions, scoped and per currency."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from conversions.stats import commission_figures, conversion_figures
from tests.conversions.conftest import body, post

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 5, 2, 12, 0, tzinfo=UTC)
RANGE = {"start": date(2026, 5, 1), "end": date(2026, 5, 8)}


@pytest.fixture
def on_day(time_machine):
    time_machine.move_to(DAY, tick=False)


@pytest.fixture
def recorded(on_day, sk_live, sk_test, click, test_click, approved, merchant):
    assert (
        post(
            sk_live, body(click_id=str(click.pk), amount_cents=10000, external_transaction_id="a")
        ).status_code
        == 201
    )
    assert (
        post(
            sk_live, body(click_id=str(click.pk), amount_cents=2501, external_transaction_id="b")
        ).status_code
        == 201
    )
    unknown = "00000000-0000-7000-8000-000000000000"
    assert (
        post(sk_live, body(click_id=unknown, external_transaction_id="c")).json()["attributed"]
        is False
    )
    assert (
        post(
            sk_test,
            body(click_id=str(test_click.pk), amount_cents=999, external_transaction_id="t"),
        ).status_code
        == 201
    )


def test_conversion_figures_count_attributed_sales_and_revenue(
    recorded, merchant, partner, program
):
    figures = conversion_figures(merchant=merchant, mode="live", **RANGE)
    assert (figures.received, figures.attributed, figures.reversed) == (3, 2, 0)
    assert figures.per_day == {date(2026, 5, 2): 2}
    assert figures.revenue_cents == {"EUR": 12501}
    assert figures.per_partner == {partner.pk: 2}
    assert figures.per_program == {program.pk: 2}


def test_commission_figures_by_status_and_partner(recorded, merchant, partner):
    figures = commission_figures(merchant=merchant, mode="live", **RANGE)
    # 10% of 100.00 and of 25.01 (250.1 cents rounds half-even to 250).
    assert figures.by_status == {"pending": {"EUR": 1250}}
    assert figures.total("pending", "approved") == {"EUR": 1250}
    assert figures.per_partner == {partner.pk: {"EUR": 1250}}


def test_reversed_sales_leave_the_figures(recorded, merchant, sk_live):
    from conversions.models import Conversion

    conversion = Conversion.objects.get(external_transaction_id="a", mode="live")
    response = sk_live.post(
        f"/api/v1/conversions/{conversion.pk}/reverse", {"reason": "refund"}, format="json"
    )
    assert response.status_code == 200
    figures = conversion_figures(merchant=merchant, mode="live", **RANGE)
    assert (figures.attributed, figures.reversed, figures.revenue_cents) == (2, 1, {"EUR": 2501})
    commissions = commission_figures(merchant=merchant, mode="live", **RANGE)
    assert commissions.by_status == {"pending": {"EUR": 250}, "reversed": {"EUR": 1000}}
    assert commissions.total("pending", "approved", "paid") == {"EUR": 250}


def test_test_mode_figures_are_separate(recorded, merchant):
    figures = conversion_figures(merchant=merchant, mode="test", **RANGE)
    assert (figures.received, figures.revenue_cents) == (1, {"EUR": 999})


def test_partner_scope_sees_only_the_partners_own(recorded, partner, other_merchant):
    assert conversion_figures(partner=partner, mode="live", **RANGE).attributed == 2
    assert conversion_figures(merchant=other_merchant, mode="live", **RANGE).received == 0
