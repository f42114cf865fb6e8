"""Commission rules: CPA once per customer and per click, CPS amounts, RevShare windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Merchant, Partner
from conversions.models import Commission, Conversion
from partners.models import Program
from tests.conftest import assert_error
from tests.conversions.conftest import body, post
from tests.conversions.factories import ClickFactory, ProgramFactory, PromoCodeFactory
from tests.factories import PartnerFactory
from tracking.models import Click

pytestmark = pytest.mark.django_db


@pytest.fixture
def cpa(merchant: Merchant) -> Program:
    return ProgramFactory(
        merchant=merchant,
        code="CPA",
        commission_type="cpa",
        cpa_amount_cents=3000,
        percent_bps=None,
    )


@pytest.fixture
def revshare(merchant: Merchant) -> Program:
    return ProgramFactory(
        merchant=merchant, code="SUBS", commission_type="revshare", percent_bps=2000,
        recurring_months=12,
    )  # fmt: skip


def send(client: Any, txid: str, **fields: Any) -> dict[str, Any]:
    response = post(client, body(external_transaction_id=txid, **fields))
    assert response.status_code == 201, response.content
    data: dict[str, Any] = response.json()
    return data


def code(data: dict[str, Any]) -> str:
    return str(data["attribution"]["explanation"]["code"])


def test_cpa_pays_the_fixed_amount_whatever_the_sale(
    sk_live: Any, cpa: Program, partner: Partner
) -> None:
    click = ClickFactory(program=cpa, partner=partner)

    data = send(sk_live, "o1", click_id=str(click.pk), amount_cents=99999, customer_id="c1")

    assert data["commission"]["amount_cents"] == 3000
    assert data["commission"]["kind"] == "cpa" and data["commission"]["rate_bps"] is None


def test_cpa_does_not_need_an_amount(sk_live: Any, cpa: Program, partner: Partner) -> None:
    click = ClickFactory(program=cpa, partner=partner)

    data = send(sk_live, "o1", click_id=str(click.pk), event_type="lead", drop=("amount_cents",))

    assert data["attributed"] is True and data["amount_cents"] is None
    assert data["commission"]["amount_cents"] == 3000


def test_cpa_pays_once_per_customer(sk_live: Any, cpa: Program, partner: Partner) -> None:
    first, second = ClickFactory(program=cpa, partner=partner), ClickFactory(program=cpa)

    one = send(sk_live, "o1", click_id=str(first.pk), customer_id="cust_1")
    two = send(sk_live, "o2", click_id=str(second.pk), customer_id="cust_1")
    three = send(sk_live, "o3", click_id=str(second.pk), customer_id="cust_2")

    assert (one["attributed"], code(one)) == (True, "attributed_click")
    assert (two["attributed"], code(two)) == (False, "cpa_customer_limit")
    assert two["commission"] is None and two["partner"] is None
    assert (three["attributed"], code(three)) == (True, "attributed_click")
    assert Commission.objects.count() == 2


def test_cpa_pays_once_per_click(sk_live: Any, cpa: Program, partner: Partner) -> None:
    click = ClickFactory(program=cpa, partner=partner)

    one = send(sk_live, "o1", click_id=str(click.pk), customer_id="cust_1")
    two = send(sk_live, "o2", click_id=str(click.pk), customer_id="cust_2")

    assert code(one) == "attributed_click"
    assert (two["attributed"], code(two)) == (False, "cpa_click_limit")
    assert Commission.objects.count() == 1


def test_cpa_without_customer_id_pays_once_per_click(
    sk_live: Any, cpa: Program, partner: Partner
) -> None:
    click = ClickFactory(program=cpa, partner=partner)

    one = send(sk_live, "o1", click_id=str(click.pk))
    two = send(sk_live, "o2", click_id=str(click.pk))

    assert code(one) == "attributed_click"
    assert code(two) == "cpa_click_limit"
    steps = Conversion.objects.get(external_transaction_id="o1").attribution_steps
    assert {"check": "cpa_customer_limit", "result": "skipped"}.items() <= steps[-4].items()


def test_cpa_promo_code_without_customer_id_pays_each_time(
    sk_live: Any, cpa: Program, partner: Partner
) -> None:
    PromoCodeFactory(program=cpa, partner=partner, code="CPA5")

    results = [code(send(sk_live, f"o{i}", promo_code="CPA5")) for i in range(2)]

    assert results == ["attributed_promo_code", "attributed_promo_code"]
    assert Commission.objects.count() == 2


def test_cpa_promo_code_with_customer_pays_once(
    sk_live: Any, cpa: Program, partner: Partner
) -> None:
    PromoCodeFactory(program=cpa, partner=partner, code="CPA5")

    one = send(sk_live, "o1", promo_code="CPA5", customer_id="c")
    two = send(sk_live, "o2", promo_code="CPA5", customer_id="c")

    assert [code(one), code(two)] == ["attributed_promo_code", "cpa_customer_limit"]


def test_a_reversed_cpa_conversion_frees_the_customer(
    sk_live: Any, cpa: Program, partner: Partner
) -> None:
    first, second = ClickFactory(program=cpa, partner=partner), ClickFactory(program=cpa)
    one = send(sk_live, "o1", click_id=str(first.pk), customer_id="c")
    reversed_ = sk_live.post(
        f"/api/v1/conversions/{one['id']}/reverse", {"reason": "refund"}, format="json"
    )
    assert reversed_.status_code == 200

    two = send(sk_live, "o2", click_id=str(second.pk), customer_id="c")

    assert code(two) == "attributed_click"


def test_cps_pays_basis_points_of_the_amount(sk_live: Any, click: Click) -> None:
    data = send(sk_live, "o1", click_id=str(click.pk), amount_cents=12345)

    # 10% of 123.45 is 12.345: half-way, rounded to the even 12.34.
    assert data["commission"]["amount_cents"] == 1234
    assert data["commission"]["rate_bps"] == 1000


def test_cps_pays_again_for_the_same_customer(sk_live: Any, click: Any) -> None:
    one = send(sk_live, "o1", click_id=str(click.pk), customer_id="c")
    two = send(sk_live, "o2", click_id=str(click.pk), customer_id="c")

    assert code(one) == code(two) == "attributed_click"


@pytest.mark.parametrize("kind", ["cps", "revshare"])
def test_percentage_program_without_amount_is_400(
    sk_live: Any, merchant: Merchant, partner: Partner, kind: str
) -> None:
    program = ProgramFactory(merchant=merchant, commission_type=kind, code="PCT")
    click = ClickFactory(program=program, partner=partner)

    response = post(sk_live, body(click_id=str(click.pk), drop=("amount_cents", "currency")))

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"] == [
        {
            "field": "amount_cents",
            "message": f"Required: program PCT pays a percentage of the amount ({kind})",
        }
    ]
    assert Conversion.objects.count() == 0


def test_zero_amount_earns_a_zero_commission(sk_live: Any, click: Any) -> None:
    data = send(sk_live, "o1", click_id=str(click.pk), amount_cents=0)

    assert data["commission"]["amount_cents"] == 0


def test_revshare_pays_every_payment_within_the_window(
    sk_live: Any, revshare: Program, partner: Partner
) -> None:
    start = timezone.now() - timedelta(days=300)
    click = ClickFactory(program=revshare, partner=partner, created_at=start - timedelta(hours=1))
    promo = PromoCodeFactory(program=revshare, partner=partner, code="SUBS")

    first = send(
        sk_live, "m1", click_id=str(click.pk), customer_id="c", occurred_at=start.isoformat()
    )
    later = send(sk_live, "m10", promo_code=promo.code, customer_id="c", amount_cents=1000)

    assert code(first) == "attributed_click"
    assert first["commission"]["amount_cents"] == 980
    assert code(later) == "attributed_promo_code"
    assert later["commission"]["amount_cents"] == 200
    assert later["commission"]["kind"] == "revshare"
    window = Conversion.objects.get(external_transaction_id="m10").attribution_steps[-3]
    assert window["check"] == "revshare_window" and window["result"] == "pass"


def test_revshare_after_recurring_months_is_revshare_window_over(
    sk_live: Any, revshare: Program, partner: Partner
) -> None:
    start = timezone.now() - timedelta(days=400)
    click = ClickFactory(program=revshare, partner=partner, created_at=start - timedelta(hours=1))
    PromoCodeFactory(program=revshare, partner=partner, code="SUBS")
    send(sk_live, "m1", click_id=str(click.pk), customer_id="c", occurred_at=start.isoformat())

    late = send(sk_live, "m14", promo_code="SUBS", customer_id="c")
    other_customer = send(sk_live, "x1", promo_code="SUBS", customer_id="d")

    assert (late["attributed"], code(late)) == (False, "revshare_window_over")
    assert late["commission"] is None
    assert code(other_customer) == "attributed_promo_code"


def test_revshare_without_recurring_months_has_no_end(
    sk_live: Any, revshare: Program, partner: Partner
) -> None:
    revshare.recurring_months = None
    revshare.save()
    start = timezone.now() - timedelta(days=3000)
    click = ClickFactory(program=revshare, partner=partner, created_at=start - timedelta(hours=1))
    PromoCodeFactory(program=revshare, partner=partner, code="SUBS")
    send(sk_live, "m1", click_id=str(click.pk), customer_id="c", occurred_at=start.isoformat())

    assert code(send(sk_live, "m99", promo_code="SUBS", customer_id="c")) == "attributed_promo_code"


def test_revshare_without_customer_pays_each_signal(
    sk_live: Any, revshare: Program, partner: Partner
) -> None:
    PromoCodeFactory(program=revshare, partner=partner, code="SUBS")

    one, two = send(sk_live, "m1", promo_code="SUBS"), send(sk_live, "m2", promo_code="SUBS")

    assert code(one) == code(two) == "attributed_promo_code"


def test_revshare_window_ends_on_the_calendar_month(
    sk_live: Any, revshare: Program, partner: Partner
) -> None:
    revshare.recurring_months = 1
    revshare.save()
    PromoCodeFactory(program=revshare, partner=partner, code="SUBS")
    year = timezone.now().year - 1
    jan31 = datetime(year, 1, 31, 12, 0, tzinfo=UTC)
    send(sk_live, "a", promo_code="SUBS", customer_id="c", occurred_at=jan31.isoformat())
    last_day = datetime(year, 2, 28, 12, 0, tzinfo=UTC)
    after = datetime(year, 3, 1, 12, 0, tzinfo=UTC)

    inside = send(
        sk_live, "b", promo_code="SUBS", customer_id="c", occurred_at=last_day.isoformat()
    )
    outside = send(sk_live, "c", promo_code="SUBS", customer_id="c", occurred_at=after.isoformat())

    assert code(inside) == "attributed_promo_code"
    assert code(outside) == "revshare_window_over"


def _won_customer(client: Any, program: Program, partner: Partner, *, days_ago: int) -> Click:
    """A click that won customer "c" for `partner` `days_ago` days ago, its cookie window
    long closed since."""
    start = timezone.now() - timedelta(days=days_ago)
    click: Click = ClickFactory(
        program=program, partner=partner, created_at=start - timedelta(hours=1)
    )
    first = send(
        client, "m1", click_id=str(click.pk), customer_id="c", occurred_at=start.isoformat()
    )
    assert code(first) == "attributed_click"
    return click


def test_revshare_renewal_with_the_winning_click_pays_past_the_cookie_window(
    sk_live: Any, revshare: Program, partner: Partner
) -> None:
    click = _won_customer(sk_live, revshare, partner, days_ago=200)
    assert click.expires_at < timezone.now()

    renewal = send(sk_live, "m7", click_id=str(click.pk), customer_id="c", amount_cents=1000)

    assert (renewal["attributed"], code(renewal)) == (True, "attributed_click")
    assert renewal["commission"]["amount_cents"] == 200
    assert renewal["commission"]["kind"] == "revshare"
    assert renewal["partner"]["id"] == str(partner.pk)
    steps = {
        s["check"]: s
        for s in Conversion.objects.get(external_transaction_id="m7").attribution_steps
    }
    assert steps["click_window"]["result"] == "pass"
    assert "first attributed conversion" in steps["click_window"]["message"]
    assert steps["revshare_window"]["result"] == "pass"
    assert Commission.objects.filter(conversion__external_transaction_id="m7").count() == 1


def test_revshare_renewal_with_the_click_after_recurring_months_is_revshare_window_over(
    sk_live: Any, revshare: Program, partner: Partner
) -> None:
    click = _won_customer(sk_live, revshare, partner, days_ago=400)

    late = send(sk_live, "m14", click_id=str(click.pk), customer_id="c")

    assert (late["attributed"], code(late)) == (False, "revshare_window_over")
    assert late["commission"] is None
    assert not Commission.objects.filter(conversion__external_transaction_id="m14").exists()


@pytest.mark.parametrize("customer", ["d", None])
def test_revshare_expired_click_without_a_won_customer_is_click_expired(
    sk_live: Any, revshare: Program, partner: Partner, customer: str | None
) -> None:
    click = _won_customer(sk_live, revshare, partner, days_ago=200)
    fields = {"customer_id": customer} if customer else {}

    other = send(sk_live, "x1", click_id=str(click.pk), **fields)

    assert (other["attributed"], code(other)) == (False, "click_expired")
    assert other["commission"] is None


def test_revshare_expired_click_of_another_partner_than_the_customers_is_click_expired(
    sk_live: Any, revshare: Program, partner: Partner
) -> None:
    _won_customer(sk_live, revshare, partner, days_ago=200)
    rival = PartnerFactory()
    old = ClickFactory(
        program=revshare, partner=rival, created_at=timezone.now() - timedelta(days=150)
    )

    poached = send(sk_live, "m7", click_id=str(old.pk), customer_id="c")

    assert (poached["attributed"], code(poached)) == (False, "click_expired")
    assert Commission.objects.filter(partner=rival).count() == 0


def test_revshare_renewal_after_the_first_conversion_was_reversed_is_click_expired(
    sk_live: Any, revshare: Program, partner: Partner
) -> None:
    click = _won_customer(sk_live, revshare, partner, days_ago=200)
    first = Conversion.objects.get(external_transaction_id="m1")
    reversed_ = sk_live.post(
        f"/api/v1/conversions/{first.pk}/reverse", {"reason": "refund"}, format="json"
    )
    assert reversed_.status_code == 200

    renewal = send(sk_live, "m7", click_id=str(click.pk), customer_id="c")

    assert code(renewal) == "click_expired"


def test_cps_expired_click_stays_expired_for_a_returning_customer(
    sk_live: Any, merchant: Merchant, partner: Partner
) -> None:
    cps = ProgramFactory(merchant=merchant, code="SHOP", commission_type="cps", percent_bps=1000)
    click = _won_customer(sk_live, cps, partner, days_ago=200)

    again = send(sk_live, "m7", click_id=str(click.pk), customer_id="c")

    assert (again["attributed"], code(again)) == (False, "click_expired")
