"""A sale in another currency than its program's is converted at the stored rate of its
occurred_at and earns its commission on the converted amount; the conversion keeps what
was sent, the rate, its set and the converted amount, and its steps say which rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accounts.models import Partner
from conversions.models import Commission, Conversion
from fx.models import ExchangeRateSet
from tests.conversions.conftest import body, post
from tests.conversions.factories import ClickFactory, ProgramFactory
from tracking.models import Click

pytestmark = pytest.mark.django_db

SET_TIME = datetime(2026, 3, 14, 15, 1, tzinfo=UTC)


def usd_set(rates: dict[str, str], at: datetime = SET_TIME) -> ExchangeRateSet:
    return ExchangeRateSet.objects.create(
        fetched_at=at, effective_at=at, confirmed_at=at, source="json", base="USD", rates=rates
    )


def program_click(partner: Partner, currency: str, **fields: Any) -> Click:
    program = ProgramFactory(merchant=partner_merchant(), mode="live", currency=currency, **fields)
    # Clicked before the sales dated 15 March 2026, inside the click's window.
    clicked = datetime(2026, 3, 14, tzinfo=UTC)
    return ClickFactory(
        program=program,
        partner=partner,
        created_at=clicked,
        expires_at=clicked + timedelta(days=400),
    )


def partner_merchant() -> Any:
    from accounts.models import Merchant

    return Merchant.objects.get(slug="acme")


def sale(client: Any, click: Click, **fields: Any) -> Conversion:
    response = post(client, body(click_id=str(click.pk), **fields))
    assert response.status_code == 201, response.content
    return Conversion.objects.get(
        external_transaction_id=fields.get("external_transaction_id", "order_456")
    )


def test_a_dollar_sale_in_a_euro_program_is_converted_at_the_snapshot_rate(
    sk_live: Any, click: Click
) -> None:
    conversion = sale(sk_live, click, currency="USD", amount_cents=4900)

    # 4900 / 1.1476 = 4269.78 euro cents; 10% of 4270 = 427.
    assert conversion.attributed is True
    assert (conversion.amount_cents, conversion.currency) == (4900, "USD")
    assert (conversion.converted_amount_cents, conversion.converted_currency) == (4270, "EUR")
    assert conversion.fx_rate == "0.87138375740676193796"
    snapshot = ExchangeRateSet.objects.get(source="snapshot")
    assert conversion.fx_rate_set_id == snapshot.pk
    commission = Commission.objects.get()
    assert (commission.amount_cents, commission.currency) == (427, "EUR")
    [step] = [s for s in conversion.attribution_steps if s["check"] == "currency"]
    assert step == {
        "check": "currency",
        "result": "pass",
        "message": f"The conversion is in USD; program {click.program.code} pays in EUR: "
        "converted at 0.87138375740676193796 EUR per USD, snapshot rates as of "
        f"2026-03-13T15:00:00+00:00 (set {snapshot.pk}, in effect from "
        "2026-03-13T15:00:00+00:00).",
    }


def test_yen_to_euro_cents_crosses_exponents(sk_live: Any, click: Click) -> None:
    conversion = sale(sk_live, click, currency="JPY", amount_cents=12345)

    # 12,345 yen = 12345 * 100 / 182.85 = 6751.44 euro cents.
    assert conversion.converted_amount_cents == 6751
    assert Commission.objects.get().amount_cents == 675


def test_bahraini_dinar_sale_in_a_kuwaiti_dinar_program(sk_live: Any, partner: Partner) -> None:
    usd_set({"BHD": "0.376", "KWD": "0.30712"})
    click = program_click(partner, "KWD")

    conversion = sale(
        sk_live, click, currency="BHD", amount_cents=10005, occurred_at="2026-03-15T00:00:00Z"
    )

    # 10.005 BHD * 0.30712 / 0.376 = 8.17216914... KWD = 8172 fils; 10% = 817.2 fils.
    assert conversion.fx_rate == "0.81680851063829787234"
    assert (conversion.converted_amount_cents, conversion.converted_currency) == (8172, "KWD")
    assert Commission.objects.get().amount_cents == 817


def test_won_sale_in_a_yen_program(sk_live: Any, partner: Partner) -> None:
    usd_set({"JPY": "159.452", "KRW": "1491.98"})
    click = program_click(partner, "JPY")

    conversion = sale(
        sk_live, click, currency="KRW", amount_cents=1234567, occurred_at="2026-03-15T00:00:00Z"
    )

    # 1,234,567 won * 159.452 / 1491.98 = 131,941.57 yen; 10% = 13,194.2 yen.
    assert conversion.fx_rate == "0.1068727462834622448"
    assert conversion.converted_amount_cents == 131942
    assert Commission.objects.get().amount_cents == 13194


@pytest.mark.parametrize(("amount", "converted"), [(4901, 2450), (4903, 2452), (4902, 2451)])
def test_an_exact_half_rounds_to_even(
    sk_live: Any, partner: Partner, amount: int, converted: int
) -> None:
    usd_set({"EUR": "0.5"})
    click = program_click(partner, "EUR")

    conversion = sale(
        sk_live, click, currency="USD", amount_cents=amount, occurred_at="2026-03-15T00:00:00Z"
    )

    assert conversion.converted_amount_cents == converted


def test_the_rate_is_the_one_stored_at_occurred_at_not_the_newest(
    sk_live: Any, partner: Partner
) -> None:
    old = usd_set({"EUR": "0.80"}, SET_TIME)
    usd_set({"EUR": "0.90"}, SET_TIME + timedelta(days=1))
    click = program_click(partner, "EUR")

    before = sale(
        sk_live,
        click,
        currency="USD",
        amount_cents=1000,
        external_transaction_id="o1",
        occurred_at="2026-03-15T15:00:59Z",
    )
    after = sale(
        sk_live,
        click,
        currency="USD",
        amount_cents=1000,
        external_transaction_id="o2",
        occurred_at="2026-03-15T15:01:00Z",
    )

    assert (before.fx_rate_set_id, before.converted_amount_cents) == (old.pk, 800)
    assert after.converted_amount_cents == 900


def test_a_program_restricting_its_currencies_refuses_the_others(
    sk_live: Any, partner: Partner
) -> None:
    click = program_click(partner, "EUR", accepted_currencies=["GBP"])

    refused = post(sk_live, body(click_id=str(click.pk), currency="USD"))
    accepted = sale(sk_live, click, currency="GBP", external_transaction_id="o2")

    assert refused.json()["attribution"]["explanation"] == {
        "code": "currency_mismatch",
        "message": f"The conversion is in USD but program {click.program.code} accepts only "
        "EUR, GBP.",
    }
    refused_row = Conversion.objects.get(external_transaction_id="order_456")
    assert refused_row.attributed is False
    assert refused_row.converted_amount_cents is None and refused_row.fx_rate == ""
    assert refused_row.fx_rate_set_id is None
    # 4900 pence / 0.86503 = 5664.54 euro cents.
    assert accepted.converted_amount_cents == 5665
    assert Commission.objects.get().conversion_id == accepted.pk


def test_a_currency_without_a_stored_rate_is_currency_mismatch(sk_live: Any, click: Click) -> None:
    response = post(sk_live, body(click_id=str(click.pk), currency="AED"))

    explanation = response.json()["attribution"]["explanation"]
    assert explanation["code"] == "currency_mismatch"
    assert explanation["message"].startswith(
        f"The conversion is in AED but program {click.program.code} pays in EUR, and the "
        "snapshot rates as of 2026-03-13T15:00:00+00:00"
    )
    assert explanation["message"].endswith("have no rate for AED to convert it.")
    assert Commission.objects.count() == 0


def test_a_cpa_lead_in_another_currency_pays_the_fixed_amount(
    sk_live: Any, partner: Partner
) -> None:
    program = ProgramFactory(
        merchant=partner_merchant(),
        mode="live",
        commission_type="cpa",
        cpa_amount_cents=3000,
        currency="GBP",
    )
    click = ClickFactory(program=program, partner=partner)

    conversion = sale(sk_live, click, currency="USD", drop=("amount_cents",))

    assert conversion.converted_amount_cents is None
    assert conversion.fx_rate != ""
    assert Commission.objects.get().amount_cents == 3000
